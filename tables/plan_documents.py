"""The action plan as documents: a PDF made by Celery, and exports to CSV and XLSX."""

import csv
import io

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import override as language_override

from concertation.queries import per_row

from .models import Action, ActionCommitment, ActionPlan, Axis, Measurement, Objective, ProgressUpdate
from .permissions import can_view_plan
from .plan_progress import plan_view
from .services.documents import DocumentKind, register_kind


def _fingerprint(plan: ActionPlan) -> tuple:
    """What the plan's documents show, read in one query."""
    return (
        plan.updated_at.isoformat(),
        plan.status,
        *ActionPlan.objects.filter(pk=plan.pk)
        .annotate(
            actions=per_row(Action.objects.all(), "objective__axis__plan", Count("pk")),
            actions_changed=per_row(Action.objects.all(), "objective__axis__plan", Max("updated_at")),
            commitments=per_row(ActionCommitment.objects.all(), "action__objective__axis__plan", Count("pk")),
            commitments_changed=per_row(
                ActionCommitment.objects.all(), "action__objective__axis__plan", Max("stated_at")
            ),
            updates=per_row(ProgressUpdate.objects.all(), "action__objective__axis__plan", Count("pk")),
            measurements=per_row(Measurement.objects.all(), "indicator__objective__axis__plan", Count("pk")),
            last_measurement=per_row(
                Measurement.objects.all(), "indicator__objective__axis__plan", Max("pk")
            ),
            axis_count=per_row(Axis.objects.all(), "plan", Count("pk")),
            objective_count=per_row(Objective.objects.all(), "axis__plan", Count("pk")),
        )
        .values_list(
            "actions",
            "actions_changed",
            "commitments",
            "commitments_changed",
            "updates",
            "measurements",
            "last_measurement",
            "axis_count",
            "objective_count",
        )
        .get(),
    )


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
                    action.starts.isoformat() if action.starts else "",
                    action.ends.isoformat() if action.ends else "",
                    action.budget if action.budget is not None else "",
                    str(action.get_status_display()),
                    action.progress,
                    _("yes") if action.is_late else "",
                ]


def render_csv(context: dict, language: str) -> tuple[bytes, None]:
    with language_override(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([str(column) for column in COLUMNS])
        writer.writerows([str(value) for value in row] for row in _rows(context))
    # A byte-order mark so that Excel opens the accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), None


def render_xlsx(context: dict, language: str) -> tuple[bytes, None]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    with language_override(language):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Action plan")[:31]
        sheet.append([str(column) for column in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in _rows(context):
            sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
        for letter, width in zip(
            "ABCDEFGHIJKLM", (28, 32, 18, 8, 40, 30, 40, 11, 11, 12, 14, 10, 8), strict=True
        ):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue(), None


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
