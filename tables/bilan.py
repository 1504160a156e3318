"""The annual bilan: its charts (the same SVG in the page and in the PDF) and its PDF."""

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.documents.charts import bar_chart, hbar_chart
from members.formatting import percent

from .assessment import LABELS
from .indicators import process_indicators
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Bilan,
    FollowUp,
    Meeting,
    Resolution,
)
from .permissions import can_read_bilans
from .services.documents import DocumentKind, register_kind

# Sections other apps add to the bilan (funded joint projects …): a function
# (bilan) -> {"template": ..., "context": {...}} or None.
BILAN_SECTIONS = []


def register_bilan_section(function):
    BILAN_SECTIONS.append(function)
    return function


def bilan_charts(result) -> dict:
    charts = {
        "attendance": bar_chart(
            [(row.meeting.date.strftime("%m-%d"), row.attendance_rate) for row in result.meetings],
            title=_("Attendance rate per meeting"),
            description=_("Share of the member organisations called that were present, one bar per meeting."),
            chart_id="chart-attendance",
        ),
        # Sectors' names are long ("Public institution: …" three times): horizontal bars.
        "sectors": hbar_chart(
            [(label, rate, None) for label, _invited, _present, rate in result.by_sector],
            title=_("Attendance rate per sector"),
            description=_("Share of the meetings each sector's members attended."),
            chart_id="chart-sectors",
            format_value=percent,
            max_value=100,
        ),
        "ownership": bar_chart(
            [
                (meeting.date.strftime("%m-%d"), share.item_share if share else None)
                for meeting, share in result.ownership_by_meeting
            ],
            title=_("Share of agenda items proposed by members"),
            description=_("One bar per meeting."),
            chart_id="chart-ownership",
        ),
        "density": bar_chart(
            [(str(year), rate) for year, _pairs, _possible, rate in result.density],
            title=_("Partnership density"),
            description=_(
                "Pairs of member organisations working together, out of all possible pairs, per year."
            ),
            chart_id="chart-density",
        ),
    }
    if result.assessment_scores:
        charts["assessment"] = bar_chart(
            [
                (str(index), average)
                for index, (_code, average, _n) in enumerate(result.assessment_scores, start=1)
            ],
            title=_("Self-assessment: average rating of each condition"),
            description=_(
                "From 1 (strongly disagree) to 5 (strongly agree); numbered as in the table below."
            ),
            max_value=5,
            unit="",
            chart_id="chart-assessment",
        )
    return charts


def _gather(bilan: Bilan) -> dict:
    result = process_indicators(bilan.table, bilan.starts, bilan.ends)
    resolutions = list(
        Resolution.objects.filter(meeting__in=[row.meeting for row in result.meetings])
        .select_related("meeting", "proposed_by__organisation", "seconded_by__organisation")
        .order_by("number")
    )
    sections = [section for function in BILAN_SECTIONS if (section := function(bilan))]
    return {
        "bilan": bilan,
        "table": bilan.table,
        "result": result,
        "charts": bilan_charts(result),
        "labels": LABELS,
        "resolutions": resolutions,
        "sections": sections,
    }


def _fingerprint(bilan: Bilan) -> tuple:
    table = bilan.table
    meetings = Meeting.objects.filter(table=table, starts_at__date__range=(bilan.starts, bilan.ends))
    return (
        bilan.updated_at.isoformat(),
        tuple(meetings.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(
            Attendance.objects.filter(meeting__in=meetings).aggregate(n=Count("pk"), last=Max("pk")).values()
        ),
        tuple(
            AgendaItem.objects.filter(meeting__in=meetings)
            .aggregate(n=Count("pk"), last=Max("updated_at"))
            .values()
        ),
        tuple(
            Resolution.objects.filter(meeting__in=meetings)
            .aggregate(n=Count("pk"), last=Max("updated_at"))
            .values()
        ),
        tuple(FollowUp.objects.filter(table=table).aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(
            Action.objects.filter(objective__axis__plan__table=table)
            .aggregate(n=Count("pk"), last=Max("updated_at"))
            .values()
        ),
        tuple(table.assessments.aggregate(n=Count("answers")).values()),
    )


register_kind(
    DocumentKind(
        code="bilan",
        label=gettext_lazy("Annual report"),
        model=Bilan,
        template="tables/pdf/bilan.html",
        gather=_gather,
        fingerprint=_fingerprint,
        can_download=lambda user, bilan: can_read_bilans(user, bilan.table),
        file_stems={"fr": "bilan", "en": "annual-report"},
        related=("table", "agreement"),
    )
)
