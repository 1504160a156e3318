"""Queries of the main pages that read the whole network: every query each page sends, for
each role, explained by PostgreSQL.

    python -m bench.scans [--rows 3000] [--ms 1.5]

Same settings and database as bench.pages (run `seed_demo --scale 50` first). A query
whose plan scans or sorts more than `--rows` rows, or that takes more than `--ms` to plan
and run, is printed with the page and role that sent it: the query count of such a page
does not grow with the data, but its time does. Each distinct query is explained once.
"""

import argparse
import json
import os
import re

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import client_for, pages  # noqa: E402


def statement(sql):
    """The SELECT of a query (a server-side cursor's DECLARE … FOR SELECT included)."""
    if sql.startswith("DECLARE"):
        sql = sql[sql.index(" FOR ") + len(" FOR ") :]
    return sql if sql.startswith(("SELECT", "WITH")) else None


def wide_nodes(node, rows_limit):
    """The plan's sequential scans and sorts over more than `rows_limit` rows."""
    loops = node.get("Actual Loops", 1)
    rows = node.get("Actual Rows", 0) * loops
    removed = node.get("Rows Removed by Filter", 0) * loops
    found = []
    if node["Node Type"] == "Seq Scan" and rows + removed > rows_limit:
        found.append(f"sequential scan of {node.get('Relation Name')} ({rows + removed} rows)")
    if node["Node Type"] == "Sort" and rows > rows_limit:
        found.append(f"sort of {rows} rows")
    for child in node.get("Plans", []):
        found += wide_nodes(child, rows_limit)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--ms", type=float, default=1.5)
    args = parser.parse_args()
    clients, seen, flagged = {}, set(), 0
    for name, role, url in pages():
        client = clients.setdefault(role, client_for(role))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        for captured in queries.captured_queries:
            sql = statement(captured["sql"])
            shape = sql and re.sub(r"\d+", "N", sql)
            if not sql or shape in seen:
                continue
            seen.add(shape)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            wide = wide_nodes(plan["Plan"], args.rows)
            milliseconds = plan["Planning Time"] + plan["Execution Time"]
            if wide or milliseconds > args.ms:
                flagged += 1
                print(f"{milliseconds:6.2f} ms  {name} / {role}: {'; '.join(wide) or 'slow'}")
                print(f"           {sql[:300]}")
    print(f"{len(seen)} distinct queries explained, {flagged} flagged")


if __name__ == "__main__":
    main()
