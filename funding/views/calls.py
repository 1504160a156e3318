"""Calls: the list, a call's page, preparing it (funders, grid, documents) and
publishing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.queries import count_per_row
from projects.forms import ProjectStartForm
from projects.views.common import add_service_errors
from tables.views.common import get_table

from .. import services
from ..forms import (
    CallForm,
    CriterionFormSet,
    DocumentFormSet,
    ShareFormSet,
    criterion_initial,
    document_initial,
)
from ..models import COUNTED, Application, CallFunder, FundingCall
from ..permissions import (
    can_apply,
    can_create_call,
    can_decide,
    can_manage_call,
    can_review,
    lead_choices,
)
from ..selectors import funded_results, projects_for
from .common import get_call

CLOSED_CALLS_PER_PAGE = 20
OPEN_CALLS_PER_PAGE = 20


@require_GET
def call_list(request):
    """Upcoming and draft calls in full; open ones twenty at a time, closing soonest first
    (a large network has hundreds at once); closed ones (years of them) twenty at a time,
    most recent first."""
    now = timezone.now()
    calls = (
        FundingCall.objects.visible_to(request.user)
        .select_related("table")
        # The funders' names in one query rather than three.
        .prefetch_related(
            Prefetch("shares", queryset=CallFunder.objects.select_related("funder__organisation"))
        )
        .annotate(application_count=count_per_row(Application.objects.filter(status__in=COUNTED), "call"))
    )
    # Drafts, and calls published but not open yet.
    current = list(calls.exclude(published_at__isnull=False, opens_at__lte=now).order_by("closes_at"))
    open_now = Paginator(
        calls.filter(published_at__isnull=False, opens_at__lte=now, closes_at__gt=now).order_by(
            "closes_at", "pk"
        ),
        OPEN_CALLS_PER_PAGE,
    ).get_page(request.GET.get("open_page"))
    closed = Paginator(
        calls.filter(published_at__isnull=False, closes_at__lte=now).order_by("-closes_at", "-pk"),
        CLOSED_CALLS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/call_list.html",
        {
            "open_calls": open_now.object_list,
            "open_page": open_now,
            "upcoming_calls": [c for c in current if c.is_published and now < c.opens_at],
            "draft_calls": [c for c in current if not c.is_published],
            "closed_calls": closed.object_list,
            "page": closed,
        },
    )


@require_GET
def call_detail(request, pk):
    call = get_call(request, pk)
    user = request.user
    my_projects = []
    if user.is_authenticated:
        my_projects = [
            p
            for p in projects_for(user)["projects"]
            if any(a.call_id == call.pk for a in p.applications.all())
        ]
    counts = dict(
        Application.objects.filter(call=call, status__in=COUNTED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    can_manage = can_manage_call(user, call)
    return render(
        request,
        "funding/call_detail.html",
        {
            "call": call,
            "table": call.table,
            "shares": list(call.shares.all()),
            "criteria": list(call.criteria.all()),
            "documents": list(call.required_documents.all()),
            "regions": list(call.regions.all()),
            "objectives": list(call.objectives.select_related("axis")),
            "can_manage": can_manage,
            "can_decide": can_decide(user, call),
            "can_review": can_review(user, call),
            "can_apply": can_apply(user, call),
            "start_form": ProjectStartForm(lead_ids=lead_choices(user, call))
            if can_apply(user, call)
            else None,
            "my_projects": my_projects,
            "submitted_count": sum(counts.values()),
            # Once decided, the projects the call funded, for anyone who sees the call, unless
            # the table keeps them private (then for those who manage the call only).
            "results": funded_results([call]) if call.results_public or can_manage else [],
            "problems": services.publication_problems(call) if can_manage and not call.is_published else [],
        },
    )


def _call_fields(form) -> dict:
    fields = {name: form.cleaned_data[name] for name in services.CALL_FIELDS}
    fields["regions"] = list(form.cleaned_data["regions"])
    fields["objectives"] = list(form.cleaned_data["objectives"]) if "objectives" in form.fields else []
    return fields


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request, slug):
    table = get_table(request, slug)
    if not can_create_call(request.user, table):
        raise PermissionDenied
    form = CallForm(request.POST or None, table=table)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(table=table, by=request.user, **_call_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call is created. Name its funders, then write its grid."))
            return redirect("funding:call-funders", pk=call.pk)
    return render(request, "funding/call_form.html", {"form": form, "table": table})


@login_required
@require_http_methods(["GET", "POST"])
def call_update(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    form = CallForm(request.POST or None, instance=call, table=call.table)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_update(call=call, by=request.user, **_call_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call was saved."))
            return redirect(call)
    return render(request, "funding/call_form.html", {"form": form, "table": call.table, "call": call})


def _rows_page(request, call, *, formset, save, title, lead, done):
    if request.method == "POST" and formset.is_valid():
        try:
            save(formset)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages, renderer=formset.renderer)
        else:
            messages.success(request, done)
            return redirect(call)
    return render(
        request,
        "funding/call_rows.html",
        {"call": call, "table": call.table, "formset": formset, "title": title, "lead": lead},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_funders(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    initial = [{"funder": s.funder, "amount": s.amount} for s in call.shares.all()]
    formset = ShareFormSet(request.POST or None, initial=initial, prefix="shares")
    return _rows_page(
        request,
        call,
        formset=formset,
        save=lambda fs: services.call_set_shares(call=call, shares=fs.shares(), by=request.user),
        title=_("Funders and their shares"),
        lead=_("Each funder's share of the envelope. Together they make up the envelope."),
        done=_("The funders' shares were saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_criteria(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    initial = criterion_initial(call)
    formset = CriterionFormSet(
        request.POST or None, initial=initial, prefix="criteria", allowed_ids=[row["id"] for row in initial]
    )
    return _rows_page(
        request,
        call,
        formset=formset,
        save=lambda fs: services.call_set_criteria(call=call, criteria=fs.rows(), by=request.user),
        title=_("Evaluation grid"),
        lead=_(
            "Reviewers score each criterion from 0 to 5; its weight says how much it counts in the total "
            "out of 100. The guidance tells them what a high and a low score look like."
        ),
        done=_("The grid was saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_documents(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    initial = document_initial(call)
    formset = DocumentFormSet(
        request.POST or None, initial=initial, prefix="documents", allowed_ids=[row["id"] for row in initial]
    )
    return _rows_page(
        request,
        call,
        formset=formset,
        save=lambda fs: services.call_set_documents(call=call, documents=fs.rows(), by=request.user),
        title=_("Documents to attach"),
        lead=_("A required document blocks submission until the applicants attach it."),
        done=_("The list of documents was saved."),
    )


@login_required
@require_POST
def call_publish(request, pk):
    call = get_call(request, pk, check=can_manage_call)
    try:
        services.call_publish(call=call, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The call is published on the table's page. The members are being told by email.")
        )
    return redirect(call)
