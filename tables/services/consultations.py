"""Consultations between meetings: open one, answer it for an organisation, close it, and
turn the chosen slot of an availability poll into a planned meeting."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.emails import site_url
from members.models import Delegation, EmailKind, Notification, User
from members.services.notifications import notify
from members.validators import validate_upload

from ..models import (
    Committee,
    Consultation,
    ConsultationAnswer,
    Meeting,
    Membership,
    PollChoice,
    PollSlot,
    Table,
    people_sitting_for,
)
from .meetings import meeting_create

__all__ = [
    "check_slots",
    "consultation_answer",
    "consultation_close",
    "consultation_open",
    "consulted_people",
    "poll_choose_slot",
]

MIN_SLOTS = 2


def check_slots(slots: list[tuple[datetime, datetime]], *, now=None) -> None:
    """A poll proposes two slots at least, each in the future and ending after it starts.
    The form checks the same before the service, to show the refusal beside the slots."""
    now = now or timezone.now()
    if len(slots) < MIN_SLOTS:
        raise ValidationError(
            {
                "slots": _("Propose at least %(count)s slots for members to choose from.")
                % {"count": MIN_SLOTS}
            }
        )
    for starts_at, ends_at in slots:
        if ends_at <= starts_at:
            raise ValidationError({"slots": _("Each slot must end after it starts.")})
        if starts_at <= now:
            raise ValidationError({"slots": _("Each slot must be in the future.")})


def consulted_people(consultation: Consultation):
    """The delegates and substitutes, active today, of the organisations consulted."""
    return people_sitting_for(consultation.consulted_memberships())


@transaction.atomic
def consultation_open(
    *,
    table: Table,
    by: User,
    kind: str,
    title: str,
    text: str = "",
    opens_at: datetime,
    closes_at: datetime,
    audience: str = Consultation.Audience.ALL,
    committee: Committee | None = None,
    anonymous: bool = False,
    attachment=None,
    slots: list[tuple[datetime, datetime]] = (),
) -> Consultation:
    """Open a consultation of the table's members and tell each delegate and substitute
    consulted, now, when it opens and closes (a consultation planned for later is
    announced at once: members then have its whole span to answer). Refuses an audience
    with nobody in it."""
    title, text = title.strip(), text.strip()
    if not title:
        raise ValidationError({"title": _("Give the consultation a title.")})
    if kind == Consultation.Kind.AVIS and not text and not attachment:
        raise ValidationError(
            {"text": _("Give the text, or attach the document, members are to comment on.")}
        )
    if kind == Consultation.Kind.POLL:
        check_slots(list(slots))
    if attachment:
        validate_upload(attachment)
    consultation = Consultation(
        table=table,
        kind=kind,
        title=title,
        text=text,
        opens_at=opens_at,
        closes_at=closes_at,
        audience=audience,
        committee=committee if audience == Consultation.Audience.COMMITTEE else None,
        anonymous=anonymous,
        created_by=by,
    )
    if attachment:
        consultation.attachment = attachment
        consultation.attachment_name = attachment.name[:255]
    consultation.full_clean()
    people = list(consulted_people(consultation))
    if not people:
        raise ValidationError(
            _("Nobody would be consulted: no delegate or substitute sits for these members.")
        )
    consultation.save()
    if kind == Consultation.Kind.POLL:
        PollSlot.objects.bulk_create(
            PollSlot(consultation=consultation, starts_at=start, ends_at=end) for start, end in sorted(slots)
        )
    _notify(consultation, people, Notification.Kind.CONSULTATION_OPENED, "tables/email/consultation_opened")
    return consultation


def _notify(consultation: Consultation, people, kind: str, template: str) -> None:
    notify(
        people=[person for person in people if person.email],
        kind=kind,
        template=template,
        context={
            "consultation": consultation,
            "table": consultation.table,
            "url": site_url(consultation.get_absolute_url()),
        },
        email_kind=EmailKind.CONSULTATION,
        reply_to=[consultation.created_by.email] if consultation.created_by_id else None,
    )


@transaction.atomic
def consultation_answer(
    *,
    consultation: Consultation,
    membership: Membership,
    by: User,
    comment: str = "",
    choices: dict[int, str] | None = None,
) -> tuple[ConsultationAnswer, User | None]:
    """Record, or change, the answer of `membership`'s organisation, given by `by`, one of
    its delegates or substitutes. Returns the answer and the person whose answer this one
    replaced (None for a first answer).

    The consultation row is locked first: two representatives of one organisation
    answering at once, or an answer racing the closing, are taken one after the other, so
    that an answer is counted whole or refused, never counted twice or half-saved."""
    consultation = Consultation.objects.select_for_update().select_related("table").get(pk=consultation.pk)
    if consultation.is_closed or consultation.closes_at <= timezone.now():
        raise ValidationError(_("This consultation is closed: answers are no longer accepted."))
    if consultation.is_upcoming:
        raise ValidationError(
            _("This consultation opens on %(date)s: answers are not accepted yet.")
            % {"date": date_format(timezone.localtime(consultation.opens_at), "DATETIME_FORMAT")}
        )
    if membership.table_id != consultation.table_id or not membership.is_active:
        raise ValidationError(_("This organisation is not a member of the table."))
    if not consultation.consulted_memberships().filter(pk=membership.pk).exists():
        raise ValidationError(_("Your organisation is not among the members consulted."))
    if not Delegation.objects.active().filter(membership=membership, person=by).exists():
        raise ValidationError(_("You do not represent this organisation at the table."))
    comment = comment.strip()
    slots = list(consultation.slots.values_list("pk", flat=True)) if consultation.is_poll else []
    if consultation.is_poll:
        choices = choices or {}
        if set(choices) != set(slots):
            raise ValidationError({"choices": _("Say for every proposed slot whether you are available.")})
        if not set(choices.values()) <= set(PollChoice.Available.values):
            raise ValidationError({"choices": _("Unknown availability.")})
    elif not comment:
        raise ValidationError({"comment": _("Write your organisation's opinion.")})
    answer = ConsultationAnswer.objects.filter(consultation=consultation, membership=membership).first()
    previous = None
    if answer is None:
        answer = ConsultationAnswer(consultation=consultation, membership=membership)
    else:
        previous = answer.person
    answer.person = by
    answer.comment = comment
    answer.save()
    if consultation.is_poll:
        answer.choices.all().delete()
        PollChoice.objects.bulk_create(
            PollChoice(answer=answer, slot_id=slot, available=choices[slot]) for slot in slots
        )
    return answer, previous


@transaction.atomic
def consultation_close(*, consultation: Consultation, by: User) -> Consultation:
    """Close the consultation (early, or once its time is past) and tell those consulted
    that the results are there. Closing a closed consultation changes nothing and tells
    nobody again."""
    consultation = Consultation.objects.select_for_update().select_related("table").get(pk=consultation.pk)
    if consultation.is_closed:
        return consultation
    consultation.set_status(Consultation.Status.CLOSED)
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["status", "closed_at"])
    _notify(
        consultation,
        consulted_people(consultation),
        Notification.Kind.CONSULTATION_CLOSED,
        "tables/email/consultation_closed",
    )
    return consultation


@transaction.atomic
def poll_choose_slot(*, consultation: Consultation, slot: PollSlot, by: User) -> Meeting:
    """Choose the slot of an availability poll: the poll is closed if it was not, and a
    planned meeting is created at the slot's times, for the committee consulted if any.
    Choosing again returns the same meeting; another slot is refused once one is chosen
    (move the meeting itself instead)."""
    consultation = Consultation.objects.select_for_update().select_related("table").get(pk=consultation.pk)
    if not consultation.is_poll:
        raise ValidationError(_("Only an availability poll has slots to choose from."))
    if slot.consultation_id != consultation.pk:
        raise ValidationError(_("This slot was not proposed in this poll."))
    if consultation.chosen_slot_id is not None:
        if consultation.chosen_slot_id == slot.pk and consultation.meeting_id:
            return consultation.meeting
        raise ValidationError(_("A slot was already chosen; change the meeting's time on its page instead."))
    if slot.starts_at <= timezone.now():
        raise ValidationError(_("This slot is past; choose one in the future."))
    consultation = consultation_close(consultation=consultation, by=by)
    meeting = meeting_create(
        table=consultation.table,
        by=by,
        title=consultation.title,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        committee=consultation.committee,
    )
    consultation.chosen_slot = slot
    consultation.meeting = meeting
    consultation.save(update_fields=["chosen_slot", "meeting"])
    return meeting
