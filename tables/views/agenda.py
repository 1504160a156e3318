"""The agenda members co-own: items, proposals and the coordination's decisions, order."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.access import access_for

from .. import services
from ..forms.meetings import AgendaItemForm, DecisionForm, ProposalForm
from ..models import AgendaAttachment, AgendaItem, Membership
from ..permissions import (
    can_manage_meeting,
    can_propose_item,
    can_see_meeting_details,
    organisations_represented,
)
from .common import parse_id
from .meetings import get_meeting


def _item(meeting, pk):
    # Filtering on the meeting turns another meeting's item id into a 404.
    return get_object_or_404(AgendaItem.objects.select_related("meeting", "parent"), meeting=meeting, pk=pk)


def _fields(form):
    data = dict(form.cleaned_data)
    data.pop("attachment", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, slug, pk):
    meeting = get_meeting(request, slug, pk, manage=True)
    parent = None
    if request.GET.get("parent") or request.POST.get("parent"):
        parent = _item(meeting, parse_id(request.GET.get("parent") or request.POST.get("parent")))
    form = AgendaItemForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        table=meeting.table,
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_add(meeting=meeting, by=request.user, parent=parent, **_fields(form))
            if form.cleaned_data.get("attachment"):
                services.attachment_add(item=item, upload=form.cleaned_data["attachment"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The item was added to the agenda."))
            return redirect(meeting)
    return render(
        request,
        "tables/meeting_item_form.html",
        {"meeting": meeting, "table": meeting.table, "form": form, "parent": parent},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_propose(request, slug, pk):
    """A delegate proposes an item for their organisation, before the deadline."""
    meeting = get_meeting(request, slug, pk)
    if not access_for(request.user).sits_at(meeting.table_id):
        raise PermissionDenied
    if not can_propose_item(request.user, meeting):
        messages.error(request, _("The deadline for proposals has passed."))
        return redirect(meeting)
    mine = (
        Membership.objects.active()
        .filter(table=meeting.table, organisation__in=organisations_represented(request.user, meeting.table))
        .select_related("organisation")
    )
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        table=meeting.table,
    )
    organisation = None
    if request.method == "POST":
        organisation = next(
            (m.organisation for m in mine if str(m.organisation_id) == request.POST.get("organisation")), None
        )
        if organisation is None and len(mine) == 1:
            organisation = mine[0].organisation
    if request.method == "POST" and form.is_valid():
        if organisation is None:
            form.add_error(None, _("Choose the organisation you propose for."))
        else:
            try:
                item = services.item_propose(
                    meeting=meeting, by=request.user, organisation=organisation, **_fields(form)
                )
                if form.cleaned_data.get("attachment"):
                    services.attachment_add(
                        item=item, upload=form.cleaned_data["attachment"], by=request.user
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Your proposal was sent to the coordination, who will tell you its decision.")
                )
                return redirect(meeting)
    return render(
        request,
        "tables/meeting_item_propose.html",
        {"meeting": meeting, "table": meeting.table, "form": form, "memberships": mine},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_update(request, slug, pk, item):
    meeting = get_meeting(request, slug, pk, manage=True)
    item = _item(meeting, item)
    form = AgendaItemForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=item,
        table=meeting.table,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item=AgendaItem.objects.get(pk=item.pk), **_fields(form))
            if form.cleaned_data.get("attachment"):
                services.attachment_add(item=item, upload=form.cleaned_data["attachment"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The item was saved."))
            return redirect(meeting)
    return render(
        request,
        "tables/meeting_item_form.html",
        {
            "meeting": meeting,
            "table": meeting.table,
            "form": form,
            "item": item,
            "attachments": item.attachments.all(),
        },
    )


@login_required
@require_POST
def item_delete(request, slug, pk, item):
    meeting = get_meeting(request, slug, pk, manage=True)
    try:
        services.item_delete(item=_item(meeting, item))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The item was removed from the agenda."))
    return redirect(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def item_decide(request, slug, pk, item):
    """Retain, defer or decline a member's proposal."""
    meeting = get_meeting(request, slug, pk, manage=True)
    item = _item(meeting, item)
    if item.status != AgendaItem.Status.PROPOSED:
        messages.info(request, _("This proposal was already decided."))
        return redirect(meeting)
    form = DecisionForm(request.POST if request.method == "POST" else None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_decide(
                item=item,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                defer_to=form.cleaned_data["defer_to"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision was recorded; the proposer sees it."))
            return redirect(meeting)
    return render(
        request,
        "tables/meeting_item_decide.html",
        {"meeting": meeting, "table": meeting.table, "item": item, "form": form},
    )


@login_required
@require_POST
def item_move(request, slug, pk, item):
    """Move an item up or down: the keyboard alternative to drag and drop."""
    meeting = get_meeting(request, slug, pk, manage=True)
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if direction is None:
        messages.error(request, _("Unknown direction."))
        return redirect(meeting)
    try:
        services.item_move(item=_item(meeting, item), direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{meeting.get_absolute_url()}#item-{item}")


@login_required
@require_POST
def agenda_reorder(request, slug, pk):
    """Save the order set by drag and drop (a JSON list of item ids under one parent)."""
    meeting = get_meeting(request, slug, pk, manage=True)
    try:
        payload = json.loads(request.body or b"{}")
        ordered = [int(pk) for pk in payload.get("items", [])]
        parent = _item(meeting, payload["parent"]) if payload.get("parent") else None
    except (ValueError, TypeError, KeyError, AttributeError, json.JSONDecodeError):
        return JsonResponse({"error": _("The order sent could not be read.")}, status=400)
    try:
        services.items_reorder(meeting=meeting, ordered_ids=ordered, parent=parent)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    return JsonResponse({"saved": True, "message": _("The new order was saved.")})


def _attachment(meeting, pk):
    return get_object_or_404(AgendaAttachment.objects.select_related("item"), item__meeting=meeting, pk=pk)


def attachment_download(request, slug, pk, attachment):
    """Attachments are served through this view, never straight from the media folder, so
    that a private table's documents stay private."""
    meeting = get_meeting(request, slug, pk)
    attachment = _attachment(meeting, attachment)
    if attachment.item.status != AgendaItem.Status.RETAINED and not can_see_meeting_details(
        request.user, meeting
    ):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def attachment_delete(request, slug, pk, attachment):
    meeting = get_meeting(request, slug, pk, manage=True)
    attachment = _attachment(meeting, attachment)
    if not can_manage_meeting(request.user, meeting) or not meeting.is_editable:
        raise PermissionDenied
    attachment.file.delete(save=False)
    attachment.delete()
    messages.success(request, _("The attachment was removed."))
    return redirect("tables:item-update", slug=meeting.table.slug, pk=meeting.pk, item=attachment.item_id)
