"""Where one page's server time goes, for one role: the bench's request under cProfile.

    python -m bench.profile URL [--role delegate] [--repeat 20] [--limit 30]

Same settings and database as bench.pages (run `seed_demo` first). Prints the functions
with the most time of their own, then the share of the time spent in Django's template
engine, the ORM building queries and the database driver, so that a page missing its
target can be looked at before anything is changed.
"""

import argparse
import cProfile
import gc
import os
import pstats
import re
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from bench.pages import client_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

PARTS = {
    "templates": ("django/template/",),
    "ORM": ("django/db/models/",),
    "database driver": ("psycopg/", "django/db/backends/"),
    "forms": ("django/forms/",),
    "translation": ("django/utils/translation/",),
}


def shares(stats):
    """Seconds of own time per part (by the file a function lives in)."""
    totals = dict.fromkeys(PARTS, 0.0)
    totals["everything else"] = 0.0
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        part = next((p for p, marks in PARTS.items() if any(m in filename for m in marks)), None)
        totals[part or "everything else"] += own
    return totals


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--role", default="delegate")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--limit", type=int, default=30)
    args = parser.parse_args()
    client = client_for(args.role)
    # As bench.pages and each gunicorn worker do once loaded (concertation/wsgi.py).
    gc.collect()
    gc.freeze()
    for _ in range(3):
        assert client.get(args.url).status_code == 200
    started = time.perf_counter()
    for _ in range(args.repeat):
        client.get(args.url)
    plain = (time.perf_counter() - started) * 1000 / args.repeat
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.repeat):
        client.get(args.url)
    profile.disable()
    stats = pstats.Stats(profile)
    print(f"{args.url} as {args.role}: {plain:.1f} ms a request without the profiler")
    stats.sort_stats("tottime").print_stats(args.limit)
    # The project's own functions by cumulative time: which view, selector or tag costs.
    stats.sort_stats("cumulative").print_stats(re.escape(str(ROOT)) + r"/(?!\.venv)", args.limit)
    totals = shares(stats)
    whole = sum(totals.values()) or 1
    for part, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"{part:18} {100 * seconds / whole:5.1f} %")


if __name__ == "__main__":
    main()
