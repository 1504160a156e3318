"""Progress and final reports of a funded project, written by the lead."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding import services as funding_services
from funding.forms import ReportForm
from funding.models import Report

from ..models import Partnership
from ..permissions import can_report
from ..services import EditConflict
from .common import add_service_errors, get_project, rebased


@require_http_methods(["GET", "POST"])
def report_update(request, pk, report):
    project = get_project(request, pk)
    application = project.application
    if application is None or not application.is_committed:
        raise Http404
    report = get_object_or_404(Report.objects.filter(application=application), pk=report)
    report.application = application
    writable = report.is_open and can_report(request.user, project)
    indicators = list(project.indicators.all())
    partnerships = list(
        Partnership.objects.confirmed().filter(project=project).select_related("organisation")
    )
    values = {v.indicator_id: v for v in report.indicator_values.all()}
    delivered = {c.partnership_id: c for c in report.contributions.all()}
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
        },
    )
