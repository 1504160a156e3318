"""Time to compute the regional view across tables, and its query count.

    python -m bench.regional [--add-meetings] [--repeat 10]

Uses the database of DATABASE_URL (run `manage.py seed_demo --scale 10` first). The
synthetic tables of `--scale` have members but no meetings; `--add-meetings` gives each
of them two years of monthly meetings (attendance recorded at three tables in four), in
bulk, so that the hours are computed over realistic data. Every figure is measured
in-process: the computation alone (cache bypassed), the cached read, and the whole page
through Django's test client as a platform admin, with the cache cleared before each run.
"""

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from datetime import datetime, timedelta  # noqa: E402
from datetime import time as clock  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from members.models import Organisation, Region, User  # noqa: E402
from tables.demo import DEMO_ACCOUNTS  # noqa: E402
from tables.models import Attendance, Meeting, Membership, Table  # noqa: E402
from tables.regional import compute_overview, regional_overview  # noqa: E402


@transaction.atomic
def add_meetings(months=24):
    """Monthly 2.5 h meetings for the synthetic tables that have none."""
    rng = random.Random(7)
    tables = list(Table.objects.filter(slug__startswith="synth-", meetings__isnull=True).order_by("pk"))
    today = timezone.localdate()
    meetings = Meeting.objects.bulk_create(
        Meeting(
            table=table,
            title="Rencontre régulière",
            starts_at=timezone.make_aware(datetime.combine(today - timedelta(days=30 * n + 3), clock(9))),
            ends_at=timezone.make_aware(datetime.combine(today - timedelta(days=30 * n + 3), clock(11, 30))),
            status=Meeting.Status.HELD,
        )
        for table in tables
        for n in range(months)
    )
    recorded = {table.pk for index, table in enumerate(tables) if index % 4}
    members = {}
    for membership in Membership.objects.filter(table__in=recorded).values("pk", "table_id"):
        members.setdefault(membership["table_id"], []).append(membership["pk"])
    rows = [
        Attendance(meeting=meeting, membership_id=membership_id, present=rng.random() < 0.8)
        for meeting in meetings
        if meeting.table_id in recorded
        for membership_id in members.get(meeting.table_id, [])
    ]
    Attendance.objects.bulk_create(rows, batch_size=5000)
    print(
        f"Added {len(meetings)} meetings and {len(rows)} attendance rows to {len(tables)} synthetic tables."
    )


def timed(function, repeat):
    times = []
    for _n in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return round(times[0], 1), round(statistics.median(times), 1)


def queries(function):
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--add-meetings", action="store_true")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if args.add_meetings:
        add_meetings()

    print(
        f"Database: {connection.vendor}; {Table.objects.count()} tables, {Organisation.objects.count()} "
        f"organisations, {Membership.objects.count()} memberships, {Meeting.objects.count()} meetings, "
        f"{Attendance.objects.count()} attendance rows."
    )
    busiest = Region.objects.annotate(n=Count("tables")).order_by("-n").first()
    scopes = [("All of Québec", None), (f"{busiest.name} (busiest region)", busiest)]
    capitale = Region.objects.get(code="03")
    if capitale != busiest:
        scopes.append((capitale.name, capitale))

    client = Client()
    client.force_login(User.objects.get(email=DEMO_ACCOUNTS["admin"][0]))

    print(
        f"{'scope':38} {'tables':>6} {'orgs':>5} {'queries':>7} {'compute ms (min/p50)':>21} "
        f"{'cached ms':>9} {'page queries':>12} {'page ms (min/p50)':>18}"
    )
    for label, region in scopes:
        overview = compute_overview(region)
        compute_queries = queries(lambda region=region: compute_overview(region))
        compute_ms = timed(lambda region=region: compute_overview(region), args.repeat)
        cache.clear()
        regional_overview(region)
        cached_ms = timed(lambda region=region: regional_overview(region), args.repeat)
        url = reverse("tables:regional-overview", args=[region.slug if region else "quebec"])

        def page(url=url):
            cache.clear()
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        page_queries = queries(page)
        page_ms = timed(page, args.repeat)
        print(
            f"{label:38} {len(overview.tables):6} {len(overview.organisations):5} {compute_queries:7} "
            f"{f'{compute_ms[0]} / {compute_ms[1]}':>21} {cached_ms[1]:9} {page_queries:12} "
            f"{f'{page_ms[0]} / {page_ms[1]}':>18}"
        )

    url = reverse("tables:regional-network", args=["quebec"])

    def network():
        cache.clear()
        assert client.get(url).status_code == 200

    print(
        f"Network of all of Québec (cache cleared): {queries(network)} queries, "
        f"{timed(network, args.repeat)[0]} ms (p50)"
    )


if __name__ == "__main__":
    main()
