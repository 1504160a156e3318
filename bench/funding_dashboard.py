"""Query count and server time of the funding dashboard at 1x and 10x data, and the time
to make a letter of decision.

    DATABASE_URL=postgres://… python -m bench.funding_dashboard [--repeat 30] [--json out.json]

Works in a scratch database (test_<name>, created and dropped here), so it never touches
the demo data. 1x is about what one table holds after two calls: 2 calls of 8
applications with their partners, reviews' outcomes, schedules and reports; 10x is 20
calls and 160 applications. Times are measured in-process with Django's test client:
the server's time without the network.
"""

import argparse
import gc
import json
import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

CALLS_PER_UNIT = 2
APPLICATIONS_PER_CALL = 8


class Builder:
    """Rows as the services would leave them, written directly for speed."""

    def __init__(self, seed=2026):
        from funding.models import Funder
        from members.models import Organisation, Sector, User
        from members.regions import ensure_regions
        from tables.models import Coordinator, Membership, Table

        self.rng = random.Random(seed)
        self.regions = list(ensure_regions().values())
        self.table = Table.objects.create(
            name="Table de banc d'essai",
            slug="banc-essai",
            kind="thematic",
            scope="multisectoral",
            theme="immigration",
            region=self.regions[2],
        )
        sectors = list(Sector.values)
        self.organisations = [
            Organisation.objects.create(
                name=f"Organisme {i}",
                slug=f"organisme-{i}",
                sector=sectors[i % len(sectors)],
                region=self.regions[2],
            )
            for i in range(60)
        ]
        for organisation in self.organisations:
            Membership.objects.create(table=self.table, organisation=organisation)
        self.funders = [
            Funder.objects.create(organisation=organisation, kind="ministry")
            for organisation in self.organisations[:3]
        ]
        self.coordinator = User.objects.create_user("coordination@banc.essai", "x")
        Coordinator.objects.create(table=self.table, person=self.coordinator)
        self.calls = 0

    def call(self):
        from funding.models import CallFunder, Criterion, FundingCall

        self.calls += 1
        now = timezone.now()
        call = FundingCall.objects.create(
            table=self.table,
            title=f"Appel {self.calls}",
            description="Banc d'essai",
            envelope=Decimal("400000"),
            opens_at=now - timedelta(days=400 - self.calls),
            closes_at=now - timedelta(days=300 - self.calls),
            published_at=now - timedelta(days=400),
        )
        for funder in self.funders:
            CallFunder.objects.create(call=call, funder=funder, amount=call.envelope / 3)
        Criterion.objects.create(call=call, title="Partenariat", weight=60)
        Criterion.objects.create(call=call, title="Effets", weight=40)
        self.last_call = call
        return call

    def application(self, call, status):
        from funding.models import Application, Report, ReportContribution, Tranche
        from projects.models import BudgetLine, Partnership, Project

        lead, *partners = self.rng.sample(self.organisations[3:], 4)
        project = Project.objects.create(
            table=self.table, lead=lead, title=f"Projet {call.pk}-{self.rng.random():.6f}"
        )
        project.regions.set(self.rng.sample(self.regions, 2))
        application = Application.objects.create(
            call=call,
            project=project,
            status=status,
            requested_amount=Decimal("45000"),
            submitted_at=timezone.now(),
        )
        rows = []
        for partner in partners[: self.rng.choice((2, 3))]:
            rows.append(
                Partnership(
                    project=project,
                    organisation=partner,
                    status="confirmed",
                    cash=Decimal(self.rng.choice((0, 2000, 5000))),
                    in_kind=Decimal(self.rng.choice((4000, 8000, 12000))),
                    in_kind_description="Temps",
                    answered_at=timezone.now(),
                )
            )
        partnerships = Partnership.objects.bulk_create(rows)
        BudgetLine.objects.create(
            project=project,
            organisation=lead,
            category="staff",
            description="Coordination",
            source="requested",
            amount=Decimal("45000"),
        )
        if status in {"funded", "in_progress", "closed"}:
            Application.objects.filter(pk=application.pk).update(
                awarded_amount=Decimal("40000"), decided_at=timezone.now()
            )
            today = timezone.localdate()
            progress = Report.objects.create(
                application=application,
                kind="progress",
                number=1,
                due_on=today - timedelta(days=self.rng.choice((10, 90))),
                status=self.rng.choice(("expected", "accepted")),
            )
            Report.objects.create(
                application=application, kind="final", number=2, due_on=today + timedelta(days=200)
            )
            Tranche.objects.create(
                application=application,
                number=1,
                amount=Decimal("20000"),
                planned_on=today,
                released_at=timezone.now(),
            )
            Tranche.objects.create(
                application=application, number=2, amount=Decimal("20000"), planned_on=today, report=progress
            )
            for partnership in partnerships:
                ReportContribution.objects.create(
                    report=progress,
                    partnership=partnership,
                    cash=partnership.cash / 2,
                    in_kind=partnership.in_kind / 2,
                )
        return application

    def unit(self):
        for _ in range(CALLS_PER_UNIT):
            call = self.call()
            for status in [
                "funded",
                "funded",
                "in_progress",
                "closed",
                "refused",
                "refused",
                "in_review",
                "submitted",
            ]:
                self.application(call, status)


def measure(client, url, repeat):
    for _ in range(2):
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries.captured_queries)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "queries": count,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
    }


def letter_times(builder, renders=5):
    """Gather and render times of a letter of decision, made by the pipeline's own code."""
    from funding.documents import DECISION_LETTER
    from funding.models import Application
    from tables.models import Document
    from tables.services import documents

    application = Application.objects.filter(call__table=builder.table, status="funded").first()
    results = []
    for index in range(renders):
        Document.objects.filter(kind=DECISION_LETTER).delete()
        Application.objects.filter(pk=application.pk).update(conditions=f"Conditions {index}")
        application.refresh_from_db()
        document = documents.document_render(
            documents.document_request(source=application, kind=DECISION_LETTER, language="fr-ca")
        )
        results.append((document.gather_ms, document.render_ms, document.pages))
    return {
        "gather_ms": statistics.median(r[0] for r in results),
        "render_ms": statistics.median(r[1] for r in results),
        "pages": results[0][2],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        builder = Builder()
        staff_user = __import__("members.models", fromlist=["User"]).User.objects.create_user(
            "bailleur@banc.essai", "x"
        )
        from funding.models import FunderStaff

        FunderStaff.objects.create(funder=builder.funders[0], person=staff_user, role="manager")
        pages = [
            ("trivial view (/healthz/)", builder.coordinator, reverse("healthz")),
            ("dashboard, all calls", builder.coordinator, reverse("funding:dashboard")),
            (
                "dashboard, one funder",
                staff_user,
                reverse("funding:dashboard") + f"?funder={builder.funders[0].pk}",
            ),
            ("CSV export", builder.coordinator, reverse("funding:dashboard-export") + "?format=csv"),
            ("call's applications", builder.coordinator, None),
        ]
        clients = {}
        results = {}
        for size in (1, args.scale):
            while builder.calls < size * CALLS_PER_UNIT:
                builder.unit()
            # As each gunicorn worker does once loaded (concertation/wsgi.py).
            gc.collect()
            gc.freeze()
            for name, user, url in pages:
                # The latest call's management page: its size does not grow with the others.
                url = url or reverse("funding:call-manage", args=[builder.last_call.pk])
                client = clients.get(user.pk)
                if client is None:
                    client = clients[user.pk] = Client()
                    client.force_login(user)
                results[(name, size)] = measure(client, url, args.repeat)
        letter = letter_times(builder)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"database: {connection.vendor}; {APPLICATIONS_PER_CALL * CALLS_PER_UNIT} applications per unit")
    print(f"{'page':26} {'size':>5} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for (name, size), row in results.items():
        print(f"{name:26} {str(size) + 'x':>5} {row['queries']:8} {row['p50_ms']:8} {row['p95_ms']:8}")
    print(
        f"letter of decision: gather {letter['gather_ms']} ms, render {letter['render_ms']} ms, "
        f"{letter['pages']} pages"
    )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {
                    "database": connection.vendor,
                    "pages": [{"page": n, "size": s, **r} for (n, s), r in results.items()],
                    "letter": letter,
                },
                handle,
                indent=2,
            )


if __name__ == "__main__":
    main()
