"""Agenda ownership: how much of each agenda its members proposed rather than the
coordination — the change seed 000 describes, measured."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from .models import AgendaItem


@dataclass(frozen=True)
class Ownership:
    items: int
    member_items: int
    minutes: int
    member_minutes: int

    @property
    def item_share(self):
        return round(100 * self.member_items / self.items) if self.items else None

    @property
    def minute_share(self):
        return round(100 * self.member_minutes / self.minutes) if self.minutes else None


def agenda_ownership(meetings) -> dict[int, Ownership]:
    """Per meeting id, in one query: retained items other than the standard ones, and the
    share (in count and in minutes of agenda time) proposed by member organisations."""
    rows = (
        AgendaItem.objects.filter(meeting__in=meetings, status=AgendaItem.Status.RETAINED, standard="")
        .values("meeting_id")
        .annotate(
            items=Count("pk"),
            member_items=Count("pk", filter=Q(proposed_by_organisation__isnull=False)),
            minutes=Sum("duration_minutes"),
            member_minutes=Sum("duration_minutes", filter=Q(proposed_by_organisation__isnull=False)),
        )
    )
    return {
        row["meeting_id"]: Ownership(
            items=row["items"],
            member_items=row["member_items"],
            minutes=row["minutes"] or 0,
            member_minutes=row["member_minutes"] or 0,
        )
        for row in rows
    }


def total(ownerships) -> Ownership:
    ownerships = list(ownerships)
    return Ownership(
        items=sum(o.items for o in ownerships),
        member_items=sum(o.member_items for o in ownerships),
        minutes=sum(o.minutes for o in ownerships),
        member_minutes=sum(o.member_minutes for o in ownerships),
    )
