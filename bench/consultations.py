"""Closing a consultation of 50 member organisations, as the coordination does: an opinion
round and an electronic vote, each answered by every organisation, then closed (results
computed, the vote recorded in the register, everyone consulted told). Prints JSON.

Runs on the benchmark database as the seeding left it, in a table of its own that it
removes afterwards."""

import json
import os
import time
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"

import django

django.setup()

import logging  # noqa: E402

logging.disable(logging.WARNING)

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from members.models import Delegation, Organisation, Region, User  # noqa: E402
from tables import services  # noqa: E402
from tables.models import Consultation, GovernanceRules, Membership, Table  # noqa: E402

ORGANISATIONS = 50
SLUG = "bench-consultations"


def build():
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create(email="bench@example.org")
    table = Table.objects.create(
        name="Bench: consultations",
        slug=SLUG,
        kind="thematic",
        scope="multisectoral",
        theme="immigration",
        region=Region.objects.order_by("pk").first(),
    )
    GovernanceRules.objects.create(
        table=table,
        version=1,
        effective_from=timezone.localdate() - timedelta(days=30),
        e_votes_allowed=True,
        e_vote_min_days=1,
    )
    seats = []
    for n in range(ORGANISATIONS):
        organisation = Organisation.objects.create(name=f"Bench organisation {n}", sector="community")
        membership = Membership.objects.create(
            table=table, organisation=organisation, joined=date(2020, 1, 1)
        )
        for role in ("delegate", "substitute"):
            person = User.objects.create(email=f"bench-consultation-{n}-{role}@example.org")
            Delegation.objects.create(membership=membership, person=person, role=role, start=date(2020, 1, 1))
            if role == "delegate":
                seats.append((membership, person))
    return table, admin, seats


def timed_close(consultation, admin):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        services.consultation_close(consultation=consultation, by=admin)
        elapsed = time.perf_counter() - started
    return round(elapsed * 1000, 1), len(queries.captured_queries)


def clean_up():
    with transaction.atomic():
        Table.objects.filter(slug=SLUG).delete()
        Organisation.objects.filter(name__startswith="Bench organisation ").delete()
        User.objects.filter(email__startswith="bench-consultation-").delete()


def main():
    clean_up()
    table, admin, seats = build()
    now = timezone.now()
    times = {}
    try:
        for kind in (Consultation.Kind.AVIS, Consultation.Kind.VOTE):
            consultation = services.consultation_open(
                table=table,
                by=admin,
                kind=kind,
                title=f"Bench {kind}",
                text="Que la Table appuie la démarche.",
                opens_at=now - timedelta(days=2),
                closes_at=now + timedelta(days=5),
            )
            for membership, person in seats:
                if kind == Consultation.Kind.VOTE:
                    services.consultation_vote(
                        consultation=consultation, membership=membership, by=person, vote="for"
                    )
                else:
                    services.consultation_answer(
                        consultation=consultation, membership=membership, by=person, comment="D'accord."
                    )
            times[kind] = timed_close(consultation, admin)
    finally:
        clean_up()
    print(
        json.dumps(
            {
                "organisations": ORGANISATIONS,
                "people_told": 2 * ORGANISATIONS,
                "close_avis_ms": times["avis"][0],
                "close_avis_queries": times["avis"][1],
                "close_vote_ms": times["vote"][0],
                "close_vote_queries": times["vote"][1],
            }
        )
    )


if __name__ == "__main__":
    main()
