"""The funding area's generated documents, made by the shared Celery pipeline
(tables.services.documents): the letter of decision sent to a project's lead and
partners, and the summary of a call or of everything a funder pays into.

Registered on import (FundingConfig.ready), in the web process and in workers.
"""

from types import SimpleNamespace

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Partnership
from projects.permissions import can_view_project
from tables.services.documents import DocumentKind, register_kind

from .dashboard import build_dashboard
from .models import DECIDED, Application, AuditEntry, Funder, FundingCall, Report, Tranche
from .permissions import (
    can_download_call_summary,
    can_download_funder_summary,
    can_manage_call,
)
from .presentation import dashboard_charts

DECISION_LETTER = "decision_letter"
CALL_SUMMARY = "call_summary"
FUNDER_SUMMARY = "funder_summary"


# The letter of decision ----------------------------------------------------------------------


def can_download_letter(user, application: Application) -> bool:
    if application.status not in DECIDED:
        return False
    return can_manage_call(user, application.call) or can_view_project(user, application.project)


def _letter_fingerprint(application: Application) -> tuple:
    partners = Partnership.objects.filter(project_id=application.project_id).aggregate(
        count=Count("pk"), changed=Max("updated_at")
    )
    tranches = Tranche.objects.filter(application=application).aggregate(
        count=Count("pk"), total=Sum("amount"), latest=Max("planned_on")
    )
    reports = Report.objects.filter(application=application).aggregate(
        latest=Max("due_on"), count=Count("pk")
    )
    return (
        application.updated_at,
        application.status,
        application.project.updated_at,
        application.call.updated_at,
        application.call.table.updated_at,
        application.call.table.logo.name,
        partners,
        tranches,
        reports,
    )


def _letter_context(application: Application) -> dict:
    call = application.call
    project = application.project
    partners = list(
        Partnership.objects.confirmed()
        .filter(project=project)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    decided = (
        AuditEntry.objects.filter(application=application, action=AuditEntry.Action.DECIDED)
        .select_related("actor")
        .order_by("-created_at")
        .first()
    )
    return {
        "table": call.table,
        "call": call,
        "application": application,
        "project": project,
        "lead": project.lead,
        "partners": partners,
        "funders": list(call.shares.select_related("funder__organisation")),
        "tranches": list(application.tranches.select_related("report").order_by("number")),
        "reports": list(application.reports.order_by("due_on")),
        "signed_by": decided.actor if decided else application.decided_by,
        "coordinators": [c.person for c in call.table.coordinators.select_related("person")],
        "funded": application.is_committed,
    }


register_kind(
    DocumentKind(
        code=DECISION_LETTER,
        label=_("Letter of decision"),
        model=Application,
        template="funding/pdf/decision_letter.html",
        gather=_letter_context,
        fingerprint=_letter_fingerprint,
        can_download=can_download_letter,
        file_stems={"fr": "lettre-de-decision", "en": "decision-letter"},
        file_date=lambda application: timezone.localtime(application.decided_at or timezone.now()).date(),
        related=("call__table", "project__lead", "resolution", "decided_by"),
    )
)


# Summaries ------------------------------------------------------------------------------------


def _summary_fingerprint(calls) -> tuple:
    applications = Application.objects.filter(call__in=calls).aggregate(
        count=Count("pk"), changed=Max("updated_at"), awarded=Sum("awarded_amount")
    )
    partners = Partnership.objects.filter(project__applications__call__in=calls).aggregate(
        count=Count("pk"), changed=Max("updated_at")
    )
    reports = Report.objects.filter(application__call__in=calls).aggregate(
        changed=Max("updated_at"), count=Count("pk")
    )
    tranches = Tranche.objects.filter(application__call__in=calls, released_at__isnull=False).aggregate(
        count=Count("pk"), released=Max("released_at")
    )
    calls_state = calls.aggregate(count=Count("pk"), changed=Max("updated_at"), envelope=Sum("envelope"))
    # Late reports change with the date alone.
    return (timezone.localdate(), calls_state, applications, partners, reports, tranches)


def _summary_context(calls, *, title, funder=None, table=None) -> dict:
    dashboard = build_dashboard(calls, funder=funder)
    return {
        "table": table,
        "title": title,
        "funder": funder,
        "dashboard": dashboard,
        "charts": dashboard_charts(dashboard),
    }


def _call_summary_context(call: FundingCall) -> dict:
    return _summary_context(FundingCall.objects.filter(pk=call.pk), title=call.title, table=call.table)


def _funder_calls(funder: Funder):
    return FundingCall.objects.filter(shares__funder=funder)


def _funder_summary_context(funder: Funder) -> dict:
    # The page header names the table; a funder's summary spans tables, so it names the funder.
    heading = SimpleNamespace(name=funder.organisation.name, logo=None)
    return _summary_context(_funder_calls(funder), title=str(funder), funder=funder, table=heading)


register_kind(
    DocumentKind(
        code=CALL_SUMMARY,
        label=_("Summary of the call"),
        model=FundingCall,
        template="funding/pdf/summary.html",
        gather=_call_summary_context,
        fingerprint=lambda call: (
            call.updated_at,
            _summary_fingerprint(FundingCall.objects.filter(pk=call.pk)),
        ),
        can_download=can_download_call_summary,
        file_stems={"fr": "bilan-appel-de-projets", "en": "call-summary"},
        related=("table",),
        layout=("tables/pdf/base.html", "funding/pdf/_summary_body.html"),
    )
)
register_kind(
    DocumentKind(
        code=FUNDER_SUMMARY,
        label=_("Summary of the funder's calls"),
        model=Funder,
        template="funding/pdf/summary.html",
        gather=_funder_summary_context,
        fingerprint=lambda funder: _summary_fingerprint(_funder_calls(funder)),
        can_download=can_download_funder_summary,
        file_stems={"fr": "bilan-bailleur", "en": "funder-summary"},
        related=("organisation",),
        layout=("tables/pdf/base.html", "funding/pdf/_summary_body.html"),
    )
)
