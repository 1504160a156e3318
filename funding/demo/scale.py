"""Funding at benchmark scale: years of partnership-only calls on every synthetic table of
`seed_demo --scale N`, with applications in every state, written in bulk.

Each synthetic table gets CALLS_PER_TABLE yearly calls (the latest one open) financed by
two funders of its unit, and APPLICATIONS_PER_CALL applications, each a joint project of
three member organisations: a lead and two confirmed partners.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members.models import Organisation
from projects.models import BudgetLine, Partnership, Project
from tables.models import Membership, Table

from ..models import Application, CallFunder, Criterion, Funder, FundingCall

CALLS_PER_TABLE = 8
APPLICATIONS_PER_CALL = 5
ENVELOPE = Decimal("300000")
REQUESTED = Decimal("45000")
CLOSED_STATUSES = ["funded", "funded", "closed", "refused", "not_recommended"]
OPEN_STATUSES = ["submitted", "in_review", "eligibility", "draft", "submitted"]


def _funders_of(unit: str) -> list[Funder]:
    """Two funders per synthetic unit: its first two organisations act as funders."""
    organisations = list(
        Organisation.objects.filter(slug__in=[f"synth-org-{unit}-1", f"synth-org-{unit}-2"]).order_by("slug")
    )
    existing = {f.organisation_id: f for f in Funder.objects.filter(organisation__in=organisations)}
    missing = [Funder(organisation=o, kind="foundation") for o in organisations if o.pk not in existing]
    return list(existing.values()) + Funder.objects.bulk_create(missing)


def seed_funding_scale(out=print) -> int:
    """Calls and applications for every synthetic table that has none yet. Returns the
    number of calls added."""
    now = timezone.now()
    tables = (
        Table.objects.filter(slug__startswith="synth-").exclude(funding_calls__isnull=False).order_by("pk")
    )
    by_unit = {}
    for table in tables:
        by_unit.setdefault(table.slug.split("-")[1], []).append(table)
    added = 0
    for unit, unit_tables in by_unit.items():
        with transaction.atomic():
            funders = _funders_of(unit)
            members = {}
            for table_id, organisation_id in Membership.objects.filter(table__in=unit_tables).values_list(
                "table_id", "organisation_id"
            ):
                members.setdefault(table_id, []).append(organisation_id)
            calls = FundingCall.objects.bulk_create(
                FundingCall(
                    table=table,
                    title=f"Appel à projets concertés {now.year - year}",
                    description="Projets portés en partenariat par les membres de la table.",
                    envelope=ENVELOPE,
                    opens_at=now - timedelta(days=365 * year + 30),
                    closes_at=now - timedelta(days=365 * year - 30),
                    published_at=now - timedelta(days=365 * year + 45),
                    min_partners=2,
                )
                for table in unit_tables
                for year in range(CALLS_PER_TABLE)
            )
            CallFunder.objects.bulk_create(
                CallFunder(call=call, funder=funder, amount=ENVELOPE / len(funders))
                for call in calls
                for funder in funders
            )
            Criterion.objects.bulk_create(
                Criterion(call=call, title=title, weight=weight)
                for call in calls
                for title, weight in (("Force du partenariat", 60), ("Effets attendus", 40))
            )
            projects, plans = [], []
            for call in calls:
                organisations = members[call.table_id]
                statuses = OPEN_STATUSES if call.closes_at > now else CLOSED_STATUSES
                for n, status in enumerate(statuses):
                    lead, *partners = (
                        organisations[(call.pk * 7 + n * 3 + k) % len(organisations)] for k in range(3)
                    )
                    projects.append(
                        Project(
                            table_id=call.table_id,
                            lead_id=lead,
                            title=f"Projet concerté {call.pk}-{n + 1}",
                            summary="Un projet porté à plusieurs organisations membres de la table.",
                        )
                    )
                    plans.append((call, status, lead, partners))
            projects = Project.objects.bulk_create(projects)
            Partnership.objects.bulk_create(
                Partnership(
                    project=project,
                    organisation_id=partner,
                    status="confirmed",
                    cash=Decimal("2000"),
                    in_kind=Decimal("8000"),
                    in_kind_description="Temps de personnel",
                    answered_at=now,
                )
                for project, (_call, _status, _lead, partners) in zip(projects, plans, strict=True)
                for partner in partners
            )
            BudgetLine.objects.bulk_create(
                BudgetLine(
                    project=project,
                    organisation_id=lead,
                    category="staff",
                    description="Coordination du projet",
                    source="requested",
                    amount=REQUESTED,
                )
                for project, (_call, _status, lead, _partners) in zip(projects, plans, strict=True)
            )
            Application.objects.bulk_create(
                Application(
                    call=call,
                    project=project,
                    status=status,
                    requested_amount=REQUESTED,
                    awarded_amount=Decimal("40000") if status in {"funded", "closed"} else None,
                    submitted_at=None if status == "draft" else call.closes_at - timedelta(days=2),
                    decided_at=call.closes_at + timedelta(days=45) if call.closes_at < now else None,
                )
                for project, (call, status, _lead, _partners) in zip(projects, plans, strict=True)
            )
            added += len(calls)
        out(f"Funding calls for synthetic unit {unit}: {len(calls)} calls, {len(projects)} applications.")
    return added
