"""Minutes (procès-verbal): notes per agenda item, numbered resolutions, the circulation of
the draft for members' comments, adoption at a later meeting, and follow-ups.

Adopted minutes are the table's record: nothing in them changes afterwards. Every
service below that would touch them refuses, and a mistake is corrected by a new
resolution that refers to them (`corrects`).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import access_for
from members.emails import site_url
from members.formatting import date_long
from members.models import Delegation, EmailKind, Notification, Organisation, User
from members.services.editing import EditConflict
from members.services.notifications import notify

from ..models import (
    AgendaItem,
    Attendance,
    FollowUp,
    GovernanceRules,
    Meeting,
    Membership,
    Minutes,
    MinutesComment,
    MinutesNote,
    Resolution,
    Table,
    people_sitting_for,
)
from ..quorum import meeting_quorum

__all__ = [
    "HEADER_FIELDS",
    "EditConflict",
    "check_may_decide",
    "comment_add",
    "comment_reply",
    "followup_complete",
    "followup_create",
    "followup_update",
    "minutes_adopt",
    "minutes_circulate",
    "minutes_start",
    "minutes_update",
    "note_save",
    "resolution_delete",
    "resolution_record",
    "resolution_update",
]

HEADER_FIELDS = ("chair", "opened_at", "closed_at", "introduction", "notice_waived")
RESOLUTION_FIELDS = (
    "text",
    "proposed_by",
    "seconded_by",
    "mode",
    "result",
    "votes_for",
    "votes_against",
    "abstentions",
    "dissent",
    "dissenting",
    "adopts_minutes",
    "corrects",
    "departs_from_rules",
)
VOTE_FIELDS = ("votes_for", "votes_against", "abstentions")
# What a follow-up says belongs to the minutes and is frozen with them; its due date,
# the person in charge and its progress are tracked afterwards.
FOLLOW_UP_RECORD_FIELDS = ("description", "organisation", "item", "resolution")
FOLLOW_UP_TRACKING_FIELDS = ("due", "person", "status", "closing_note")
OPEN_STATUSES = (Minutes.Status.DRAFT, Minutes.Status.CIRCULATED)


# The minutes' own words for a conflict (members.services.editing.EditConflict).
MINUTES_CONFLICT = gettext_lazy(
    "%(name)s saved this part of the minutes while you were editing it. Nothing of yours was lost."
)


def _take(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    return fields


def _adopted_error() -> ValidationError:
    return ValidationError(
        _("Adopted minutes cannot be changed; record a correcting resolution instead."), code="adopted"
    )


def _check_open(minutes: Minutes) -> None:
    if minutes.status not in OPEN_STATUSES:
        raise _adopted_error()


def _check_started(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no minutes."))
    if (
        meeting.status in {Meeting.Status.PLANNED, Meeting.Status.CONVENED}
        and meeting.starts_at > timezone.now()
    ):
        raise ValidationError(_("The minutes can be written once the meeting has begun."))


def _locked_minutes(meeting: Meeting) -> Minutes:
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise ValidationError(_("Start the minutes of this meeting first."))
    return minutes


def _check_item(meeting: Meeting, item: AgendaItem | None) -> None:
    if item is not None and (item.meeting_id != meeting.pk or item.status != AgendaItem.Status.RETAINED):
        raise ValidationError({"item": _("Choose an item of this meeting's agenda.")})


# The minutes and their notes -----------------------------------------------------------------


@transaction.atomic
def minutes_start(*, meeting: Meeting, by: User | None) -> Minutes:
    """Open the draft minutes of a meeting that has begun, with an empty note for each
    item on its agenda. Calling it again returns the same minutes and adds a note for any
    item put on the agenda since."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        _check_started(meeting)
        minutes = Minutes.objects.create(meeting=meeting, updated_by=by)
    if minutes.status in OPEN_STATUSES:
        noted = MinutesNote.objects.filter(minutes=minutes).values("item_id")
        missing = meeting.items.retained().exclude(pk__in=noted)
        MinutesNote.objects.bulk_create([MinutesNote(minutes=minutes, item=item) for item in missing])
    return minutes


def _normalise(text: str) -> str:
    # Browsers send textareas with CRLF line ends; compare and store plain LF.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def note_save(*, note: MinutesNote, text: str, expected_version: int, by: User) -> MinutesNote:
    """Save the notes on one item if nobody else saved them since `expected_version`.

    The write is a single conditional UPDATE (`… WHERE version = expected`), so two people
    saving at the same moment cannot both win. The loser gets an EditConflict with the
    winner's text; saving the same text as the winner is not a conflict.
    """
    minutes = Minutes.objects.select_for_update().get(pk=note.minutes_id)
    _check_open(minutes)
    text = _normalise(text)
    saved = MinutesNote.objects.filter(pk=note.pk, version=expected_version).update(
        text=text, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    current = MinutesNote.objects.select_related("updated_by").get(pk=note.pk)
    if not saved and current.text != text:
        raise EditConflict(
            message=MINUTES_CONFLICT,
            current=current.text,
            version=current.version,
            saved_by=current.updated_by,
            saved_at=current.updated_at,
        )
    return current


@transaction.atomic
def minutes_update(*, minutes: Minutes, expected_version: int, by: User, **fields) -> Minutes:
    """Change the header of the minutes (chair, opening and closing times, introduction),
    with the same optimistic locking as the notes."""
    _take(fields, HEADER_FIELDS)
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    _check_open(locked)
    if "introduction" in fields:
        fields["introduction"] = _normalise(fields["introduction"])
    opened = fields.get("opened_at", locked.opened_at)
    closed = fields.get("closed_at", locked.closed_at)
    if opened and closed and closed <= opened:
        raise ValidationError({"closed_at": _("The meeting must close after it opens.")})
    meeting = Meeting.objects.select_for_update().get(pk=locked.meeting_id)
    if (
        locked.notice_waived
        and fields.get("notice_waived") is False
        and not meeting.convened_in_time()
        and meeting.resolutions.exists()
    ):
        raise ValidationError(
            {
                "notice_waived": _(
                    "The meeting took decisions on the strength of this waiver: it stays recorded."
                )
            }
        )
    saved = Minutes.objects.filter(pk=locked.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    locked.refresh_from_db()
    if (
        saved
        and locked.notice_waived
        and meeting.status in {Meeting.Status.PLANNED, Meeting.Status.CONVENED}
        and meeting.starts_at <= timezone.now()
    ):
        # The members present waived the notice: the meeting sits, as the minutes say.
        meeting.set_status(Meeting.Status.HELD)
        meeting.save(update_fields=["status", "updated_at"])
    if not saved:
        current = {name: getattr(locked, name) for name in HEADER_FIELDS}
        if any(current[name] != value for name, value in fields.items()):
            raise EditConflict(
                message=MINUTES_CONFLICT,
                current=current,
                version=locked.version,
                saved_by=locked.updated_by,
                saved_at=locked.updated_at,
            )
    return locked


# Resolutions ------------------------------------------------------------------------------


# The resolution's mode that each decision mode of the rules provides for.
RULES_MODE = {
    GovernanceRules.DecisionMode.CONSENSUS: Resolution.Mode.CONSENSUS,
    GovernanceRules.DecisionMode.CONSENT: Resolution.Mode.CONSENT,
    GovernanceRules.DecisionMode.MAJORITY: Resolution.Mode.VOTE,
}


def check_may_decide(meeting: Meeting) -> None:
    """A meeting decides only if it was called as the rules require: convened in time, or
    its minutes record that the members present waived the notice of convocation. (A
    meeting already held went through this check when it was marked held.)"""
    if meeting.status not in {Meeting.Status.PLANNED, Meeting.Status.CONVENED}:
        return
    rules = meeting.rules()
    if meeting.regularly_called(rules):
        return
    if meeting.convened_at is None:
        raise ValidationError(
            _(
                "This meeting was never convened. It can decide only if the members present waive "
                "the notice of convocation: record the waiver at the top of the minutes first."
            )
        )
    raise ValidationError(
        _(
            "The convocation went out on %(sent)s, later than the %(days)s days' notice the rules "
            "require. The meeting can decide only if the members present waive the notice: record "
            "the waiver at the top of the minutes first."
        )
        % {
            "sent": date_long(meeting.convened_at),
            "days": rules.notice_days,
        }
    )


def _present_membership_ids(meeting: Meeting) -> set[int]:
    return set(
        Attendance.objects.filter(
            meeting=meeting, present=True, membership__table_id=meeting.table_id
        ).values_list("membership_id", flat=True)
    )


def _validate(resolution: Resolution, dissenting: list[Membership]) -> None:
    """The model's own checks (votes against the mode and the majority), then what the
    model cannot know: who was present, and which minutes of the table a resolution may
    adopt or correct. All problems are reported together."""
    meeting = resolution.meeting
    errors: dict[str, list] = {}
    try:
        resolution.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    rules = meeting.rules()
    expected = RULES_MODE.get(rules.decision_mode) if rules else None
    if expected is None or resolution.mode == expected:
        resolution.departs_from_rules = False
    elif not resolution.departs_from_rules:
        errors.setdefault("mode", []).append(
            _(
                "The rules in force (version %(version)s) provide for decisions by %(rules_mode)s. "
                "Confirm that the meeting decided by %(mode)s instead: the minutes will say so."
            )
            % {
                "version": rules.version,
                "rules_mode": rules.get_decision_mode_display().lower(),
                "mode": resolution.get_mode_display().lower(),
            }
        )
    present = _present_membership_ids(meeting)
    absent = _("Choose an organisation recorded as present at this meeting.")
    for name in ("proposed_by", "seconded_by"):
        membership_id = getattr(resolution, f"{name}_id")
        if membership_id is not None and membership_id not in present:
            errors.setdefault(name, []).append(absent)
    if any(m.pk not in present for m in dissenting):
        errors.setdefault("dissenting", []).append(absent)
    elif resolution.proposed_by_id and any(m.pk == resolution.proposed_by_id for m in dissenting):
        errors.setdefault("dissenting", []).append(_("The organisation that proposed cannot dissent."))
    if resolution.mode == Resolution.Mode.VOTE and resolution.quorum_present:
        cast = sum(getattr(resolution, name) or 0 for name in VOTE_FIELDS)
        if rules and rules.one_vote_per_organisation and cast > resolution.quorum_present:
            errors.setdefault("votes_for", []).append(
                _("%(cast)s votes, but %(present)s voting members are present, with one vote each.")
                % {"cast": cast, "present": resolution.quorum_present}
            )
    # Read the named minutes afresh: the caller's copies may predate an adoption.
    named = Minutes.objects.select_related("meeting").in_bulk(
        [pk for pk in (resolution.adopts_minutes_id, resolution.corrects_id) if pk]
    )
    target = named.get(resolution.adopts_minutes_id)
    corrected = named.get(resolution.corrects_id)
    if target is not None:
        if target.meeting.table_id != meeting.table_id or target.meeting.starts_at >= meeting.starts_at:
            errors.setdefault("adopts_minutes", []).append(
                _("A meeting adopts the minutes of an earlier meeting of the same table.")
            )
        elif target.is_adopted and target.adopted_by_id != resolution.pk:
            errors.setdefault("adopts_minutes", []).append(_("These minutes are already adopted."))
    if corrected is not None and (corrected.meeting.table_id != meeting.table_id or not corrected.is_adopted):
        errors.setdefault("corrects", []).append(_("Only adopted minutes of this table are corrected."))
    if target is not None and corrected is not None:
        errors.setdefault("corrects", []).append(_("A resolution adopts minutes or corrects them, not both."))
    if errors:
        raise ValidationError(errors)


def _fill(resolution: Resolution, fields: dict) -> list[Membership] | None:
    dissenting = fields.pop("dissenting", None)
    for name, value in fields.items():
        setattr(resolution, name, value.strip() if isinstance(value, str) else value)
    if resolution.mode != Resolution.Mode.VOTE:
        # Votes typed before switching to consensus would contradict the result.
        for name in VOTE_FIELDS:
            setattr(resolution, name, None)
    return None if dissenting is None else list(dissenting)


def _snapshot_quorum(resolution: Resolution, meeting: Meeting) -> None:
    quorum = meeting_quorum(meeting)
    rules = meeting.rules()
    resolution.voting_members = quorum.voting_members
    resolution.quorum_required = quorum.required
    resolution.quorum_present = quorum.present
    resolution.majority_percent = rules.majority_percent if rules else 50


def _next_number(table: Table, day: date) -> tuple[str, int]:
    prefix = f"{day:%Y-%m}-"
    last = Resolution.objects.filter(table=table, number__startswith=prefix).aggregate(n=Max("sequence"))["n"]
    sequence = (last or 0) + 1
    return f"{prefix}{sequence:02d}", sequence


@transaction.atomic
def resolution_record(*, meeting: Meeting, by: User, item: AgendaItem | None = None, **fields) -> Resolution:
    """Record a resolution in the minutes of `meeting` and give it the next number of the
    table's register: `YYYY-MM-NN`, the year and month of the meeting and the next
    sequence of that table in that month.

    The table's row is locked while the number is chosen, so two secretaries recording at
    the same moment wait for each other instead of taking the same number (the unique
    constraint on table and number is the last line of defence). The quorum and the
    majority of the rules in force are kept on the resolution as they are now.

    A resolution that adopts earlier minutes and is itself adopted locks them at once
    (see `minutes_adopt`).
    """
    _take(fields, RESOLUTION_FIELDS)
    table = Table.objects.select_for_update().get(pk=meeting.table_id)
    minutes_start(meeting=meeting, by=by)
    minutes = _locked_minutes(meeting)
    _check_open(minutes)
    meeting.minutes = minutes
    check_may_decide(meeting)
    _check_item(meeting, item)
    resolution = Resolution(table=table, meeting=meeting, item=item, created_by=by)
    dissenting = _fill(resolution, fields) or []
    if item is None and resolution.adopts_minutes is not None:
        item = meeting.items.retained().filter(standard="minutes_adoption").first()
        resolution.item = item
    _snapshot_quorum(resolution, meeting)
    resolution.number, resolution.sequence = _next_number(table, meeting.date)
    _validate(resolution, dissenting)
    resolution.save()
    resolution.dissenting.set(dissenting)
    if resolution.adopts_minutes is not None and resolution.is_adopted:
        minutes_adopt(minutes=resolution.adopts_minutes, resolution=resolution, by=by)
    return resolution


def _check_adoption_kept(resolution: Resolution, adopted: Minutes | None) -> None:
    if adopted is not None and (resolution.adopts_minutes_id != adopted.pk or not resolution.is_adopted):
        raise ValidationError(
            _(
                "This resolution adopted the minutes of %(meeting)s, which are now locked: "
                "it must keep adopting them."
            )
            % {"meeting": adopted.meeting}
        )


def _check_not_electronic(resolution: Resolution) -> None:
    if resolution.is_electronic:
        raise ValidationError(
            _(
                "This resolution was adopted by electronic vote: it is not in any minutes, and "
                "stays as the vote decided it. A later resolution may amend or repeal it."
            )
        )


@transaction.atomic
def resolution_update(*, resolution: Resolution, by: User, **fields) -> Resolution:
    """Amend a resolution (its fields, or the `item` it is recorded under) while the
    minutes that record it are not adopted. Its number and the quorum kept when it was
    recorded do not change."""
    _take(fields, (*RESOLUTION_FIELDS, "item"))
    resolution = (
        Resolution.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=resolution.pk)
    )
    _check_not_electronic(resolution)
    meeting = resolution.meeting
    _check_open(_locked_minutes(meeting))
    if "item" in fields:
        _check_item(meeting, fields["item"])
    adopted = Minutes.objects.filter(adopted_by=resolution).select_related("meeting").first()
    dissenting = _fill(resolution, fields)
    if dissenting is None:
        dissenting = list(resolution.dissenting.all())
    _validate(resolution, dissenting)
    _check_adoption_kept(resolution, adopted)
    resolution.save()
    resolution.dissenting.set(dissenting)
    if adopted is None and resolution.adopts_minutes is not None and resolution.is_adopted:
        minutes_adopt(minutes=resolution.adopts_minutes, resolution=resolution, by=by)
    return resolution


@transaction.atomic
def resolution_delete(*, resolution: Resolution, by: User) -> None:
    """Remove a resolution recorded by mistake, while its minutes are not adopted.

    Numbers are never renumbered: the next number of a month is one more than the highest
    still in the register. Deleting the latest resolution of the month therefore gives its
    number to the next one (the usual case: a slip while typing in the draft), while
    deleting an earlier one leaves a gap, because the numbers after it may already have
    been circulated and cited. A resolution that adopted other minutes cannot be deleted:
    those minutes are locked by it.
    """
    resolution = (
        Resolution.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=resolution.pk)
    )
    _check_not_electronic(resolution)
    _check_open(_locked_minutes(resolution.meeting))
    adopted = Minutes.objects.filter(adopted_by=resolution).select_related("meeting").first()
    if adopted is not None:
        raise ValidationError(
            _("This resolution adopted the minutes of %(meeting)s; it cannot be deleted.")
            % {"meeting": adopted.meeting}
        )
    resolution.delete()


# Circulation, comments, adoption -------------------------------------------------------------


def _table_people(table: Table):
    """Each person who currently sits at the table as delegate or substitute, once."""
    delegations = (
        Delegation.objects.active()
        .filter(membership__in=table.memberships.active())
        .select_related("person")
        .order_by("person_id")
    )
    seen = set()
    for delegation in delegations:
        if delegation.person_id not in seen and delegation.person.is_active and delegation.person.email:
            seen.add(delegation.person_id)
            yield delegation.person


@transaction.atomic
def minutes_circulate(*, minutes: Minutes, by: User) -> int:
    """Send the draft to every delegate and substitute of the table for comments: a
    notification each, emailed in its reader's language as they chose, by Celery once the
    transaction commits. Returns how many people were told."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__table").get(pk=minutes.pk)
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(_("Only draft minutes can be circulated."))
    minutes.status = Minutes.Status.CIRCULATED
    minutes.circulated_at = timezone.now()
    minutes.updated_by = by
    minutes.save(update_fields=["status", "circulated_at", "updated_by", "updated_at"])
    meeting = minutes.meeting
    url = site_url(reverse("tables:minutes-detail", args=[meeting.table.slug, meeting.pk]))
    return notify(
        people=list(_table_people(meeting.table)),
        kind=Notification.Kind.MINUTES_CIRCULATED,
        template="tables/email/minutes_circulated",
        context={"meeting": meeting, "table": meeting.table, "minutes": minutes, "url": url},
        email_kind=EmailKind.MINUTES,
        reply_to=[by.email] if by.email else None,
        about=minutes,
    )


@transaction.atomic
def comment_add(
    *, minutes: Minutes, by: User, organisation: Organisation, text: str, item: AgendaItem | None = None
) -> MinutesComment:
    """A delegate or substitute comments the circulated draft for their organisation, on
    one item or on the whole."""
    minutes = Minutes.objects.select_related("meeting").get(pk=minutes.pk)
    if minutes.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("Comments are taken while the draft is circulated."))
    if not access_for(by).represents(minutes.meeting.table_id, organisation.pk):
        raise ValidationError(
            {"organisation": _("You comment for an organisation you represent at this table.")}
        )
    _check_item(minutes.meeting, item)
    text = _normalise(text).strip()
    if not text:
        raise ValidationError({"text": _("Write your comment.")})
    return MinutesComment.objects.create(
        minutes=minutes, item=item, author=by, organisation=organisation, text=text
    )


@transaction.atomic
def comment_reply(*, comment: MinutesComment, by: User, text: str) -> MinutesComment:
    """The secretary or the coordination answers a member's comment."""
    comment = MinutesComment.objects.select_related("minutes").get(pk=comment.pk)
    if comment.reply_to_id is not None:
        raise ValidationError(_("Answer the member's comment itself."))
    if comment.minutes.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("Comments are answered while the draft is circulated."))
    text = _normalise(text).strip()
    if not text:
        raise ValidationError({"text": _("Write your answer.")})
    return MinutesComment.objects.create(
        minutes=comment.minutes, item=comment.item, author=by, text=text, reply_to=comment
    )


@transaction.atomic
def minutes_adopt(*, minutes: Minutes, resolution: Resolution, by: User) -> Minutes:
    """Adopt minutes by an adopted resolution of a later meeting of the same table. The
    minutes are locked for good and their meeting is closed. Adopting again by the same
    resolution changes nothing."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    if minutes.is_adopted:
        if minutes.adopted_by_id == resolution.pk:
            return minutes
        raise ValidationError(_("These minutes are already adopted."))
    if resolution.adopts_minutes_id != minutes.pk or not resolution.is_adopted:
        raise ValidationError(_("Minutes are adopted by an adopted resolution that names them."))
    if (
        resolution.meeting.table_id != minutes.meeting.table_id
        or resolution.meeting.starts_at <= minutes.meeting.starts_at
    ):
        raise ValidationError(_("A meeting adopts the minutes of an earlier meeting of the same table."))
    minutes.status = Minutes.Status.ADOPTED
    # Adopted on the day of the meeting that adopted them, whenever that was typed in.
    minutes.adopted_at = resolution.meeting.starts_at
    minutes.adopted_by = resolution
    minutes.updated_by = by
    minutes.save(update_fields=["status", "adopted_at", "adopted_by", "updated_by", "updated_at"])
    meeting = Meeting.objects.select_for_update().get(pk=minutes.meeting_id)
    if meeting.status != Meeting.Status.CLOSED:
        # Minutes adopted prove the meeting was held, even if nobody marked it so.
        if meeting.can_become(Meeting.Status.HELD):
            meeting.set_status(Meeting.Status.HELD)
        meeting.set_status(Meeting.Status.CLOSED)
        meeting.save(update_fields=["status", "updated_at"])
    minutes.meeting = meeting
    return minutes


# Follow-ups --------------------------------------------------------------------------------


def _check_follow_up(follow_up: FollowUp) -> None:
    meeting = follow_up.meeting
    errors = {}
    if (
        follow_up.organisation_id
        and not Membership.objects.filter(
            table_id=meeting.table_id, organisation_id=follow_up.organisation_id
        )
        .active(on=meeting.date)
        .exists()
    ):
        errors["organisation"] = _("Choose a member organisation of this table.")
    if (
        follow_up.person_id
        and follow_up.organisation_id
        and not (
            Delegation.objects.active()
            .filter(
                person_id=follow_up.person_id,
                membership__table_id=meeting.table_id,
                membership__organisation_id=follow_up.organisation_id,
            )
            .exists()
        )
    ):
        errors["person"] = _("Choose a person who represents this organisation at the table.")
    if follow_up.item_id and (
        follow_up.item.meeting_id != meeting.pk or follow_up.item.status != AgendaItem.Status.RETAINED
    ):
        errors["item"] = _("Choose an item of this meeting's agenda.")
    if follow_up.resolution_id and follow_up.resolution.meeting_id != meeting.pk:
        errors["resolution"] = _("Choose a resolution of this meeting.")
    if follow_up.due and follow_up.due < meeting.date:
        errors["due"] = _("The deadline comes after the meeting.")
    if errors:
        raise ValidationError(errors)


def _record_frozen(meeting: Meeting) -> bool:
    return Minutes.objects.filter(meeting=meeting, status=Minutes.Status.ADOPTED).exists()


def _set_status(follow_up: FollowUp, status: str) -> None:
    if status == follow_up.status:
        return
    follow_up.status = status
    follow_up.done_at = timezone.now() if status == FollowUp.Status.DONE else None


def _tell_organisation(follow_up: FollowUp, by: User | None) -> int:
    """The delegates and substitutes of the organisation responsible for an open
    follow-up are told what it committed to and by when, answered to whoever recorded it.
    Returns how many people were told."""
    if follow_up.organisation_id is None or follow_up.status != FollowUp.Status.OPEN:
        return 0
    meeting = follow_up.meeting
    memberships = Membership.objects.active().filter(
        table_id=follow_up.table_id, organisation_id=follow_up.organisation_id
    )
    return notify(
        people=list(people_sitting_for(memberships)),
        kind=Notification.Kind.FOLLOW_UP_ASSIGNED,
        template="tables/email/follow_up_assigned",
        context={
            "follow_up": follow_up,
            "meeting": meeting,
            "table": meeting.table,
            "organisation": follow_up.organisation,
            "url": site_url(reverse("tables:follow-up-list", args=[meeting.table.slug])),
        },
        # With the reminders of follow-ups coming due: one kind of email about them.
        email_kind=EmailKind.REMINDER,
        about=follow_up,
        reply_to=[by.email] if by and by.email else None,
    )


@transaction.atomic
def followup_create(*, meeting: Meeting, by: User, **fields) -> FollowUp:
    """Record a commitment made at a meeting: what, which organisation, by when. Open
    follow-ups come back under "business arising" at the next meetings and on the
    organisation's dashboard; the organisation's delegates and substitutes are told."""
    _take(fields, (*FOLLOW_UP_RECORD_FIELDS, "due", "person"))
    _check_started(meeting)
    if _record_frozen(meeting):
        raise _adopted_error()
    follow_up = FollowUp(table_id=meeting.table_id, meeting=meeting, created_by=by, **fields)
    follow_up.description = follow_up.description.strip()
    follow_up.full_clean()
    _check_follow_up(follow_up)
    follow_up.save()
    _tell_organisation(follow_up, by)
    return follow_up


@transaction.atomic
def followup_update(*, follow_up: FollowUp, by: User, **fields) -> FollowUp:
    """Change a follow-up. What it commits to (description, organisation, item,
    resolution) is part of the minutes and is frozen once they are adopted; the due
    date, the person and the progress can always be updated. An organisation newly made
    responsible is told, as at its creation."""
    _take(fields, (*FOLLOW_UP_RECORD_FIELDS, *FOLLOW_UP_TRACKING_FIELDS))
    follow_up = FollowUp.objects.select_for_update().select_related("meeting").get(pk=follow_up.pk)
    if _record_frozen(follow_up.meeting) and any(
        name in fields and fields[name] != getattr(follow_up, name) for name in FOLLOW_UP_RECORD_FIELDS
    ):
        raise _adopted_error()
    status = fields.pop("status", follow_up.status)
    responsible = follow_up.organisation_id
    for name, value in fields.items():
        setattr(follow_up, name, value.strip() if isinstance(value, str) else value)
    _set_status(follow_up, status)
    follow_up.full_clean()
    _check_follow_up(follow_up)
    follow_up.save()
    if follow_up.organisation_id != responsible:
        _tell_organisation(follow_up, by)
    return follow_up


@transaction.atomic
def followup_complete(*, follow_up: FollowUp, by: User, note: str = "") -> FollowUp:
    """Mark a follow-up done, with an optional note on what was done. Completing it again
    keeps the first completion."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status == FollowUp.Status.DONE:
        return follow_up
    if follow_up.status == FollowUp.Status.CANCELLED:
        raise ValidationError(_("This follow-up was cancelled."))
    _set_status(follow_up, FollowUp.Status.DONE)
    note = _normalise(note).strip()
    if note:
        follow_up.closing_note = note
    follow_up.save(update_fields=["status", "done_at", "closing_note", "updated_at"])
    return follow_up
