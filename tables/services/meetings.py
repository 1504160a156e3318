"""Meetings: planning, convocation, the agenda members co-own, answers and attendance."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from members.emails import site_url
from members.formatting import date_long
from members.models import Delegation, EmailKind, Notification, Organisation, User
from members.queue import enqueue
from members.services.notifications import notify

from ..models import (
    AgendaAttachment,
    AgendaItem,
    Attendance,
    ConvocationDelivery,
    Meeting,
    Membership,
    Table,
)
from ..models.agenda import STANDARD_AFTER, STANDARD_BEFORE
from .minutes import check_may_decide
from .ratification import decisions_carry, next_plenary_meeting

__all__ = [
    "attachment_add",
    "attendance_save",
    "item_add",
    "item_delete",
    "item_move",
    "item_propose",
    "item_update",
    "items_reorder",
    "meeting_cancel",
    "meeting_convene",
    "meeting_create",
    "meeting_mark_held",
    "meeting_resend_failed",
    "meeting_update",
    "proposal_decide",
    "rsvp_record",
]

# Fields whose change matters to people's calendars.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
# Standard items that close the agenda: members' items are inserted before them.
CLOSING_STANDARDS = {code for code, _kind, _minutes in STANDARD_AFTER}


@transaction.atomic
def meeting_create(*, table: Table, by: User | None, **fields) -> Meeting:
    """Plan a meeting with the standard items every agenda opens and closes with. Members
    may propose items until a few days before the convocation must go out."""
    meeting = Meeting(table=table, created_by=by, **fields)
    if meeting.starts_at and not meeting.proposals_deadline:
        rules = table.rules_on(timezone.localtime(meeting.starts_at).date())
        notice = rules.notice_days if rules else 10
        meeting.proposals_deadline = meeting.starts_at - timedelta(days=notice + 3)
    meeting.full_clean()
    meeting.save()
    position = 0
    for standard, kind, minutes in STANDARD_BEFORE + STANDARD_AFTER:
        position += 10
        AgendaItem.objects.create(
            meeting=meeting,
            standard=standard,
            title=str(standard.label),
            kind=kind,
            duration_minutes=minutes,
            position=position if (standard, kind, minutes) in STANDARD_BEFORE else 10_000 + position,
        )
    _renumber(meeting)
    if next_plenary_meeting(table) == meeting:
        decisions_carry(meeting=meeting)
        _renumber(meeting)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    if not meeting.is_editable:
        raise ValidationError(_("A meeting that was held or cancelled can no longer be changed."))
    schedule_changed = any(
        field in fields and fields[field] != getattr(meeting, field) for field in SCHEDULE_FIELDS
    )
    for field, value in fields.items():
        setattr(meeting, field, value)
    if schedule_changed:
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    return meeting


def _recipients(meeting: Meeting):
    """Delegates and substitutes of the invited member organisations, with their seat."""
    delegations = (
        Delegation.objects.active(on=meeting.date)
        .filter(membership__in=meeting.invited_memberships())
        .select_related("person", "membership")
        .order_by("membership__organisation__name", "role")
    )
    seen = set()
    for delegation in delegations:
        if delegation.person_id not in seen and delegation.person.is_active:
            seen.add(delegation.person_id)
            yield delegation.person, delegation.membership


def notice_warning(meeting: Meeting, now=None) -> str:
    """A plain sentence when the convocation would go out later than the table's rules
    allow, else an empty string."""
    rules = meeting.rules()
    if rules is None:
        return ""
    now = now or timezone.now()
    deadline = meeting.starts_at - timedelta(days=rules.notice_days)
    if now <= deadline:
        return ""
    return _(
        "The table's rules ask for %(days)s days' notice: the convocation should have gone out by %(date)s."
    ) % {"days": rules.notice_days, "date": date_long(deadline)}


def _queue_deliveries(meeting: Meeting, kind: str) -> int:
    from ..tasks import send_meeting_emails

    round_ = (
        ConvocationDelivery.objects.filter(meeting=meeting, kind=kind).aggregate(n=Max("round"))["n"] or 0
    ) + 1
    deliveries = [
        ConvocationDelivery(
            meeting=meeting, kind=kind, round=round_, person=person, membership=membership, email=person.email
        )
        for person, membership in _recipients(meeting)
    ]
    ConvocationDelivery.objects.bulk_create(deliveries)
    transaction.on_commit(lambda: enqueue(send_meeting_emails, meeting.pk, kind, round_))
    return len(deliveries)


@transaction.atomic
def meeting_convene(*, meeting: Meeting, by: User, message: str = "") -> int:
    """Send the convocation, with the agenda PDF and an invitation for calendars, to every
    delegate and substitute (from a Celery worker). Returns the number of emails queued."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CONVENED:
        kind = ConvocationDelivery.Kind.UPDATE
        meeting.sequence += 1
    else:
        meeting.set_status(Meeting.Status.CONVENED)
        kind = ConvocationDelivery.Kind.CONVOCATION
    meeting.convened_at = timezone.now()
    meeting.convened_by = by
    meeting.convocation_message = message
    meeting.save()
    return _queue_deliveries(meeting, kind)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """Cancel, with a reason that everyone who was convened receives."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling: members receive it."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    was_convened = meeting.status == Meeting.Status.CONVENED
    meeting.set_status(Meeting.Status.CANCELLED)
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason.strip()
    meeting.sequence += 1
    meeting.save()
    if was_convened:
        _queue_deliveries(meeting, ConvocationDelivery.Kind.CANCELLATION)
    return meeting


@transaction.atomic
def meeting_resend_failed(*, meeting: Meeting, by: User) -> int:
    """Send again the meeting's emails that failed, to those people only, and only to
    those the meeting still convenes (a delegation that ended since gets nothing). A
    person's failed email is left alone once a later one reached them. Returns how many
    were queued again."""
    from ..tasks import send_meeting_emails

    invited = {person.pk for person, _membership in _recipients(meeting)}
    deliveries = ConvocationDelivery.objects.select_for_update().filter(meeting=meeting)
    latest_sent = {}
    for person_id, created_at in deliveries.filter(status=ConvocationDelivery.Status.SENT).values_list(
        "person_id", "created_at"
    ):
        latest_sent[person_id] = max(created_at, latest_sent.get(person_id, created_at))
    again = [
        delivery
        for delivery in deliveries.filter(status=ConvocationDelivery.Status.FAILED).only(
            "pk", "person_id", "created_at", "kind", "round"
        )
        if delivery.person_id in invited
        and not (delivery.person_id in latest_sent and latest_sent[delivery.person_id] > delivery.created_at)
    ]
    if meeting.status == Meeting.Status.CANCELLED:
        again = [d for d in again if d.kind == ConvocationDelivery.Kind.CANCELLATION]
    ConvocationDelivery.objects.filter(pk__in=[d.pk for d in again]).update(
        status=ConvocationDelivery.Status.QUEUED, retry_at=None
    )
    for kind, round_ in sorted({(d.kind, d.round) for d in again}):
        transaction.on_commit(
            lambda kind=kind, round_=round_: enqueue(send_meeting_emails, meeting.pk, kind, round_)
        )
    return len(again)


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting) -> Meeting:
    """The meeting took place. Refused for a meeting not called as the rules require,
    unless its minutes record the members' waiver of notice."""
    check_may_decide(meeting)
    meeting.set_status(Meeting.Status.HELD)
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


# The agenda -------------------------------------------------------------------------------


def _renumber(meeting: Meeting, parent_id=None):
    """Positions 10, 20, 30 … in current order, standard closing items last."""
    items = list(
        AgendaItem.objects.filter(
            meeting=meeting, parent_id=parent_id, status=AgendaItem.Status.RETAINED
        ).order_by("position", "pk")
    )
    for n, item in enumerate(items, start=1):
        if item.position != n * 10:
            AgendaItem.objects.filter(pk=item.pk).update(position=n * 10)


def _insert_position(meeting: Meeting, parent: AgendaItem | None) -> int:
    """Where a new item goes: at the end of its parent's sub-items, or before the closing
    standard items (other business, closing)."""
    siblings = AgendaItem.objects.filter(meeting=meeting, parent=parent, status=AgendaItem.Status.RETAINED)
    if parent is None:
        closing = siblings.filter(standard__in=CLOSING_STANDARDS).order_by("position").first()
        if closing:
            siblings.filter(position__gte=closing.position).update(position=F("position") + 10)
            return closing.position
    return (siblings.aggregate(n=Max("position"))["n"] or 0) + 10


def _check_editable(meeting: Meeting):
    if not meeting.is_editable:
        raise ValidationError(_("The agenda of a meeting that was held or cancelled can no longer change."))


def _check_parent(meeting: Meeting, parent: AgendaItem | None):
    if parent is not None and (parent.meeting_id != meeting.pk or parent.parent_id is not None):
        raise ValidationError(_("A sub-item goes under a main item of the same meeting."))


@transaction.atomic
def item_add(*, meeting: Meeting, by: User, parent: AgendaItem | None = None, **fields) -> AgendaItem:
    """The coordination adds an item directly to the agenda."""
    _check_editable(meeting)
    _check_parent(meeting, parent)
    item = AgendaItem(
        meeting=meeting,
        parent=parent,
        status=AgendaItem.Status.RETAINED,
        proposed_by=by,
        position=_insert_position(meeting, parent),
        **fields,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_propose(*, meeting: Meeting, by: User, organisation: Organisation, **fields) -> AgendaItem:
    """A delegate proposes an item for their organisation; the coordination decides."""
    if not meeting.proposals_open:
        raise ValidationError(_("The deadline for proposals has passed."))
    if (
        not Membership.objects.active(on=meeting.date)
        .filter(table=meeting.table, organisation=organisation)
        .exists()
    ):
        raise ValidationError(_("Only member organisations of the table can propose items."))
    item = AgendaItem(
        meeting=meeting,
        status=AgendaItem.Status.PROPOSED,
        proposed_by=by,
        proposed_by_organisation=organisation,
        presenter=fields.pop("presenter", None) or organisation,
        position=0,
        **fields,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_update(*, item: AgendaItem, **fields) -> AgendaItem:
    _check_editable(item.meeting)
    for field, value in fields.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_delete(*, item: AgendaItem) -> None:
    _check_editable(item.meeting)
    if item.standard:
        raise ValidationError(_("Standard items stay on every agenda."))
    meeting, parent_id = item.meeting, item.parent_id
    item.delete()
    _renumber(meeting, parent_id)


@transaction.atomic
def proposal_decide(
    *, item: AgendaItem, by: User, decision: str, reason: str = "", defer_to: Meeting | None = None
) -> AgendaItem:
    """Retain a member's proposal, defer it to a later meeting, or decline it with a reason
    the proposer sees."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting", "proposed_by", "proposed_by_organisation")
        .get(pk=item.pk)
    )
    if item.status != AgendaItem.Status.PROPOSED:
        raise ValidationError(_("This proposal was already decided."))
    _check_editable(item.meeting)
    item.decided_by, item.decided_at = by, timezone.now()
    item.decision_reason = reason.strip()
    if decision == AgendaItem.Status.RETAINED:
        item.status = AgendaItem.Status.RETAINED
        item.position = _insert_position(item.meeting, None)
    elif decision == AgendaItem.Status.DECLINED:
        if not item.decision_reason:
            raise ValidationError(_("Tell the proposer why the item is declined."))
        item.status = AgendaItem.Status.DECLINED
    elif decision == AgendaItem.Status.DEFERRED:
        if defer_to is None or defer_to.table_id != item.meeting.table_id or not defer_to.is_editable:
            raise ValidationError(_("Choose a later meeting of the same table."))
        if defer_to.starts_at <= item.meeting.starts_at:
            raise ValidationError(_("Choose a later meeting of the same table."))
        # The proposal moves to the later meeting, where it waits for a decision again.
        item.deferred_from = item.meeting
        item.meeting = defer_to
        item.status = AgendaItem.Status.PROPOSED
        item.decided_by = item.decided_at = None
    else:
        raise ValidationError(_("Unknown decision."))
    item.save()
    _notify_proposer(item)
    return item


def _notify_proposer(item: AgendaItem) -> None:
    """The person who proposed the item and the other representatives of their
    organisation learn the decision without having to open the meeting page."""
    meeting = item.meeting
    people = {}
    if item.proposed_by is not None:
        people[item.proposed_by_id] = item.proposed_by
    if item.proposed_by_organisation_id:
        for delegation in (
            Delegation.objects.active()
            .filter(
                membership__table_id=meeting.table_id,
                membership__organisation_id=item.proposed_by_organisation_id,
            )
            .select_related("person")
        ):
            people.setdefault(delegation.person_id, delegation.person)
    notify(
        people=[person for person in people.values() if person.email],
        kind=Notification.Kind.PROPOSAL_DECIDED,
        template="tables/email/proposal_decided",
        context={
            "item": item,
            "meeting": meeting,
            "organisation": item.proposed_by_organisation,
            "url": site_url(meeting.get_absolute_url()),
        },
        email_kind=EmailKind.AGENDA,
        about=meeting,
    )


@transaction.atomic
def items_reorder(*, meeting: Meeting, ordered_ids: list[int], parent: AgendaItem | None = None) -> None:
    """Save the order chosen by drag and drop. The ids must be exactly the retained items
    under `parent`; anything else (another meeting's item, a missing one) is refused."""
    _check_editable(meeting)
    current = set(
        AgendaItem.objects.filter(
            meeting=meeting, parent=parent, status=AgendaItem.Status.RETAINED
        ).values_list("pk", flat=True)
    )
    if set(ordered_ids) != current or len(ordered_ids) != len(current):
        raise ValidationError(_("The agenda changed meanwhile; reload the page and try again."))
    for n, pk in enumerate(ordered_ids, start=1):
        AgendaItem.objects.filter(pk=pk).update(position=n * 10)


@transaction.atomic
def item_move(*, item: AgendaItem, direction: int) -> None:
    """Move an item one place up (-1) or down (+1) among its siblings: the keyboard
    alternative to drag and drop."""
    _check_editable(item.meeting)
    siblings = list(
        AgendaItem.objects.filter(
            meeting=item.meeting, parent=item.parent_id, status=AgendaItem.Status.RETAINED
        ).order_by("position", "pk")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    target = index + direction
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for n, sibling in enumerate(siblings, start=1):
            AgendaItem.objects.filter(pk=sibling.pk).update(position=n * 10)


@transaction.atomic
def attachment_add(*, item: AgendaItem, upload, by: User) -> AgendaAttachment:
    _check_editable(item.meeting)
    return AgendaAttachment.objects.create(
        item=item, file=upload, name=upload.name[:255], size=upload.size, uploaded_by=by
    )


# Answers and attendance ------------------------------------------------------------------


@transaction.atomic
def rsvp_record(
    *, meeting: Meeting, membership: Membership, response: str, by: User | None, via: str
) -> Attendance:
    """An organisation answers the convocation (from the site or the email link)."""
    if response not in Attendance.Response.values:
        raise ValidationError(_("Unknown answer."))
    if membership.table_id != meeting.table_id:
        raise ValidationError(_("This organisation is not called to this meeting."))
    if not meeting.is_editable or meeting.ends_at < timezone.now():
        raise ValidationError(_("This meeting is over or cancelled; answers are closed."))
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        meeting=meeting, membership=membership
    )
    attendance.response = response
    attendance.responded_at = timezone.now()
    attendance.responded_by = by
    attendance.responded_via = via
    attendance.save()
    return attendance


@transaction.atomic
def attendance_save(*, meeting: Meeting, rows: list[dict]) -> list[Attendance]:
    """Record who came for each invited organisation. Each row: membership, present,
    attendee, attendee_role, arrived_at, left_at, note."""
    if meeting.status in {Meeting.Status.CANCELLED, Meeting.Status.CLOSED}:
        raise ValidationError(_("Attendance of a closed or cancelled meeting can no longer change."))
    invited = {m.pk: m for m in meeting.invited_memberships()}
    saved = []
    for row in rows:
        membership = row["membership"]
        if membership.pk not in invited:
            raise ValidationError(_("This organisation is not called to this meeting."))
        attendance, _created = Attendance.objects.get_or_create(meeting=meeting, membership=membership)
        for field in ("present", "attendee", "attendee_role", "arrived_at", "left_at", "note"):
            if field in row:
                setattr(attendance, field, row[field])
        if not attendance.present:
            attendance.attendee, attendance.attendee_role = None, ""
            attendance.arrived_at = attendance.left_at = None
        attendance.save()
        saved.append(attendance)
    if (
        meeting.status in {Meeting.Status.PLANNED, Meeting.Status.CONVENED}
        and meeting.starts_at <= timezone.now()
        # A meeting not called in time stays as it is until the minutes record the waiver
        # of notice; its page says why.
        and meeting.regularly_called()
    ):
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
    return saved
