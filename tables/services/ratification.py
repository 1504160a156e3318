"""What decisions between meetings leave for the next meeting: the resolutions adopted by
electronic vote, which the next plenary meeting ratifies under one standard item, and the
proposals that objections sent back to a meeting, put on its agenda as items to decide.

Called when a vote closes (for the meeting already planned, if any) and when a meeting is
planned (for what waited on no meeting)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import AgendaItem, Consultation, ItemKind, Meeting, Resolution, StandardItem, Table

__all__ = ["decisions_carry", "next_plenary_meeting"]

# The ratification comes right after the business arising from the previous minutes.
AFTER = StandardItem.BUSINESS_ARISING


def next_plenary_meeting(table: Table) -> Meeting | None:
    """The table's next meeting of all its members (not a committee's), planned or
    convened, whose minutes are not yet begun: the one that takes note of what was decided
    since the last."""
    return (
        Meeting.objects.filter(
            table=table,
            committee__isnull=True,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.CONVENED],
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .first()
    )


def _position_after(meeting: Meeting, standard: str) -> int:
    """A position right after the standard item `standard` (or after every opening item
    when the coordination removed it), before the members' items."""
    anchor = (
        meeting.items.filter(standard=standard, parent__isnull=True)
        .values_list("position", flat=True)
        .first()
    )
    if anchor is not None:
        return anchor + 1
    last = meeting.items.filter(parent__isnull=True, position__lt=10_000).aggregate(p=Max("position"))["p"]
    return (last or 0) + 1


@transaction.atomic
def decisions_carry(*, meeting: Meeting) -> tuple[int, int]:
    """Put on `meeting`'s agenda what decisions between meetings left waiting: one item
    « Ratification des décisions prises entre les rencontres » for the table's electronic
    resolutions that no meeting ratifies yet, and one item per proposal sent back to a
    meeting. A committee's meeting, or one already held, takes nothing. Running it twice
    adds nothing. Returns (resolutions carried, proposals carried)."""
    if meeting.committee_id is not None or not meeting.is_editable:
        return 0, 0
    waiting = Resolution.objects.select_for_update().filter(
        table_id=meeting.table_id, mode=Resolution.Mode.ELECTRONIC, ratification_meeting__isnull=True
    )
    carried = waiting.update(ratification_meeting=meeting, updated_at=timezone.now())
    if carried and not meeting.items.filter(standard=StandardItem.RATIFICATION).exists():
        AgendaItem.objects.create(
            meeting=meeting,
            standard=StandardItem.RATIFICATION,
            title=str(StandardItem.RATIFICATION.label),
            kind=ItemKind.DECISION,
            duration_minutes=5,
            position=_position_after(meeting, AFTER),
        )
    sent_back = list(
        Consultation.objects.select_for_update(of=("self",))
        .filter(table_id=meeting.table_id, outcome=Consultation.Outcome.TO_MEETING, agenda_item__isnull=True)
        .select_related("proposed_by")
        .order_by("closed_at", "pk")
    )
    position = _position_before_closing(meeting)
    for n, consultation in enumerate(sent_back):
        item = AgendaItem.objects.create(
            meeting=meeting,
            title=consultation.title[:255],
            description=consultation.text,
            kind=ItemKind.DECISION,
            duration_minutes=15,
            position=position + n,
            proposed_by_organisation_id=(
                consultation.proposed_by.organisation_id if consultation.proposed_by_id else None
            ),
        )
        consultation.agenda_item = item
        consultation.save(update_fields=["agenda_item"])
    return carried, len(sent_back)


def _position_before_closing(meeting: Meeting) -> int:
    """After the members' items, before « Varia » and the closing."""
    last = meeting.items.filter(parent__isnull=True, position__lt=10_000).aggregate(p=Max("position"))["p"]
    return (last or 0) + 10
