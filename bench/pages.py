"""Query count and server time of the main pages, for each role, on the demo data.

    python -m bench.pages [--repeat 30] [--json out.json]

Uses the database of DATABASE_URL (run `manage.py seed_demo [--scale N]` first). Every
figure is measured in-process with Django's test client, so it is the server's time
without the network. The trivial view (/healthz/: one SELECT 1, no template) is the
baseline: it is requested with each role's session, so that for a signed-in person it
includes what every request pays before any view runs (the session and the person read by
the middleware), as many times as each page right after that page's requests, so that the
two are measured over the same minutes of a machine whose speed drifts (a shared virtual
machine can be twice as slow from one minute to the next). A role's baseline is the
p50/p95 of all its trivial requests.
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


def pages(only=None):
    """For each role, the trivial view first (its baseline), then every main page the role
    uses — the same list the accessibility and HTML-validity tests visit (tests/pages.py) —
    or only the pages named in `only`."""
    from tests.pages import DEMO_ROLES, main_pages

    rows = []
    for role in DEMO_ROLES:
        rows.append((TRIVIAL, role, reverse("healthz")))
        rows += [(name, role, url) for name, url in main_pages(role) if only is None or name in only]
    return rows


def client_for(role):
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(email=DEMO_ACCOUNTS[role][0]))
    return client


def timed(client, url):
    start = time.perf_counter()
    client.get(url)
    return (time.perf_counter() - start) * 1000


def percentiles(times):
    times = sorted(times)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
    }


def measure(client, url, repeat, baseline):
    """The page's figures; then as many trivial requests, right away, into `baseline`."""
    for _ in range(2):
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # captured_queries is read from the connection's log lazily: count it now, before
    # the next request resets the log.
    query_count = len(queries.captured_queries)
    assert response.status_code == 200, (url, response.status_code)
    times = [timed(client, url) for _ in range(repeat)]
    # Not interleaved request by request: a trivial request right after a page pays for
    # that page's garbage and cold caches, which would flatter the ratio.
    trivial = reverse("healthz")
    client.get(trivial)
    baseline.extend(timed(client, trivial) for _ in range(repeat))
    return {"queries": query_count, **percentiles(times)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json")
    parser.add_argument("--only", help="comma-separated page names (tests/pages.py), e.g. home")
    args = parser.parse_args()
    clients, results, trivial = {}, [], {}
    rows = pages(set(args.only.split(",")) if args.only else None)
    # As each gunicorn worker does once loaded (concertation/wsgi.py).
    gc.collect()
    gc.freeze()
    for name, role, url in rows:
        client = clients.setdefault(role, client_for(role))
        samples = trivial.setdefault(role, [])
        results.append({"page": name, "role": role, "url": url, **measure(client, url, args.repeat, samples)})
    for row in results:
        if row["page"] == TRIVIAL:
            row.update(percentiles(trivial[row["role"]]))
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
