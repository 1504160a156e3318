"""Time to find meeting clashes across tables, and its query count.

    python -m bench.clashes [--weeks 8] [--repeat 10] [--json PATH]

Uses the database of DATABASE_URL (run `manage.py seed_demo --scale 50` first: its synthetic
tables have members, and a thousand meetings each, all in the past). Every synthetic table
without a coming meeting is given one a week for the coming `--weeks` weeks, in bulk:
tables 1 and 2 of a synthetic region meet on the same day at 9 h 00 and 10 h 00 (2 h 30
each) and share a quarter of their members, so that they clash; so do tables 3 and 4;
table 5 meets alone. Then, each measured in-process with the cache bypassed:

* the detection over all of Québec and over the busiest region (the regional view),
* the month of the shared calendar (every table),
* the clashes of the organisation sitting on the most tables (a delegate's page),
* the check of one slot on a coordinator's meeting form,
* and the pages through Django's test client as a platform admin (cache cleared first).
"""

import argparse
import json
import os
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

from members.models import Region, User  # noqa: E402
from tables.demo import DEMO_ACCOUNTS  # noqa: E402
from tables.models import Meeting, Membership, Table  # noqa: E402
from tables.selectors.clashes import (  # noqa: E402
    ACTIVE_STATUSES,
    UPCOMING_WEEKS,
    detect_clashes,
    organisation_clashes,
    slot_clashes,
)


@transaction.atomic
def add_upcoming_meetings(weeks):
    """One meeting a week for the coming `weeks` weeks for each synthetic table that has
    none to come. Returns how many were added."""
    today = timezone.localdate()
    tables = list(
        Table.objects.filter(slug__startswith="synth-")
        .exclude(meetings__starts_at__gte=timezone.now())
        .order_by("pk")
        .values_list("pk", "slug")
    )
    meetings = []
    for pk, slug in tables:
        k = int(slug.rsplit("-", 1)[1])  # synth-<unit>-<k>, k from 1 to 5
        weekday, hour = (k - 1) // 2, 9 + (k - 1) % 2
        first = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
        for week in range(weeks):
            starts = timezone.make_aware(datetime.combine(first + timedelta(weeks=week), clock(hour)))
            meetings.append(
                Meeting(
                    table_id=pk,
                    title="Rencontre à venir",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2, minutes=30),
                    place="Salle du conseil",
                    status=Meeting.Status.PLANNED,
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    return len(meetings)


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
        result = function()
    return len(context.captured_queries), result


def measure(*, weeks=UPCOMING_WEEKS, repeat=10):
    """The figures, as a dict (bench/run.py may record it)."""
    added = add_upcoming_meetings(weeks + 4)
    now = timezone.now()
    until = now + timedelta(weeks=weeks)
    busiest = Region.objects.annotate(n=Count("tables")).order_by("-n").first()
    organisation_id = (
        Membership.objects.active()
        .values("organisation_id")
        .annotate(n=Count("table_id"))
        .order_by("-n")
        .values_list("organisation_id", flat=True)
        .first()
    )
    slot = (
        Meeting.objects.filter(table__slug__startswith="synth-", starts_at__gte=now)
        .select_related("table")
        .order_by("starts_at")
        .first()
    )
    month = timezone.localdate(slot.starts_at).replace(day=1)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)

    def month_since():
        return max(timezone.make_aware(datetime.combine(month, clock())), now)

    scopes = {
        "all of Québec": lambda: detect_clashes(Meeting.objects.all(), since=now, until=until),
        f"{busiest.name} (busiest region)": lambda: detect_clashes(
            Meeting.objects.filter(table__region=busiest), since=now, until=until
        ),
        "calendar month (every table)": lambda: detect_clashes(
            Meeting.objects.all(),
            since=month_since(),
            until=timezone.make_aware(datetime.combine(following, clock())),
        ),
        "organisation on the most tables": lambda: organisation_clashes([organisation_id], weeks=weeks),
        "one slot (meeting form)": lambda: slot_clashes(
            table=slot.table, starts_at=slot.starts_at, ends_at=slot.ends_at, meeting_id=slot.pk
        ),
    }
    figures = {
        "database": {
            "tables": Table.objects.count(),
            "meetings": Meeting.objects.count(),
            "upcoming_meetings_in_window": Meeting.objects.filter(
                status__in=ACTIVE_STATUSES, ends_at__gt=now, starts_at__lt=until
            ).count(),
            "active_memberships": Membership.objects.active().count(),
            "meetings_added": added,
            "weeks": weeks,
        },
        "detection": {},
        "pages": {},
    }
    for label, function in scopes.items():
        count, report = queries(function)
        fastest, median = timed(function, repeat)
        figures["detection"][label] = {
            "queries": count,
            "ms_min": fastest,
            "ms_p50": median,
            "clashes": len(report.clashes),
            "groups": len(report.groups()),
            "organisations_affected": len(report.affected_organisation_ids),
        }

    admin = Client()
    admin.force_login(User.objects.get(email=DEMO_ACCOUNTS["admin"][0]))
    pages = {
        "regional view, all of Québec": reverse("tables:regional-overview", args=["quebec"]),
        f"regional view, {busiest.name}": reverse("tables:regional-overview", args=[busiest.slug]),
        "shared calendar (month)": reverse("tables:activity-calendar") + f"?month={month:%Y-%m}",
        "meeting form": reverse("tables:meeting-update", args=[slot.table.slug, slot.pk]),
    }
    for label, url in pages.items():

        def page(url=url):
            cache.clear()
            response = admin.get(url)
            assert response.status_code == 200, (url, response.status_code)

        count, _result = queries(page)
        fastest, median = timed(page, repeat)
        figures["pages"][label] = {"queries": count, "ms_min": fastest, "ms_p50": median}
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weeks", type=int, default=UPCOMING_WEEKS)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", help="Also write the figures to this file.")
    args = parser.parse_args()
    figures = measure(weeks=args.weeks, repeat=args.repeat)

    data = figures["database"]
    print(
        f"Database: {connection.vendor}; {data['tables']} tables, {data['meetings']} meetings "
        f"({data['upcoming_meetings_in_window']} planned in the coming {data['weeks']} weeks, "
        f"{data['meetings_added']} added now), {data['active_memberships']} active memberships."
    )
    print(f"{'detection':38} {'queries':>7} {'ms (min/p50)':>15} {'clashes':>8} {'organisations':>13}")
    for label, row in figures["detection"].items():
        ms = f"{row['ms_min']} / {row['ms_p50']}"
        print(f"{label:38} {row['queries']:7} {ms:>15} {row['clashes']:8} {row['organisations_affected']:13}")
    print(f"{'page (cache cleared)':38} {'queries':>7} {'ms (min/p50)':>15}")
    for label, row in figures["pages"].items():
        ms = f"{row['ms_min']} / {row['ms_p50']}"
        print(f"{label:38} {row['queries']:7} {ms:>15}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
