"""The action plan as documents: a PDF made by Celery, and exports to CSV and XLSX
(dates as dates, the budget as an amount: members.documents.exports types the cells)."""

from functools import cache

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import override as language_override

from members.documents.exports import csv_bytes, money_or_none, xlsx_bytes

from .models import (
    Action,
    ActionCommitment,
    ActionPlan,
    Axis,
    Indicator,
    Measurement,
    Objective,
    ProgressUpdate,
)
from .permissions import can_view_plan
from .plan_progress import plan_view
from .services.documents import DocumentKind, register_kind


@cache
def _fingerprint_sql() -> str:
    names = {
        model.__name__.lower(): model._meta.db_table
        for model in (Axis, Objective, Action, ActionCommitment, ProgressUpdate, Indicator, Measurement)
    }
    return """
        WITH axes AS (SELECT id FROM {axis} WHERE plan_id = %s),
        objectives AS (SELECT id FROM {objective} WHERE axis_id IN (SELECT id FROM axes)),
        actions AS (SELECT id, updated_at FROM {action} WHERE objective_id IN (SELECT id FROM objectives)),
        commitments AS (
            SELECT stated_at FROM {actioncommitment} WHERE action_id IN (SELECT id FROM actions)
        ),
        measurements AS (
            SELECT id FROM {measurement} WHERE indicator_id IN (
                SELECT id FROM {indicator} WHERE objective_id IN (SELECT id FROM objectives)
            )
        )
        SELECT
            (SELECT COUNT(*) FROM actions), (SELECT MAX(updated_at) FROM actions),
            (SELECT COUNT(*) FROM commitments), (SELECT MAX(stated_at) FROM commitments),
            (SELECT COUNT(*) FROM {progressupdate} WHERE action_id IN (SELECT id FROM actions)),
            (SELECT COUNT(*) FROM measurements), (SELECT MAX(id) FROM measurements),
            (SELECT COUNT(*) FROM axes), (SELECT COUNT(*) FROM objectives)
    """.format(**names)


def _fingerprint(plan: ActionPlan) -> tuple:
    """What the plan's documents show: its actions, commitments, progress reports,
    measurements and structure, counted in one query. Written in SQL: the ORM took 7 ms to
    build the same nine subqueries on every view of the plan page."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), [plan.pk])
        return (plan.updated_at.isoformat(), plan.status, *map(str, cursor.fetchone()))


def _gather(plan: ActionPlan) -> dict:
    view = plan_view(plan)
    return {"plan": plan, "table": plan.table, "view": view, "axes": view.axes}


COLUMNS = [
    gettext_lazy("Axis"),
    gettext_lazy("Objective"),
    gettext_lazy("Origin"),
    gettext_lazy("Number"),
    gettext_lazy("Action"),
    gettext_lazy("Lead organisation"),
    gettext_lazy("Partners (commitment level)"),
    gettext_lazy("Start"),
    gettext_lazy("End"),
    gettext_lazy("Budget ($)"),
    gettext_lazy("Status"),
    gettext_lazy("Progress (%)"),
    gettext_lazy("Late"),
]


def _rows(context):
    for axis in context["axes"]:
        for objective in axis.objectives.all():
            for action in objective.listed:
                partners = "; ".join(
                    f"{c.organisation.short_name} ({c.get_level_display() or c.get_role_display()})"
                    for c in action.commitments.all()
                    if c.role == ActionCommitment.Role.PARTNER
                )
                yield [
                    f"{axis.number}. {axis.title}",
                    f"{objective.number} {objective.title}",
                    str(objective.get_origin_display()),
                    action.number,
                    action.title,
                    action.lead.name if action.lead else "",
                    partners,
                    action.starts,
                    action.ends,
                    money_or_none(action.budget),
                    str(action.get_status_display()),
                    action.progress,
                    _("yes") if action.is_late else "",
                ]


def render_csv(context: dict, language: str) -> tuple[bytes, None]:
    with language_override(language):
        content = csv_bytes(COLUMNS, _rows(context))
    return content, None


def render_xlsx(context: dict, language: str) -> tuple[bytes, None]:
    with language_override(language):
        content = xlsx_bytes(
            COLUMNS,
            _rows(context),
            sheet_title=_("Action plan"),
            column_widths=(28, 32, 18, 8, 40, 30, 40, 11, 11, 12, 14, 10, 8),
            wrap_header=True,
        )
    return content, None


COMMON = {
    "model": ActionPlan,
    "gather": _gather,
    "fingerprint": _fingerprint,
    "can_download": can_view_plan,
    "related": ("table", "agreement"),
    "template": "tables/pdf/plan.html",
    "file_date": None,
}

register_kind(
    DocumentKind(
        code="plan",
        label=gettext_lazy("Action plan"),
        file_stems={"fr": "plan-d-action", "en": "action-plan"},
        **COMMON,
    )
)
register_kind(
    DocumentKind(
        code="plan_xlsx",
        label=gettext_lazy("Action plan (spreadsheet)"),
        file_stems={"fr": "plan-d-action", "en": "action-plan"},
        render=render_xlsx,
        extension="xlsx",
        **COMMON,
    )
)
register_kind(
    DocumentKind(
        code="plan_csv",
        label=gettext_lazy("Action plan (CSV)"),
        file_stems={"fr": "plan-d-action", "en": "action-plan"},
        render=render_csv,
        extension="csv",
        **COMMON,
    )
)
