"""Following a funded project: reports received, tranches released, the schedule."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.models import Partnership

from .. import services
from ..forms import NoteForm, TrancheFormSet
from ..models import AuditEntry, Report, Tranche
from ..permissions import can_decide, can_manage_call
from .common import get_application, get_call


def _committed(call, pk):
    application = get_application(call, pk)
    if not application.is_committed:
        raise Http404
    return application


@login_required
@require_GET
def application_followup(request, pk, application):
    call = get_call(request, pk, check=can_manage_call)
    application = _committed(call, application)
    reports = list(
        Report.objects.filter(application=application)
        .prefetch_related("indicator_values__indicator", "contributions__partnership__organisation")
        .order_by("due_on")
    )
    partnerships = list(
        Partnership.objects.confirmed().filter(project=application.project).select_related("organisation")
    )
    delivered = {}
    for report in reports:
        for contribution in report.contributions.all():
            row = delivered.setdefault(contribution.partnership_id, [0, 0])
            row[0] += contribution.cash
            row[1] += contribution.in_kind
    for partnership in partnerships:
        partnership.delivered_cash, partnership.delivered_in_kind = delivered.get(partnership.pk, (0, 0))
    tranches = list(
        Tranche.objects.filter(application=application).select_related("report").order_by("number")
    )
    return render(
        request,
        "funding/application_followup.html",
        {
            "call": call,
            "table": call.table,
            "application": application,
            "project": application.project,
            "reports": reports,
            "tranches": tranches,
            "partnerships": partnerships,
            "released": sum((t.amount for t in tranches if t.is_released), 0),
            "can_act": can_decide(request.user, call),
            "return_form": NoteForm(),
            "history": AuditEntry.objects.filter(
                application=application,
                action__in=[
                    AuditEntry.Action.REPORT_SUBMITTED,
                    AuditEntry.Action.REPORT_ACCEPTED,
                    AuditEntry.Action.TRANCHE_RELEASED,
                    AuditEntry.Action.SCHEDULE_CHANGED,
                    AuditEntry.Action.DECIDED,
                ],
            ).select_related("actor"),
        },
    )


def _back(call, application):
    return redirect("funding:application-followup", pk=call.pk, application=application.pk)


@login_required
@require_POST
def report_accept(request, pk, application, report):
    call = get_call(request, pk, check=can_decide)
    application = _committed(call, application)
    report = get_object_or_404(Report.objects.filter(application=application), pk=report)
    report.application = application
    try:
        services.report_accept(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is accepted; the tranche it releases can be paid."))
    return _back(call, application)


@login_required
@require_POST
def report_return(request, pk, application, report):
    call = get_call(request, pk, check=can_decide)
    application = _committed(call, application)
    report = get_object_or_404(Report.objects.filter(application=application), pk=report)
    report.application = application
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what to complete."))
        return _back(call, application)
    try:
        services.report_return(report=report, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is sent back to the lead."))
    return _back(call, application)


@login_required
@require_POST
def tranche_release(request, pk, application, tranche):
    call = get_call(request, pk, check=can_decide)
    application = _committed(call, application)
    tranche = get_object_or_404(Tranche.objects.filter(application=application), pk=tranche)
    tranche.application = application
    try:
        services.tranche_release(tranche=tranche, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The tranche is recorded as released."))
    return _back(call, application)


@login_required
@require_http_methods(["GET", "POST"])
def application_schedule(request, pk, application):
    call = get_call(request, pk, check=can_decide)
    application = _committed(call, application)
    reports = Report.objects.filter(application=application).order_by("due_on")
    tranches = list(Tranche.objects.filter(application=application).order_by("number"))
    initial = [
        {"id": t.pk, "amount": t.amount, "planned_on": t.planned_on, "report": t.report_id} for t in tranches
    ]
    formset = TrancheFormSet(request.POST or None, initial=initial, reports=reports, prefix="tranches")
    if request.method == "POST" and formset.is_valid():
        try:
            services.schedule_update(
                application=application,
                by=request.user,
                tranches=[form.cleaned_data for form in formset.forms],
            )
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages, renderer=formset.renderer)
        else:
            messages.success(request, _("The schedule was saved."))
            return _back(call, application)
    released = {t.pk for t in tranches if t.is_released}
    return render(
        request,
        "funding/application_schedule.html",
        {
            "call": call,
            "table": call.table,
            "application": application,
            "formset": formset,
            "released": released,
        },
    )
