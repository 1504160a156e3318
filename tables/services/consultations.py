"""Consultations between meetings: open one (or let a member organisation propose one),
answer it for an organisation, vote, close it, record an adopted electronic vote in the
register, and turn the chosen slot of an availability poll into a planned meeting."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.emails import site_url
from members.formatting import datetime_long
from members.models import Delegation, EmailKind, Notification, User
from members.services.notifications import notify
from members.validators import validate_upload

from ..models import (
    Committee,
    Consultation,
    ConsultationAnswer,
    Coordinator,
    GovernanceRules,
    Meeting,
    Membership,
    PollChoice,
    PollSlot,
    Resolution,
    Table,
    people_sitting_for,
    tally,
)
from .meetings import meeting_create
from .minutes import _next_number
from .ratification import decisions_carry, next_plenary_meeting

__all__ = [
    "check_slots",
    "consultation_accept",
    "consultation_answer",
    "consultation_close",
    "consultation_decline",
    "consultation_open",
    "consultation_propose",
    "consultation_vote",
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
    consultation = _build(
        table=table,
        by=by,
        kind=kind,
        title=title,
        text=text,
        opens_at=opens_at,
        closes_at=closes_at,
        audience=audience,
        committee=committee,
        anonymous=anonymous,
        attachment=attachment,
        slots=slots,
    )
    people = _people_or_refuse(consultation)
    consultation.save()
    if kind == Consultation.Kind.POLL:
        PollSlot.objects.bulk_create(
            PollSlot(consultation=consultation, starts_at=start, ends_at=end) for start, end in sorted(slots)
        )
    _notify(consultation, people, Notification.Kind.CONSULTATION_OPENED, "tables/email/consultation_opened")
    return consultation


def check_vote_allowed(table: Table, opens_at: datetime, closes_at: datetime) -> GovernanceRules:
    """The rules in force on the day the vote opens, if they allow decisions between
    meetings and the vote stays open as long as they require; else a refusal that says
    which rule stands in the way."""
    rules = table.rules_on(timezone.localtime(opens_at).date())
    if rules is None or not rules.e_votes_allowed:
        raise ValidationError(
            {
                "kind": _(
                    "The table's rules do not allow decisions between meetings: put the "
                    "question on a meeting's agenda, or amend the rules first."
                )
                if rules is None
                else _(
                    "The table's rules (version %(version)s) do not allow decisions between "
                    "meetings: put the question on a meeting's agenda, or amend the rules first."
                )
                % {"version": rules.version}
            }
        )
    if closes_at < opens_at + timedelta(days=rules.e_vote_min_days):
        raise ValidationError(
            {
                "closes_at": _(
                    "Under the table's rules, an electronic vote stays open %(days)s days at least."
                )
                % {"days": rules.e_vote_min_days}
            }
        )
    return rules


def _build(
    *,
    table: Table,
    by: User,
    kind: str,
    title: str,
    text: str,
    opens_at: datetime,
    closes_at: datetime,
    audience: str,
    committee: Committee | None,
    anonymous: bool,
    attachment,
    slots,
    status: str = Consultation.Status.OPEN,
    proposed_by: Membership | None = None,
) -> Consultation:
    """A checked, unsaved consultation. An electronic vote consults the voting members,
    one vote each, and needs the rules' leave."""
    title, text = title.strip(), text.strip()
    if not title:
        raise ValidationError({"title": _("Give the consultation a title.")})
    if kind == Consultation.Kind.AVIS and not text and not attachment:
        raise ValidationError(
            {"text": _("Give the text, or attach the document, members are to comment on.")}
        )
    if kind == Consultation.Kind.VOTE:
        if not text:
            raise ValidationError(
                {"text": _("Write the proposed resolution, as it would enter the register.")}
            )
        if opens_at and closes_at:
            check_vote_allowed(table, opens_at, closes_at)
        audience, committee = Consultation.Audience.VOTING, None
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
        status=status,
        proposed_by=proposed_by,
    )
    if attachment:
        consultation.attachment = attachment
        consultation.attachment_name = attachment.name[:255]
    consultation.full_clean()
    return consultation


def _people_or_refuse(consultation: Consultation) -> list[User]:
    people = list(consulted_people(consultation))
    if not people:
        raise ValidationError(
            _("Nobody would be consulted: no delegate or substitute sits for these members.")
        )
    return people


@transaction.atomic
def consultation_propose(
    *,
    table: Table,
    membership: Membership,
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
) -> Consultation:
    """A member organisation proposes a consultation (an opinion on a text, or an
    electronic vote), where the table's rules in force allow it; the coordination is told
    and accepts or declines it. Nobody else is told until it is accepted."""
    rules = table.rules_on()
    if rules is None or not rules.members_may_propose:
        raise ValidationError(_("The table's rules do not let member organisations propose consultations."))
    if membership.table_id != table.pk or not membership.is_active:
        raise ValidationError(_("This organisation is not a member of the table."))
    if not Delegation.objects.active().filter(membership=membership, person=by).exists():
        raise ValidationError(_("You do not represent this organisation at the table."))
    if kind not in {Consultation.Kind.AVIS, Consultation.Kind.VOTE}:
        raise ValidationError({"kind": _("Members propose an opinion on a text or an electronic vote.")})
    consultation = _build(
        table=table,
        by=by,
        kind=kind,
        title=title,
        text=text,
        opens_at=opens_at,
        closes_at=closes_at,
        audience=audience,
        committee=committee,
        anonymous=anonymous,
        attachment=attachment,
        slots=(),
        status=Consultation.Status.PROPOSED,
        proposed_by=membership,
    )
    consultation.save()
    coordinators = User.objects.filter(
        pk__in=Coordinator.objects.filter(table=table).values("person_id"), is_active=True
    ).order_by("pk")
    _notify(
        consultation,
        coordinators,
        Notification.Kind.CONSULTATION_PROPOSED,
        "tables/email/consultation_proposed",
        reply_to=by,
    )
    return consultation


def _locked_proposal(consultation: Consultation) -> Consultation:
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("table", "proposed_by__organisation")
        .get(pk=consultation.pk)
    )
    if not consultation.is_proposed:
        raise ValidationError(_("This consultation is not a proposal awaiting a decision."))
    return consultation


@transaction.atomic
def consultation_accept(
    *,
    consultation: Consultation,
    by: User,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    """The coordination opens a member's proposal, at the times it gives or else at the
    proposed ones (from now, if the proposed opening is past), under the same checks as a
    consultation it opens itself; the members consulted are told."""
    consultation = _locked_proposal(consultation)
    consultation.opens_at = opens_at or max(consultation.opens_at, timezone.now())
    consultation.closes_at = closes_at or consultation.closes_at
    if consultation.is_vote:
        check_vote_allowed(consultation.table, consultation.opens_at, consultation.closes_at)
    consultation.set_status(Consultation.Status.OPEN)
    consultation.full_clean()
    people = _people_or_refuse(consultation)
    consultation.save()
    _notify(consultation, people, Notification.Kind.CONSULTATION_OPENED, "tables/email/consultation_opened")
    return consultation


@transaction.atomic
def consultation_decline(*, consultation: Consultation, by: User, reason: str) -> Consultation:
    """The coordination declines a member's proposal, saying why to the organisation that
    proposed it."""
    consultation = _locked_proposal(consultation)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the organisation that proposed it.")})
    consultation.set_status(Consultation.Status.DECLINED)
    consultation.decline_reason = reason
    consultation.save(update_fields=["status", "decline_reason"])
    if consultation.proposed_by_id:
        _notify(
            consultation,
            people_sitting_for(Membership.objects.filter(pk=consultation.proposed_by_id)),
            Notification.Kind.PROPOSAL_DECIDED,
            "tables/email/consultation_declined",
            reply_to=by,
        )
    return consultation


def _notify(
    consultation: Consultation, people, kind: str, template: str, *, reply_to: User | None = None
) -> None:
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
        reply_to=[reply_to.email]
        if reply_to and reply_to.email
        else [consultation.created_by.email]
        if consultation.created_by_id
        else None,
        about=consultation,
    )


def _locked_for_answers(consultation: Consultation, membership: Membership) -> Consultation:
    """The consultation's row, locked, once it is sure that it takes answers now and that
    `membership` is among the organisations it consults."""
    consultation = Consultation.objects.select_for_update().select_related("table").get(pk=consultation.pk)
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(
            _("This consultation is closed: answers are no longer accepted.")
            if consultation.is_closed
            else _("This consultation is not open.")
        )
    if consultation.closes_at <= timezone.now():
        raise ValidationError(_("This consultation is closed: answers are no longer accepted."))
    if consultation.is_upcoming:
        raise ValidationError(
            _("This consultation opens on %(date)s: answers are not accepted yet.")
            % {"date": datetime_long(consultation.opens_at)}
        )
    if membership.table_id != consultation.table_id or not membership.is_active:
        raise ValidationError(_("This organisation is not a member of the table."))
    if not consultation.consulted_memberships().filter(pk=membership.pk).exists():
        raise ValidationError(
            _("Only voting members vote; your organisation is not one.")
            if consultation.is_vote
            else _("Your organisation is not among the members consulted.")
        )
    return consultation


@transaction.atomic
def consultation_vote(
    *,
    consultation: Consultation,
    membership: Membership,
    by: User,
    vote: str,
    objection: bool = False,
    comment: str = "",
) -> tuple[ConsultationAnswer, User | None]:
    """Cast the one vote of `membership`'s organisation: by its delegate or, failing that,
    its substitute when the rules let substitutes vote. A vote is final; only the
    delegate may replace the vote a substitute cast before them (the delegate speaks for
    the organisation first). Returns the vote and the substitute whose vote was replaced.

    The consultation's row is locked first, so that two representatives voting at once,
    or a vote racing the closing, are taken one after the other: counted once, or refused."""
    consultation = _locked_for_answers(consultation, membership)
    if not consultation.is_vote:
        raise ValidationError(_("Only an electronic vote takes votes."))
    if vote not in ConsultationAnswer.Vote.values:
        raise ValidationError({"vote": _("Choose for, against or abstention.")})
    roles = set(
        Delegation.objects.active().filter(membership=membership, person=by).values_list("role", flat=True)
    )
    if not roles:
        raise ValidationError(_("You do not represent this organisation at the table."))
    as_substitute = Delegation.Role.DELEGATE not in roles
    rules = consultation.table.rules_on()
    if as_substitute and rules is not None and not rules.substitutes_may_vote:
        raise ValidationError(_("Under the table's rules, only the delegate votes for the organisation."))
    cast = ConsultationAnswer.objects.filter(consultation=consultation, membership=membership).first()
    replaced = None
    if cast is not None:
        if as_substitute or not cast.as_substitute:
            raise ValidationError(
                _("Your organisation already voted (%(vote)s, on %(date)s); a vote is final.")
                % {
                    "vote": cast.get_vote_display(),
                    "date": datetime_long(cast.updated_at),
                }
            )
        replaced = cast.person
    else:
        cast = ConsultationAnswer(consultation=consultation, membership=membership)
    cast.person = by
    cast.vote = vote
    cast.objection = bool(objection)
    cast.comment = comment.strip()
    cast.as_substitute = as_substitute
    cast.save()
    return cast, replaced


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
    consultation = _locked_for_answers(consultation, membership)
    if consultation.is_vote:
        raise ValidationError(_("An electronic vote is answered by a vote."))
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
    if consultation.is_vote:
        _check_vote_may_close(consultation)
    consultation.set_status(Consultation.Status.CLOSED)
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["status", "closed_at"])
    if consultation.is_vote:
        _count_vote(consultation, by)
        # The register and the next meeting's agenda changed with the count.
        consultation.refresh_from_db()
    _notify(
        consultation,
        consulted_people(consultation),
        Notification.Kind.CONSULTATION_CLOSED,
        "tables/email/consultation_closed",
    )
    return consultation


def _check_vote_may_close(consultation: Consultation) -> None:
    """A vote closed early would be shorter than the rules allow: refused until their
    shortest duration is over, unless every voting member has already voted."""
    rules = consultation.table.rules_on()
    if rules is None or not rules.e_votes_allowed:
        return
    shortest = consultation.opens_at + timedelta(days=rules.e_vote_min_days)
    if timezone.now() >= min(shortest, consultation.closes_at):
        return
    if consultation.answers.count() >= consultation.consulted_memberships().count():
        return
    raise ValidationError(
        _(
            "Under the table's rules, a vote stays open %(days)s days unless every voting member "
            "has voted: it may be closed from %(date)s."
        )
        % {
            "days": rules.e_vote_min_days,
            "date": datetime_long(shortest),
        }
    )


def _count_vote(consultation: Consultation, by: User) -> None:
    """Count a closed vote under the rules in force on the day it closes, keep the tally
    on the consultation, and record an adopted vote in the register; what the vote leaves
    for a meeting goes on the next one already planned (or on the next one planned)."""
    table = Table.objects.select_for_update().get(pk=consultation.table_id)
    day = timezone.localtime(consultation.closed_at).date()
    rules = table.rules_on(day)
    votes = consultation.answers.aggregate(
        votes_for=Count("pk", filter=Q(vote=ConsultationAnswer.Vote.FOR)),
        votes_against=Count("pk", filter=Q(vote=ConsultationAnswer.Vote.AGAINST)),
        abstentions=Count("pk", filter=Q(vote=ConsultationAnswer.Vote.ABSTAIN)),
        objections=Count("pk", filter=Q(objection=True)),
    )
    voting_members = consultation.consulted_memberships().count()
    result = tally(rules, voting_members=voting_members, **votes)
    consultation.rules = rules
    consultation.voting_members = voting_members
    for name, value in votes.items():
        setattr(consultation, name, value)
    consultation.outcome = result.outcome
    if consultation.outcome == Consultation.Outcome.ADOPTED:
        number, sequence = _next_number(table, day)
        consultation.resolution = Resolution.objects.create(
            table=table,
            meeting=None,
            number=number,
            sequence=sequence,
            text=consultation.text,
            proposed_by=consultation.proposed_by,
            mode=Resolution.Mode.ELECTRONIC,
            result=Resolution.Result.UNANIMITY if result.unanimous else Resolution.Result.MAJORITY,
            votes_for=votes["votes_for"],
            votes_against=votes["votes_against"],
            abstentions=votes["abstentions"],
            voting_members=voting_members,
            quorum_required=result.needed,
            quorum_present=votes["votes_for"] + votes["votes_against"] + votes["abstentions"],
            majority_percent=rules.e_vote_majority_percent,
            decided_at=consultation.closed_at,
            created_by=by,
        )
    consultation.save()
    if consultation.outcome in {Consultation.Outcome.ADOPTED, Consultation.Outcome.TO_MEETING}:
        meeting = next_plenary_meeting(table)
        if meeting is not None:
            decisions_carry(meeting=meeting)


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
