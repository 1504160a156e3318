"""Process indicators, self-assessments and bilans."""

from datetime import date, timedelta

from django.utils import timezone

from tables.models import Bilan, SelfAssessment

from . import LOGIN, MANAGE_A, Case, roles

# The table's insiders, admins, and funder staff for a table they can see.
READERS_A = roles(404, delegate_a=200, coordinator=200, admin=200, evaluator=200)
READERS_B = roles(404, delegate_b=200, admin=200)


def a_bilan(w, table=None):
    table = table or w.table_a
    return Bilan.objects.create(table=table, title="Bilan", starts=date(2025, 1, 1), ends=date(2025, 12, 31))


def an_assessment(w):
    today = timezone.localdate()
    return SelfAssessment.objects.create(
        table=w.table_a, year=today.year, opens=today, closes=today + timedelta(days=9)
    )


CASES = [
    Case("tables:indicators", READERS_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:indicators", READERS_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:assessment-list", READERS_A, lambda w: {"slug": w.table_a.slug}),
    Case(
        "tables:assessment-answer",
        roles(404, anonymous=LOGIN, delegate_a=200, coordinator=403, admin=403, evaluator=403),
        lambda w: {"slug": w.table_a.slug, "pk": an_assessment(w).pk},
    ),
    Case("tables:bilan-list", READERS_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:bilan-create", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:bilan-detail", READERS_A, lambda w: {"slug": w.table_a.slug, "pk": a_bilan(w).pk}),
    Case(
        "tables:bilan-detail",
        READERS_B,
        lambda w: {"slug": w.table_b.slug, "pk": a_bilan(w, w.table_b).pk},
        label="private",
    ),
    Case(
        "tables:bilan-detail",
        roles(404),
        lambda w: {"slug": w.table_a.slug, "pk": a_bilan(w, w.table_b).pk},
        label="other table's bilan",
    ),
    Case("tables:bilan-update", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": a_bilan(w).pk}),
]
