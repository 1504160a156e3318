"""Consultations between meetings: the coordination opens them and follows the count; the
members' delegates and substitutes answer for their organisation and read the results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms import (
    ConsultationAnswerForm,
    ConsultationForm,
    ConsultationVoteForm,
    PollSlotFormSet,
    ProposalDeclineForm,
)
from ..models import Consultation, ConsultationAnswer, PollSlot
from ..permissions import (
    can_manage_table,
    can_see_delegates,
    can_view_consultation,
    organisations_represented,
)
from ..selectors import consultations as selectors
from .common import add_service_errors, get_table, parse_id


def _insider_table(request, slug, *, manage=False):
    """The table, for its insiders only: 403 on a public table, 404 on a private one."""
    table = get_table(request, slug, manage=manage)
    if not can_see_delegates(request.user, table):
        raise PermissionDenied
    return table


def _consultation(request, table, pk):
    """The consultation, if the reader may see it: a member's proposal, until it is
    accepted, is for the coordination and the organisation that proposed it only (404
    for the others, who are not to know of it)."""
    consultation = get_object_or_404(
        Consultation.objects.select_related(
            "table", "committee", "meeting", "proposed_by__organisation", "resolution", "rules"
        ),
        table=table,
        pk=pk,
    )
    if not can_view_consultation(request.user, consultation):
        raise Http404
    return consultation


@login_required
@require_GET
def consultation_list(request, slug):
    table = _insider_table(request, slug)
    manage = can_manage_table(request.user, table)
    represented = organisations_represented(request.user, table)
    consultations = selectors.consultation_list(table, organisation_ids=represented, manage=manage)
    rules = table.rules_on()
    return render(
        request,
        "tables/consultation_list.html",
        {
            "table": table,
            "consultations": consultations,
            "can_manage": manage,
            "represents": bool(represented),
            "can_propose": bool(represented) and bool(rules and rules.members_may_propose),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request, slug):
    table = get_table(request, slug, manage=True)
    data = request.POST if request.method == "POST" else None
    form = ConsultationForm(data, request.FILES or None, table=table)
    slots = PollSlotFormSet(data, prefix="slots")
    slots.poll = bool(data) and data.get("kind") == Consultation.Kind.POLL
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        try:
            consultation = services.consultation_open(
                table=table,
                by=request.user,
                slots=slots.slots() if slots.poll else [],
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consultation is open; the members consulted were told."))
            return redirect(consultation)
    return render(
        request,
        "tables/consultation_form.html",
        {"table": table, "form": form, "slots": slots, "rules": table.rules_on()},
    )


def _proposing_memberships(request, table):
    represented = organisations_represented(request.user, table)
    return list(
        table.memberships.active()
        .filter(organisation_id__in=represented)
        .select_related("organisation")
        .order_by("organisation__name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_propose(request, slug):
    """A member organisation's delegate or substitute proposes a consultation, where the
    table's rules allow it (403 otherwise, and to anyone who represents no member)."""
    table = _insider_table(request, slug)
    memberships = _proposing_memberships(request, table)
    rules = table.rules_on()
    if not memberships or not (rules and rules.members_may_propose):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ConsultationForm(data, request.FILES or None, table=table, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        membership = next((m for m in memberships if m.pk == fields.pop("membership")), None)
        if membership is None:
            raise PermissionDenied
        try:
            consultation = services.consultation_propose(
                table=table, membership=membership, by=request.user, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your proposal was sent to the coordination, which will accept or decline it.")
            )
            return redirect(consultation)
    return render(
        request,
        "tables/consultation_form.html",
        {"table": table, "form": form, "slots": None, "rules": rules, "proposal": True},
    )


@login_required
@require_POST
def consultation_accept(request, slug, pk):
    table = get_table(request, slug, manage=True)
    consultation = _consultation(request, table, pk)
    try:
        services.consultation_accept(consultation=consultation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The consultation is open; the members consulted were told."))
    return redirect(consultation)


@login_required
@require_POST
def consultation_decline(request, slug, pk):
    table = get_table(request, slug, manage=True)
    consultation = _consultation(request, table, pk)
    form = ProposalDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_decline(
                consultation=consultation, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proposal was declined; the organisation was told why."))
            return redirect(consultation)
    return _detail(request, table, consultation, decline_form=form)


def _my_memberships(request, consultation):
    """The consulted memberships the person answers for (usually one)."""
    represented = organisations_represented(request.user, consultation.table)
    if not represented:
        return []
    return list(
        consultation.consulted_memberships()
        .filter(organisation_id__in=represented)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def _detail(request, table, consultation, *, form=None, decline_form=None, status=200):
    manage = can_manage_table(request.user, table)
    memberships = _my_memberships(request, consultation)
    mine = (
        ConsultationAnswer.objects.filter(consultation=consultation, membership__in=memberships)
        .select_related("person", "membership__organisation")
        .prefetch_related("choices")
        .first()
        if memberships
        else None
    )
    if form is None and memberships and consultation.accepts_answers:
        if consultation.is_vote:
            if mine is None or mine.as_substitute:
                form = ConsultationVoteForm(consultation=consultation, memberships=memberships)
        else:
            form = ConsultationAnswerForm(consultation=consultation, memberships=memberships, answer=mine)
    if decline_form is None and manage and consultation.is_proposed:
        decline_form = ProposalDeclineForm()
    show_results = manage or consultation.is_over
    counts = selectors.consultation_counts(consultation) if show_results else None
    answers = list(selectors.consultation_answers(consultation)) if show_results else []
    slots = counts["slots"] if counts else list(consultation.slots.all()) if consultation.is_poll else []
    for answer in answers:
        by_slot = {choice.slot_id: choice for choice in answer.choices.all()}
        answer.row = [by_slot.get(slot.pk) for slot in slots]
    return render(
        request,
        "tables/consultation_detail.html",
        {
            "table": table,
            "consultation": consultation,
            "can_manage": manage,
            "form": form,
            "my_answer": mine,
            "represents": bool(organisations_represented(request.user, table)),
            "counts": counts,
            "answers": answers,
            "slots": slots,
            "decline_form": decline_form,
        },
        status=status,
    )


@login_required
@require_GET
def consultation_detail(request, slug, pk):
    table = _insider_table(request, slug)
    return _detail(request, table, _consultation(request, table, pk))


@login_required
@require_POST
def consultation_answer(request, slug, pk):
    """The answer of one organisation; only its own delegates and substitutes give it."""
    table = _insider_table(request, slug)
    consultation = _consultation(request, table, pk)
    represented = organisations_represented(request.user, table)
    membership = (
        table.memberships.select_related("organisation")
        .filter(pk=parse_id(request.POST.get("membership")), organisation_id__in=represented)
        .first()
    )
    if membership is None:
        raise PermissionDenied
    memberships = _my_memberships(request, consultation) or [membership]
    if consultation.is_vote:
        return _vote(request, table, consultation, membership, memberships)
    form = ConsultationAnswerForm(request.POST, consultation=consultation, memberships=memberships)
    if form.is_valid():
        try:
            _answer, previous = services.consultation_answer(
                consultation=consultation,
                membership=membership,
                by=request.user,
                comment=form.cleaned_data.get("comment", ""),
                choices=form.choices() if consultation.is_poll else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if previous is None:
                messages.success(request, _("Your organisation's answer was recorded."))
            elif previous.pk == request.user.pk:
                messages.success(request, _("Your organisation's answer was changed."))
            else:
                messages.success(
                    request,
                    _("Your organisation's answer, given by %(name)s, was changed by you.")
                    % {"name": previous.get_full_name() or previous.email},
                )
            return redirect(consultation)
    return _detail(request, table, consultation, form=form)


def _vote(request, table, consultation, membership, memberships):
    form = ConsultationVoteForm(request.POST, consultation=consultation, memberships=memberships)
    if form.is_valid():
        try:
            _cast, replaced = services.consultation_vote(
                consultation=consultation,
                membership=membership,
                by=request.user,
                vote=form.cleaned_data["vote"],
                objection=form.cleaned_data["objection"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if replaced is None:
                messages.success(request, _("Your organisation's vote was recorded."))
            else:
                messages.success(
                    request,
                    _("Your vote replaces the one %(name)s cast as substitute.")
                    % {"name": replaced.get_full_name() or replaced.email},
                )
            return redirect(consultation)
    return _detail(request, table, consultation, form=form)


@login_required
@require_POST
def consultation_close(request, slug, pk):
    table = get_table(request, slug, manage=True)
    consultation = _consultation(request, table, pk)
    if consultation.is_closed:
        messages.info(request, _("This consultation was already closed."))
        return redirect(consultation)
    try:
        consultation = services.consultation_close(consultation=consultation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if consultation.is_vote:
            messages.success(
                request,
                _("The vote is closed: %(outcome)s. The members consulted were told.")
                % {"outcome": consultation.get_outcome_display().lower()},
            )
        else:
            messages.success(request, _("The consultation is closed; the members consulted were told."))
    return redirect(consultation)


@login_required
@require_POST
def consultation_choose(request, slug, pk):
    """The coordination chooses a slot of a poll: the meeting is planned at its times."""
    table = get_table(request, slug, manage=True)
    consultation = _consultation(request, table, pk)
    slot = get_object_or_404(PollSlot, consultation=consultation, pk=parse_id(request.POST.get("slot")))
    try:
        meeting = services.poll_choose_slot(consultation=consultation, slot=slot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(consultation)
    messages.success(request, _("The meeting is planned at the chosen time. Complete it before convening."))
    return redirect(meeting)


@login_required
@require_GET
def consultation_attachment(request, slug, pk):
    """Served through this view, never straight from the media folder, so that the
    documents of a consultation stay with the table's insiders."""
    table = _insider_table(request, slug)
    consultation = _consultation(request, table, pk)
    if not consultation.attachment:
        raise Http404
    try:
        handle = consultation.attachment.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=consultation.attachment_name or "document")


@login_required
@require_GET
def consultation_count(request, slug, pk):
    """The live count, polled by htmx on the coordination's page while answers come in."""
    table = get_table(request, slug, manage=True)
    consultation = _consultation(request, table, pk)
    return render(
        request,
        "tables/_consultation_count.html",
        {"table": table, "consultation": consultation, "counts": selectors.consultation_counts(consultation)},
    )
