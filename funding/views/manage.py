"""The managers' side of a call: its applications, eligibility, review progress and
conflicts; reviewers; one application in full; the committee's decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.budget import budget_totals
from projects.models import BudgetLine, Partnership
from projects.views.common import add_service_errors

from .. import services
from ..assignments import overdue_assignments
from ..forms import DecisionForm, ReviewerForm, TransitionForm
from ..models import Actor, Application, AuditEntry, Reviewer, Status
from ..permissions import can_decide, can_manage_call
from ..selectors import review_board
from .common import get_application, get_call


@login_required
@require_GET
def call_manage(request, pk):
    """The coordination's view of a call: every application with its status, eligibility,
    review progress and conflicts of interest."""
    call = get_call(request, pk, check=can_manage_call)
    rows = review_board(call)
    committed = Application.objects.filter(call=call).committed_total()
    drafts = Application.objects.filter(call=call, status=Status.DRAFT).count()
    statuses = {}
    for row in rows:
        statuses[row.application.status] = statuses.get(row.application.status, 0) + 1
    return render(
        request,
        "funding/call_manage.html",
        {
            "call": call,
            "table": call.table,
            "rows": rows,
            "reviewers": list(Reviewer.objects.filter(call=call).select_related("person", "organisation")),
            "committed": committed,
            "available": call.envelope - committed,
            "drafts": drafts,
            "statuses": [(Status(code).label, statuses[code]) for code in Status.values if code in statuses],
            "can_decide": can_decide(request.user, call),
            "overdue_reviews": overdue_assignments(call).count(),
            "audit": AuditEntry.objects.filter(call=call, application__isnull=True)
            .select_related("actor")
            .order_by("-created_at")[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_reviewers(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    form = ReviewerForm(request.POST or None, candidates=services.reviewer_candidates(call))
    if request.method == "POST" and form.is_valid():
        try:
            reviewer = services.reviewer_add(call=call, person=form.cleaned_data["person"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is named reviewer of this call.") % {"name": reviewer.person.display_name},
            )
            return redirect("funding:call-reviewers", pk=call.pk)
    return render(
        request,
        "funding/call_reviewers.html",
        {
            "call": call,
            "table": call.table,
            "form": form,
            "reviewers": Reviewer.objects.filter(call=call).select_related("person", "organisation"),
        },
    )


@login_required
@require_POST
def reviewer_remove(request, pk, reviewer):
    call = get_call(request, pk, check=can_manage_call)
    reviewer = get_object_or_404(Reviewer.objects.filter(call=call).select_related("person"), pk=reviewer)
    try:
        services.reviewer_remove(reviewer=reviewer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The reviewer was removed."))
    return redirect("funding:call-reviewers", pk=call.pk)


def _manager_choices(application, user) -> list[tuple[str, str]]:
    """The statuses the managers may move this application to (decisions aside)."""
    if not can_manage_call(user, application.call):
        return []
    return [(code, Status(code).label) for code in application.next_statuses(Actor.MANAGER)]


@login_required
@require_GET
def application_detail(request, pk, application):
    call = get_call(request, pk, check=can_manage_call)
    application = get_application(call, application)
    project = application.project
    version = application.versions.order_by("-number").first()
    board = [row for row in review_board(call) if row.application.pk == application.pk]
    lines = BudgetLine.objects.filter(project=project).select_related("organisation")
    choices = _manager_choices(application, request.user)
    form = TransitionForm()
    form.fields["to"].choices = choices
    return render(
        request,
        "funding/application_detail.html",
        {
            "call": call,
            "table": call.table,
            "application": application,
            "project": project,
            "version": version,
            "data": version.data if version else None,
            "row": board[0] if board else None,
            "totals": budget_totals(lines),
            "partnerships": Partnership.objects.filter(project=project).select_related("organisation"),
            "history": AuditEntry.objects.filter(application=application).select_related("actor"),
            "transition_form": form if choices else None,
            "can_decide": can_decide(request.user, call),
        },
    )


@login_required
@require_POST
def application_transition(request, pk, application):
    """The managers move an application along: eligibility, review, recommendation,
    closing."""
    call = get_call(request, pk, check=can_manage_call)
    application = get_application(call, application)
    form = TransitionForm(request.POST)
    form.fields["to"].choices = _manager_choices(application, request.user)
    if form.is_valid():
        try:
            services.application_transition(
                application=application,
                to=form.cleaned_data["to"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The application is now “%(status)s”.") % {"status": Status(form.cleaned_data["to"]).label},
            )
    else:
        messages.error(request, _("Choose a status this application can move to."))
    return redirect("funding:application-detail", pk=call.pk, application=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def call_decide(request, pk):
    """The committee's decisions: an amount (or the reasons of a refusal) for each
    recommended or not-recommended application, never beyond the envelope."""
    call = get_call(request, pk, check=can_decide)
    pending = list(
        Application.objects.filter(call=call, status__in=[Status.RECOMMENDED, Status.NOT_RECOMMENDED])
        .select_related("project__lead")
        .order_by("-status", "project__title")
    )
    board = {
        row.application.pk: row
        for row in review_board(call, statuses=[Status.RECOMMENDED, Status.NOT_RECOMMENDED])
    }
    forms = {}
    for application in pending:
        application.call = call
        forms[application.pk] = DecisionForm(
            request.POST
            if request.method == "POST" and request.POST.get("application") == str(application.pk)
            else None,
            call=call,
            prefix=f"decision-{application.pk}",
            initial={"amount": application.requested_amount},
        )
    if request.method == "POST":
        chosen = next((a for a in pending if str(a.pk) == request.POST.get("application")), None)
        if chosen is None:
            messages.error(request, _("This application is not waiting for a decision of this call."))
            return redirect("funding:call-decide", pk=call.pk)
        form = forms[chosen.pk]
        if form.is_valid():
            try:
                services.application_decide(
                    application=chosen,
                    by=request.user,
                    funded=form.cleaned_data["decision"] == "fund",
                    amount=form.cleaned_data["amount"],
                    conditions=form.cleaned_data["conditions"],
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The decision on “%(project)s” is recorded. Its letter is being made.")
                    % {"project": chosen.project.title},
                )
                return redirect("funding:call-decide", pk=call.pk)
    committed = Application.objects.filter(call=call).committed_total()
    decided = list(
        Application.objects.filter(
            call=call, status__in=[Status.FUNDED, Status.REFUSED, Status.IN_PROGRESS, Status.CLOSED]
        )
        .select_related("project__lead", "resolution")
        .order_by("-decided_at")
    )
    return render(
        request,
        "funding/call_decide.html",
        {
            "call": call,
            "table": call.table,
            "pending": [(a, forms[a.pk], board.get(a.pk)) for a in pending],
            "decided": decided,
            "committed": committed,
            "available": call.envelope - committed,
        },
    )
