"""Meeting clashes: meetings of tables that share member organisations, at overlapping
times, so that the same organisation is called to two places at once.

Two meetings clash when
* both are planned or convened (held, closed and cancelled ones are over or off),
* they belong to two different tables,
* their times overlap: one starts before the other ends. A meeting that ends at 11 h 00
  and one that starts at 11 h 00 do not clash;
* at least one organisation is called to both: an active member of both tables on the
  meeting's day (and of the committee, for a committee meeting).

The detection reads the same few queries whatever the number of meetings: the meetings in
scope with their times and tables, the memberships of those tables (with the
organisations' names), and the committees' members when a committee meets; then one
sweep over the meetings in order of start keeps, for each, the meetings still running.
The regional and monthly reports are cached like the regional overview (same version, so
that saving a meeting, a membership or a table shows at once).

What a viewer may see is decided where a clash is shown (`SeenSlot`, `shown_names`): a
meeting of a table the viewer may not see is "a meeting of another table", without its
title or its table's name, and the organisations sitting on it are only counted.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from heapq import heappop, heappush

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Committee, Meeting, Membership, Table
from ..regional import CACHE_SECONDS, _key

__all__ = [
    "Clash",
    "ClashGroup",
    "ClashReport",
    "SeenSlot",
    "Slot",
    "clashes_between",
    "detect_clashes",
    "organisation_clashes",
    "slot_clashes",
    "upcoming_clashes",
]

# Meetings still to come: what a clash can be resolved for.
ACTIVE_STATUSES = (Meeting.Status.PLANNED, Meeting.Status.CONVENED)
# How far ahead the regional view and a delegate's page look.
UPCOMING_WEEKS = 8
# A meeting always has an end (`Meeting.ends_at` is required and after the start); a slot
# typed on the meeting form may not have one yet: it is taken to last as long as a new
# meeting lasts by default on that form.
DEFAULT_DURATION = timedelta(hours=3)


@dataclass(frozen=True)
class TableInfo:
    id: int
    name: str
    acronym: str
    slug: str
    is_public: bool
    region_id: int | None

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


@dataclass(frozen=True)
class Slot:
    """A meeting as the detection sees it; `id` is None for a meeting being planned."""

    id: int | None
    table_id: int
    committee_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    day: date  # of the start, in local time: the day memberships are read on

    @classmethod
    def at(cls, id, table_id, committee_id, title, starts_at, ends_at, tz=None) -> "Slot":
        day = starts_at.astimezone(tz or timezone.get_current_timezone()).date()
        return cls(id, table_id, committee_id, title, starts_at, ends_at, day)

    def overlaps(self, other: "Slot") -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class Clash:
    """Two overlapping meetings and the organisations called to both (first starts first)."""

    first: Slot
    second: Slot
    organisation_ids: frozenset

    def other(self, slot: Slot) -> Slot:
        return self.second if slot == self.first else self.first

    def involves(self, slot_id) -> bool:
        return slot_id in (self.first.id, self.second.id)


@dataclass
class ClashGroup:
    """Meetings linked by clashes (A clashes with B, B with C): one time to move, one
    line in the regional view."""

    slots: list
    clashes: list
    organisation_ids: frozenset

    @property
    def starts_at(self) -> datetime:
        return min(slot.starts_at for slot in self.slots)

    @property
    def ends_at(self) -> datetime:
        return max(slot.ends_at for slot in self.slots)


@dataclass
class ClashReport:
    since: datetime
    until: datetime
    computed_at: datetime
    clashes: list
    # Of the meetings in a clash only.
    tables: dict = field(default_factory=dict)
    # id → (name, acronym) of the organisations called twice.
    organisations: dict = field(default_factory=dict)

    @property
    def affected_organisation_ids(self) -> frozenset:
        return frozenset().union(*(clash.organisation_ids for clash in self.clashes))

    def affected_by_meeting(self) -> dict:
        """Meeting id → the organisations also called elsewhere at its time."""
        found = defaultdict(set)
        for clash in self.clashes:
            found[clash.first.id] |= clash.organisation_ids
            found[clash.second.id] |= clash.organisation_ids
        return {pk: frozenset(ids) for pk, ids in found.items()}

    def by_meeting(self) -> dict:
        """Meeting id → its clashes."""
        found = defaultdict(list)
        for clash in self.clashes:
            found[clash.first.id].append(clash)
            found[clash.second.id].append(clash)
        return found

    def for_meeting(self, meeting_id) -> list:
        return [clash for clash in self.clashes if clash.involves(meeting_id)]

    def touching(self, organisation_ids: Iterable[int]) -> "ClashReport":
        """The clashes one of `organisation_ids` is called to twice, and only them (each
        with every organisation it calls twice)."""
        wanted = frozenset(organisation_ids)
        clashes = [clash for clash in self.clashes if clash.organisation_ids & wanted]
        return ClashReport(self.since, self.until, self.computed_at, clashes, self.tables, self.organisations)

    def groups(self) -> list:
        """The clashes joined into groups of meetings (union-find on meeting ids), earliest
        first."""
        parent = {}

        def root(pk):
            while parent.setdefault(pk, pk) != pk:
                parent[pk] = parent[parent[pk]]
                pk = parent[pk]
            return pk

        for clash in self.clashes:
            parent[root(clash.first.id)] = root(clash.second.id)
        members = defaultdict(list)
        for clash in self.clashes:
            members[root(clash.first.id)].append(clash)
        groups = []
        for clashes in members.values():
            slots = {clash.first.id: clash.first for clash in clashes} | {
                clash.second.id: clash.second for clash in clashes
            }
            groups.append(
                ClashGroup(
                    slots=sorted(slots.values(), key=lambda s: (s.starts_at, s.table_id)),
                    clashes=clashes,
                    organisation_ids=frozenset().union(*(c.organisation_ids for c in clashes)),
                )
            )
        return sorted(groups, key=lambda g: (g.starts_at, g.slots[0].table_id))

    def organisation_names(self, ids: Iterable[int]) -> list:
        names = [
            self.organisations[pk][1] or self.organisations[pk][0] for pk in ids if pk in self.organisations
        ]
        return sorted(names, key=str.casefold)


# Detection ---------------------------------------------------------------------------------

SLOT_FIELDS = (
    "pk",
    "table_id",
    "committee_id",
    "title",
    "starts_at",
    "ends_at",
    "table__name",
    "table__acronym",
    "table__slug",
    "table__visibility",
    "table__region_id",
)


def _read_slots(meetings: QuerySet, since: datetime, until: datetime):
    """Query 1: the meetings in scope that are running at some time in [since, until)."""
    slots, tables = [], {}
    tz = timezone.get_current_timezone()
    rows = (
        meetings.filter(status__in=ACTIVE_STATUSES, ends_at__gt=since, starts_at__lt=until)
        .order_by()
        .values_list(*SLOT_FIELDS)
    )
    for (
        pk,
        table_id,
        committee_id,
        title,
        starts_at,
        ends_at,
        name,
        acronym,
        slug,
        visibility,
        region,
    ) in rows:
        slots.append(
            Slot.at(pk, table_id, committee_id, title, starts_at, ends_at or starts_at + DEFAULT_DURATION, tz)
        )
        if table_id not in tables:
            tables[table_id] = TableInfo(
                table_id, name, acronym, slug, visibility == Table.Visibility.PUBLIC, region
            )
    return slots, tables


class _Members:
    """Who is called to a slot, from the memberships of its table (query 2) and, for a
    committee meeting, the committee's members (query 3, only when a committee meets)."""

    def __init__(self, slots: list):
        table_ids = {slot.table_id for slot in slots}
        days = [slot.day for slot in slots] or [timezone.localdate()]
        self.by_table = defaultdict(list)
        self.names = {}
        rows = (
            Membership.objects.filter(table_id__in=table_ids, joined__lte=max(days))
            .filter(Q(left__isnull=True) | Q(left__gt=min(days)))
            .order_by()
            .values_list(
                "pk",
                "table_id",
                "organisation_id",
                "joined",
                "left",
                "organisation__name",
                "organisation__acronym",
            )
        )
        first, last = min(days), max(days)
        # Most seats are held over the whole window: their organisations are gathered once
        # per table; only the seats that begin or end within it are read day by day.
        self.steady = defaultdict(set)
        self.changing = defaultdict(list)
        for pk, table_id, organisation_id, joined, left, name, acronym in rows:
            self.by_table[table_id].append((pk, organisation_id, joined, left))
            self.names[organisation_id] = (name, acronym)
            if joined <= first and (left is None or left > last):
                self.steady[table_id].add(organisation_id)
            else:
                self.changing[table_id].append((organisation_id, joined, left))
        self.steady = {table_id: frozenset(ids) for table_id, ids in self.steady.items()}
        committees = {slot.committee_id for slot in slots if slot.committee_id}
        self.committee = defaultdict(set)
        if committees:
            for committee_id, membership_id in Committee.members.through.objects.filter(
                committee_id__in=committees
            ).values_list("committee_id", "membership_id"):
                self.committee[committee_id].add(membership_id)
        self._memo = {}

    def neighbours(self) -> dict:
        """Table id → the other tables with which it has shared a member organisation
        at some time in the window."""
        tables_of = defaultdict(set)
        for table_id, seats in self.by_table.items():
            for _pk, organisation_id, _joined, _left in seats:
                tables_of[organisation_id].add(table_id)
        found = defaultdict(set)
        for table_ids in tables_of.values():
            if len(table_ids) > 1:
                for table_id in table_ids:
                    found[table_id] |= table_ids
        for table_id, others in found.items():
            others.discard(table_id)
        return found

    def __call__(self, slot: Slot) -> frozenset:
        key = (slot.table_id, slot.committee_id, slot.day)
        found = self._memo.get(key)
        if found is None:
            day = slot.day
            if slot.committee_id:
                # A committee without members calls nobody, not the whole table.
                seats = self.committee.get(slot.committee_id, frozenset())
                found = frozenset(
                    organisation_id
                    for pk, organisation_id, joined, left in self.by_table.get(slot.table_id, ())
                    if pk in seats and joined <= day and (left is None or left > day)
                )
            else:
                found = self.steady.get(slot.table_id, frozenset())
                changing = self.changing.get(slot.table_id)
                if changing:
                    found = found | {
                        organisation_id
                        for organisation_id, joined, left in changing
                        if joined <= day and (left is None or left > day)
                    }
            self._memo[key] = found
        return found


def _sweep(slots: list, members: _Members) -> list:
    """Every clash among `slots`: in order of start, each meeting is compared with the
    meetings still running when it starts (a meeting ending as it starts is not), of the
    tables that share an organisation with its own — so that a hundred tables meeting at
    9 h 00 cost what their shared members do, not a hundred times a hundred."""
    neighbours = members.neighbours()
    clashes = []
    running = defaultdict(list)  # table id → [(meeting, who it calls)] not over yet
    ending = []  # heap of (end, order, table id, entry)
    for order, slot in enumerate(sorted(slots, key=lambda s: (s.starts_at, s.ends_at, s.id or 0))):
        while ending and ending[0][0] <= slot.starts_at:
            _end, _order, table_id, entry = heappop(ending)
            running[table_id].remove(entry)
        called = members(slot)
        if not called:
            continue
        for table_id in neighbours.get(slot.table_id, ()):
            for other, other_called in running.get(table_id, ()):
                if shared := called & other_called:
                    clashes.append(Clash(other, slot, shared))
        entry = (slot, called)
        running[slot.table_id].append(entry)
        heappush(ending, (slot.ends_at, order, slot.table_id, entry))
    return clashes


def _report(since, until, clashes, tables, members) -> ClashReport:
    in_clash = {clash.first.table_id for clash in clashes} | {clash.second.table_id for clash in clashes}
    affected = frozenset().union(*(clash.organisation_ids for clash in clashes))
    return ClashReport(
        since=since,
        until=until,
        computed_at=timezone.now(),
        clashes=clashes,
        tables={pk: info for pk, info in tables.items() if pk in in_clash},
        organisations={pk: members.names[pk] for pk in affected if pk in members.names},
    )


def detect_clashes(meetings: QuerySet, *, since: datetime, until: datetime) -> ClashReport:
    """The clashes among `meetings` (a Meeting queryset: the scope) running between
    `since` and `until`. Two or three queries, whatever the number of meetings."""
    slots, tables = _read_slots(meetings, since, until)
    members = _Members(slots)
    return _report(since, until, _sweep(slots, members), tables, members)


def _upcoming_window(weeks: int, now=None):
    now = now or timezone.now()
    return now, now + timedelta(weeks=weeks)


def upcoming_clashes(region, *, weeks: int = UPCOMING_WEEKS) -> ClashReport:
    """Clashes among the meetings of the tables of `region` (all of Québec when None) in
    the coming `weeks`, cached like the regional overview."""
    key = _key(f"clashes:{weeks}", region)
    report = cache.get(key)
    if report is None:
        meetings = Meeting.objects.all() if region is None else Meeting.objects.filter(table__region=region)
        since, until = _upcoming_window(weeks)
        report = detect_clashes(meetings, since=since, until=until)
        cache.set(key, report, CACHE_SECONDS)
    return report


def clashes_between(first: date, following: date) -> ClashReport:
    """Clashes among every table's meetings from `first` (or now, if later) to the day
    before `following`: the shared calendar's month. Cached like the regional overview."""
    key = _key(f"clashes-month:{first.isoformat()}:{following.isoformat()}", None)
    report = cache.get(key)
    if report is None:
        since = max(_aware(first), timezone.now())
        until = _aware(following)
        if since >= until:
            report = ClashReport(since, until, timezone.now(), [])
        else:
            report = detect_clashes(Meeting.objects.all(), since=since, until=until)
        cache.set(key, report, CACHE_SECONDS)
    return report


def organisation_clashes(organisation_ids: Iterable[int], *, weeks: int = UPCOMING_WEEKS) -> ClashReport:
    """The coming clashes `organisation_ids` are called to: the meetings of the tables
    where they sit, compared with each other. Two or three queries."""
    ids = list(organisation_ids)
    tables = Membership.objects.active().filter(organisation__in=ids).values("table_id")
    since, until = _upcoming_window(weeks)
    return detect_clashes(Meeting.objects.filter(table__in=tables), since=since, until=until).touching(ids)


def slot_clashes(
    *,
    table: Table,
    starts_at: datetime,
    ends_at: datetime | None = None,
    committee: Committee | None = None,
    title: str = "",
    meeting_id: int | None = None,
) -> ClashReport:
    """The meetings of other tables that a meeting of `table` at this time (being planned,
    or `meeting_id` being moved) would clash with, each with the organisations of
    `table` called to both. Two or three queries."""
    if ends_at is None or ends_at <= starts_at:
        ends_at = starts_at + DEFAULT_DURATION
    planned = Slot.at(meeting_id, table.pk, committee.pk if committee else None, title, starts_at, ends_at)
    others, tables = _read_slots(Meeting.objects.exclude(table=table), starts_at, ends_at)
    members = _Members([planned, *others])
    called = members(planned)
    clashes = []
    if called:
        for other in sorted(others, key=lambda s: (s.starts_at, s.table_id)):
            if shared := called & members(other):
                clashes.append(Clash(planned, other, shared))
    tables[table.pk] = TableInfo(
        table.pk,
        table.name,
        table.acronym,
        table.slug,
        table.visibility == Table.Visibility.PUBLIC,
        table.region_id,
    )
    return _report(starts_at, ends_at, clashes, tables, members)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# What a viewer is shown ---------------------------------------------------------------------


@dataclass(frozen=True)
class SeenSlot:
    """A meeting of a clash as a viewer may see it: with its title, table and link when
    they may see its table, else only as "a meeting of another table" and its times."""

    slot: Slot
    table: TableInfo | None

    @classmethod
    def of(cls, slot: Slot, report: ClashReport, visible_ids) -> "SeenSlot":
        return cls(slot, report.tables.get(slot.table_id) if slot.table_id in visible_ids else None)

    @property
    def label(self) -> str:
        if self.table is None:
            return str(_("A meeting of another table"))
        return self.slot.title

    @property
    def url(self) -> str:
        if self.table is None or self.slot.id is None:
            return ""
        return reverse("tables:meeting-detail", args=[self.table.slug, self.slot.id])

    @property
    def starts_at(self):
        return self.slot.starts_at

    @property
    def ends_at(self):
        return self.slot.ends_at


def shown_names(report: ClashReport, clashes: Iterable[Clash], visible_ids, *, limit=None) -> list:
    """Names of the organisations called twice, from the clashes whose two tables the
    viewer may see (who sits on a table is shown only to those who may see it)."""
    ids = set()
    for clash in clashes:
        if clash.first.table_id in visible_ids and clash.second.table_id in visible_ids:
            ids |= clash.organisation_ids
    names = report.organisation_names(ids)
    return names[:limit] if limit is not None else names
