"""Progress and final reports of a funded project: written by the lead; what each partner
actually provided is confirmed by the partner itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding import services as funding_services
from funding.forms import ContributionConfirmForm, ReportForm
from funding.models import Report, ReportContribution
from members.services.editing import EditConflict

from ..models import Partnership
from ..permissions import can_answer_partnership, can_report
from .common import add_service_errors, get_project, rebased


@require_http_methods(["GET", "POST"])
def _report(request, pk, report):
    project = get_project(request, pk)
    application = project.application
    if application is None or not application.is_committed:
        raise Http404
    report = get_object_or_404(Report.objects.filter(application=application), pk=report)
    report.application = application
    return project, application, report


@require_http_methods(["GET", "POST"])
def report_update(request, pk, report):
    project, application, report = _report(request, pk, report)
    writable = report.is_open and can_report(request.user, project)
    indicators = list(project.indicators.all())
    partnerships = list(
        Partnership.objects.confirmed().filter(project=project).select_related("organisation")
    )
    values = {v.indicator_id: v for v in report.indicator_values.all()}
    delivered = {c.partnership_id: c for c in report.contributions.select_related("confirmed_by")}
    conflict = None
    form = None
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = ReportForm(request.POST, indicators=indicators, partnerships=partnerships)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                funding_services.report_save(
                    report=report,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    indicator_values=form.indicator_values(),
                    contributions=form.contributions(),
                    submit=submit,
                    **{name: form.cleaned_data[name] for name in funding_services.REPORT_FIELDS},
                )
            except EditConflict as error:
                conflict = error
                form = rebased(
                    ReportForm, request.POST, error.version, indicators=indicators, partnerships=partnerships
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The report is submitted to the funders.") if submit else _("The report was saved."),
                )
                waiting = funding_services.report_unconfirmed_partners(report=report)
                if waiting:
                    messages.warning(
                        request,
                        _(
                            "Not yet confirmed by the partner itself: %(names)s. Its people were asked "
                            "to confirm; until they do, the funder reads your figures as not confirmed."
                        )
                        % {"names": ", ".join(p.organisation.short_name for p in waiting)},
                    )
                return redirect(project)
    elif writable:
        initial = {name: getattr(report, name) for name in funding_services.REPORT_FIELDS}
        initial["version"] = report.version
        for indicator_id, value in values.items():
            initial[f"value_{indicator_id}"] = value.value
            initial[f"comment_{indicator_id}"] = value.comment
        for partnership_id, contribution in delivered.items():
            initial[f"cash_{partnership_id}"] = contribution.cash
            initial[f"in_kind_{partnership_id}"] = contribution.in_kind
            initial[f"delivery_{partnership_id}"] = contribution.note
            initial[f"reason_{partnership_id}"] = contribution.reason
        form = ReportForm(initial=initial, indicators=indicators, partnerships=partnerships)
    for indicator in indicators:
        indicator.reported = values.get(indicator.pk)
    for partnership in partnerships:
        partnership.reported = delivered.get(partnership.pk)
    return render(
        request,
        "projects/report_form.html",
        {
            "project": project,
            "application": application,
            "report": report,
            "form": form,
            "conflict": conflict,
            "indicators": indicators,
            "partnerships": partnerships,
            "my_partnership_ids": project.access.partnership_ids,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_contribution(request, pk, report, partnership):
    """A partner organisation's own page for a report: what the lead wrote it provided,
    and its confirmation or correction."""
    project, application, report = _report(request, pk, report)
    partnership = get_object_or_404(
        Partnership.objects.confirmed().filter(project=project).select_related("organisation"), pk=partnership
    )
    partnership.project = project
    if not can_answer_partnership(request.user, partnership):
        raise PermissionDenied
    contribution = (
        ReportContribution.objects.filter(report=report, partnership=partnership)
        .select_related("confirmed_by")
        .first()
    )
    writable = report.status != Report.Status.ACCEPTED
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = ContributionConfirmForm(request.POST)
        if form.is_valid():
            try:
                funding_services.report_contribution_confirm(
                    report=report, partnership=partnership, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    error = ValidationError(
                        {
                            ("reason" if name.startswith("reason_") else name): errors
                            for name, errors in error.error_dict.items()
                        }
                    )
                add_service_errors(form, error)
            else:
                messages.success(request, _("What your organisation provided is confirmed."))
                return redirect(project)
    elif writable:
        form = ContributionConfirmForm(
            initial={
                "cash": contribution.cash if contribution else None,
                "in_kind": contribution.in_kind if contribution else None,
                "note": contribution.note if contribution else "",
                "reason": contribution.reason if contribution else "",
            }
        )
    else:
        form = None
    return render(
        request,
        "projects/report_contribution.html",
        {
            "project": project,
            "application": application,
            "report": report,
            "partnership": partnership,
            "contribution": contribution,
            "form": form,
        },
    )
