"""The call manager assigns the applications to the call's reviewers: one by one, or
through the balance helper (a proposal first, saved once confirmed), each with a due
date; the page shows each reviewer's load and the overdue reviews."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from projects.views.common import add_service_errors

from .. import assignments as service
from ..forms import AssignmentForm, BalanceForm, ReviewDueForm
from ..models import Application, ReviewAssignment, Reviewer
from ..permissions import can_manage_call
from .common import get_call

PAGE_SIZE = 50


def _assignable(call):
    return (
        Application.objects.filter(call=call, status__in=service.ASSIGNABLE_STATUSES)
        .select_related("project__lead")
        .order_by("project__title", "pk")
    )


def _reviewers(call):
    return Reviewer.objects.filter(call=call).select_related("person", "organisation")


def _told(request, created):
    people = len({a.reviewer_id for a in created})
    messages.success(
        request,
        ngettext(
            "%(count)s assignment made; %(people)s reviewer told by email.",
            "%(count)s assignments made; %(people)s reviewers told by email.",
            len(created),
        )
        % {"count": len(created), "people": people},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_assignments(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    action = request.POST.get("action") if request.method == "POST" else None
    due_form = ReviewDueForm(
        request.POST if action == "due" else None, initial={"due_on": call.review_due_on}, prefix="due"
    )
    assign_form = AssignmentForm(
        request.POST if action == "assign" else None,
        applications=_assignable(call),
        reviewers=_reviewers(call),
        prefix="assign",
    )
    balance_form = BalanceForm(request.POST if action in {"propose", "confirm"} else None, prefix="balance")
    proposal = None
    if action == "due" and due_form.is_valid():
        try:
            service.call_review_due_set(call=call, due_on=due_form.cleaned_data["due_on"], by=request.user)
        except ValidationError as error:
            add_service_errors(due_form, error)
        else:
            messages.success(request, _("The default due date is saved."))
            return redirect("funding:call-assignments", pk=call.pk)
    elif action == "assign" and assign_form.is_valid():
        data = assign_form.cleaned_data
        try:
            created = service.assignments_create(
                call=call,
                pairs=[(data["application"].pk, data["reviewer"].pk)],
                due_on=data["due_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(assign_form, error)
        else:
            if created:
                _told(request, created)
            else:
                messages.info(request, _("This reviewer was already assigned this application."))
            return redirect("funding:call-assignments", pk=call.pk)
    elif action in {"propose", "confirm"} and balance_form.is_valid():
        if action == "confirm":
            try:
                created = service.assignments_create(
                    call=call,
                    pairs=service.decode_pairs(request.POST.getlist("pair")),
                    due_on=balance_form.cleaned_data["due_on"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(balance_form, error)
            else:
                _told(request, created)
                return redirect("funding:call-assignments", pk=call.pk)
        # The proposal as things stand now (again after a refused confirmation).
        proposal = service.assignments_propose(
            call=call, per_application=balance_form.cleaned_data["per_application"]
        )

    page = Paginator(_assignable(call), PAGE_SIZE).get_page(request.GET.get("page"))
    board = service.assignment_board(call, page.object_list)
    loads = (
        _reviewers(call)
        .annotate(
            assigned=Count("assignments", distinct=True),
            submitted=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
        )
        .order_by("person__last_name", "person__first_name", "pk")
    )
    overdue = service.overdue_assignments(call)
    return render(
        request,
        "funding/call_assignments.html",
        {
            "call": call,
            "table": call.table,
            "due_form": due_form,
            "assign_form": assign_form,
            "balance_form": balance_form,
            "proposal": proposal,
            "page": page,
            "rows": [(application, board.get(application.pk, [])) for application in page.object_list],
            "loads": loads,
            "overdue": list(overdue[:100]),
            "overdue_count": overdue.count(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def assignment_remove(request, pk, assignment):
    call = get_call(request, pk, check=can_manage_call)
    assignment = get_object_or_404(
        ReviewAssignment.objects.filter(application__call=call).select_related(
            "reviewer__person", "application__call"
        ),
        pk=assignment,
    )
    try:
        service.assignment_remove(assignment=assignment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The assignment was removed."))
    return redirect("funding:call-assignments", pk=call.pk)
