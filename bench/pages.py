"""Query count and server time of the main pages, for each role, on the demo data.

    python -m bench.pages [--repeat 30] [--json out.json]

Uses the database of DATABASE_URL (run `manage.py seed_demo [--scale N]` first). Every
figure is measured in-process with Django's test client, so it is the server's time
without the network. The trivial view (/healthz/: one SELECT 1, no template) is measured
in the same run for each role, with that role's session, as the baseline: for a signed-in
person it includes what every request pays before any view runs (the session and the
person read by the middleware).
"""

import argparse
import gc
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from members.models import User  # noqa: E402
from tables.demo import DEMO_ACCOUNTS  # noqa: E402

TRIVIAL = "trivial view (/healthz/)"


def pages():
    """For each role, the trivial view first (its baseline), then every main page the role
    uses — the same list the accessibility and HTML-validity tests visit (tests/pages.py)."""
    from tests.pages import DEMO_ROLES, main_pages

    rows = []
    for role in DEMO_ROLES:
        rows.append((TRIVIAL, role, reverse("healthz")))
        rows += [(name, role, url) for name, url in main_pages(role)]
    return rows


def client_for(role):
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(email=DEMO_ACCOUNTS[role][0]))
    return client


def measure(client, url, repeat):
    for _ in range(2):
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # captured_queries is read from the connection's log lazily: count it now, before
    # the next request resets the log.
    query_count = len(queries.captured_queries)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "queries": query_count,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json")
    args = parser.parse_args()
    clients, results = {}, []
    rows = pages()
    # As each gunicorn worker does once loaded (concertation/wsgi.py).
    gc.collect()
    gc.freeze()
    for name, role, url in rows:
        client = clients.setdefault(role, client_for(role))
        results.append({"page": name, "role": role, "url": url, **measure(client, url, args.repeat)})
    baselines = {row["role"]: row["p95_ms"] or 0.1 for row in results if row["page"] == TRIVIAL}
    print(f"{'page':30} {'role':18} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'×trivial':>9}")
    for row in results:
        row["ratio_p95"] = round(row["p95_ms"] / baselines[row["role"]], 1)
        print(
            f"{row['page']:30} {row['role']:18} {row['queries']:7} {row['p50_ms']:8} "
            f"{row['p95_ms']:8} {row['ratio_p95']:9}"
        )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"database": connection.vendor, "pages": results}, handle, indent=2)


if __name__ == "__main__":
    main()
