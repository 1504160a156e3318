"""The concertation of concertations: what the tables of a region (or of all Québec) ask of
the organisations that sit on them, and the shared regional calendar.

Three parts:

* the regional overview (`regional_overview`): every table, the organisations sitting on
  several tables with their meetings and estimated hours a month and a trend, alerts above
  the region's thresholds, and suggestions for tables that overlap. It costs the same seven
  queries whatever the size of the region (all of them aggregates or narrow value lists)
  and is cached for a few minutes (see "Cache" below);
* the networks: tables linked by the organisations they share, organisations linked by
  joint work (`organisation_network` takes pairs, whatever their source);
* the shared calendar of declared activities, with conflict detection
  (`activity_conflicts`), and the writes that queue the conflict notices.

Who may see what (`can_view_region`, `visible_table_ids`): the regional view is for
platform admins and funder staff (every region and all of Québec) and for the coordinators
of a table of the region (that region only); a delegate or substitute sees only the load
of the organisations they represent and the meeting clashes that touch them
(`can_view_own_load`; the clashes are in `tables.selectors.clashes`). Private tables are
always counted — tables, hours, overlaps — but which organisations sit on a private table
(its member list, the organisations shared with another table, its action-plan
partnerships) is shown only to those who may see that table (`Table.objects.visible_to`:
its coordinators, its delegates, admins). An organisation's row therefore names only the
visible tables it sits on and says how many other, private, tables it sits on.
"""

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.access import access_for
from members.models import Organisation, Region
from members.queue import enqueue

from .models import (
    Action,
    ActionCommitment,
    Activity,
    Attendance,
    Meeting,
    Membership,
    RegionalSettings,
    Table,
    Theme,
)

# An organisation's load is averaged over the last twelve months and compared with the
# twelve before.
PERIOD = timedelta(days=365)
MONTHS_PER_PERIOD = 12
# Two tables "share most of their members" from this Jaccard index on: shared members
# over members of either table.
OVERLAP_THRESHOLD = 0.5
CACHE_SECONDS = 300
ALL_QUEBEC = "quebec"


def _duration(prefix=""):
    return ExpressionWrapper(F(f"{prefix}ends_at") - F(f"{prefix}starts_at"), output_field=DurationField())


def _minutes(value) -> float:
    return value.total_seconds() / 60 if value else 0.0


# Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Last twelve months against the twelve before."""

    recent: float
    previous: float

    @property
    def change(self) -> float | None:
        """Relative change in %, None when there is nothing to compare with."""
        if not self.previous:
            return None
        return round((self.recent - self.previous) / self.previous * 100)

    @property
    def direction(self) -> str:
        if not self.previous:
            return "new" if self.recent else "flat"
        change = self.change
        if change >= 10:
            return "up"
        if change <= -10:
            return "down"
        return "flat"


@dataclass
class TableRow:
    id: int
    name: str
    acronym: str
    slug: str
    region_id: int
    region_code: str
    region_name: str
    theme: str
    theme_label: str
    kind: str
    is_public: bool
    members: int = 0
    meetings_recent: int = 0
    meetings_previous: int = 0

    @property
    def short_name(self) -> str:
        return self.acronym or self.name

    @property
    def meetings_per_month(self) -> float:
        return round(self.meetings_recent / MONTHS_PER_PERIOD, 1)

    @property
    def trend(self) -> Trend:
        return Trend(self.meetings_recent, self.meetings_previous)


@dataclass
class OrganisationRow:
    id: int
    name: str
    acronym: str
    slug: str
    sector: str
    sector_label: str
    region_id: int | None
    table_ids: tuple = ()
    meetings_recent: int = 0
    meetings_previous: int = 0
    minutes_recent: float = 0.0
    minutes_previous: float = 0.0
    alerts: tuple = ()

    @property
    def short_name(self) -> str:
        return self.acronym or self.name

    @property
    def tables(self) -> int:
        return len(self.table_ids)

    @property
    def meetings_per_month(self) -> float:
        return round(self.meetings_recent / MONTHS_PER_PERIOD, 1)

    @property
    def hours_per_month(self) -> float:
        return round(self.minutes_recent / 60 / MONTHS_PER_PERIOD, 1)

    @property
    def trend(self) -> Trend:
        return Trend(round(self.minutes_recent / 60, 1), round(self.minutes_previous / 60, 1))


@dataclass(frozen=True)
class Thresholds:
    max_tables: int
    max_hours: int

    @classmethod
    def default(cls):
        fields = RegionalSettings._meta
        return cls(
            fields.get_field("max_tables_per_organisation").default,
            fields.get_field("max_hours_per_month").default,
        )

    @classmethod
    def of(cls, settings: RegionalSettings | None):
        if settings is None:
            return cls.default()
        return cls(settings.max_tables_per_organisation, settings.max_hours_per_month)


@dataclass(frozen=True)
class Alert:
    organisation_id: int
    kind: str  # "tables" or "hours"
    value: float
    threshold: int


class Proposal:
    """What a suggestion proposes, in the order it is shown."""

    MERGE = "merge"
    JOINT_MEETINGS = "joint_meetings"
    SHARED_DELEGATION = "shared_delegation"

    LABELS = {
        MERGE: _("Consider merging the two tables"),
        JOINT_MEETINGS: _("Hold joint meetings on shared subjects"),
        SHARED_DELEGATION: _("Name a shared delegation so that each table knows what the other does"),
    }


@dataclass(frozen=True)
class Suggestion:
    """Two tables that overlap: most members in common, or the same theme in one region.

    Proposals: both reasons → merge; most members in common → joint meetings (the same
    people are called twice); same theme in the same region → a shared delegation."""

    first_id: int
    second_id: int
    shared_ids: tuple
    jaccard: float
    same_theme: bool
    proposals: tuple

    @property
    def shares_most_members(self) -> bool:
        return self.jaccard >= OVERLAP_THRESHOLD

    def proposal_labels(self):
        return [Proposal.LABELS[code] for code in self.proposals]


@dataclass
class RegionalOverview:
    region_id: int | None
    computed_at: datetime
    tables: list
    organisations: list  # sitting on two tables or more, most solicited first
    alerts: list
    suggestions: list
    # (first table id, second table id) → ids of the organisations sitting on both
    overlaps: dict
    thresholds: Thresholds | None  # of the region; None for all of Québec (each its own)
    table_by_id: dict = field(default_factory=dict)
    organisation_by_id: dict = field(default_factory=dict)

    def __post_init__(self):
        self.table_by_id = {row.id: row for row in self.tables}
        self.organisation_by_id = {row.id: row for row in self.organisations}

    @property
    def over_solicited(self):
        return [row for row in self.organisations if row.alerts]


# The overview ------------------------------------------------------------------------------


def _active_on(day, prefix=""):
    return Q(**{f"{prefix}joined__lte": day}) & (
        Q(**{f"{prefix}left__isnull": True}) | Q(**{f"{prefix}left__gt": day})
    )


def _scope_tables(region):
    tables = Table.objects.all()
    return tables.filter(region=region) if region is not None else tables


def compute_overview(region: Region | None, *, now=None) -> RegionalOverview:
    """The overview of `region` (all of Québec when None), uncached. Seven queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cutoff, since = now - PERIOD, now - 2 * PERIOD
    scope = _scope_tables(region)

    # 1. The tables.
    theme_labels = dict(Theme.choices)
    tables = {
        row["id"]: TableRow(
            id=row["id"],
            name=row["name"],
            acronym=row["acronym"],
            slug=row["slug"],
            region_id=row["region_id"],
            region_code=row["region__code"],
            region_name=row["region__name"],
            theme=row["theme"],
            theme_label=str(theme_labels.get(row["theme"], row["theme"])),
            kind=row["kind"],
            is_public=row["visibility"] == Table.Visibility.PUBLIC,
        )
        for row in scope.values(
            "id",
            "name",
            "acronym",
            "slug",
            "region_id",
            "region__code",
            "region__name",
            "theme",
            "kind",
            "visibility",
        ).order_by("name")
    }

    # 2. Who sits where today: the edges of the graph of tables and organisations.
    members_of = defaultdict(set)
    tables_of = defaultdict(set)
    for table_id, organisation_id in (
        Membership.objects.filter(_active_on(today), table__in=scope)
        .values_list("table_id", "organisation_id")
        .order_by()
        .distinct()
    ):
        members_of[table_id].add(organisation_id)
        tables_of[organisation_id].add(table_id)
    for table_id, members in members_of.items():
        tables[table_id].members = len(members)

    # 3. Meetings of each table, this year and the year before.
    meetings = Meeting.objects.filter(table__in=scope, starts_at__gte=since, starts_at__lt=now).exclude(
        status=Meeting.Status.CANCELLED
    )
    for row in meetings.values("table_id").annotate(
        recent=Count("pk", filter=Q(starts_at__gte=cutoff)),
        previous=Count("pk", filter=Q(starts_at__lt=cutoff)),
    ):
        tables[row["table_id"]].meetings_recent = row["recent"]
        tables[row["table_id"]].meetings_previous = row["previous"]

    # 4. The organisations on several tables.
    multi = {organisation_id for organisation_id, ids in tables_of.items() if len(ids) >= 2}
    sector_labels = dict(Organisation._meta.get_field("sector").flatchoices)
    organisations = {
        row["id"]: OrganisationRow(
            id=row["id"],
            name=row["name"],
            acronym=row["acronym"],
            slug=row["slug"],
            sector=row["sector"],
            sector_label=str(sector_labels.get(row["sector"], row["sector"])),
            region_id=row["region_id"],
            table_ids=tuple(sorted(tables_of[row["id"]], key=lambda pk: tables[pk].name)),
        )
        for row in Organisation.objects.filter(pk__in=multi).values(
            "id", "name", "acronym", "slug", "sector", "region_id"
        )
    }

    # 5 and 6. Their meetings and hours (see `_load_rows`).
    for organisation_id, load in _load_rows(scope, since, cutoff, now, organisations=multi).items():
        row = organisations.get(organisation_id)
        if row is not None:
            row.meetings_recent, row.meetings_previous = load["meetings"]
            row.minutes_recent, row.minutes_previous = load["minutes"]

    # 7. Thresholds.
    if region is not None:
        thresholds = Thresholds.of(RegionalSettings.objects.filter(region=region).first())
        threshold_of = lambda row: thresholds  # noqa: E731
    else:
        thresholds = None
        by_region = {s.region_id: Thresholds.of(s) for s in RegionalSettings.objects.all()}
        default = Thresholds.default()
        threshold_of = lambda row: by_region.get(row.region_id, default)  # noqa: E731

    alerts = []
    for row in organisations.values():
        limits = threshold_of(row)
        found = []
        if row.tables > limits.max_tables:
            found.append(Alert(row.id, "tables", row.tables, limits.max_tables))
        if row.hours_per_month > limits.max_hours:
            found.append(Alert(row.id, "hours", row.hours_per_month, limits.max_hours))
        row.alerts = tuple(found)
        alerts += found

    overlaps = _overlaps(tables_of)
    return RegionalOverview(
        region_id=region.pk if region is not None else None,
        computed_at=now,
        tables=list(tables.values()),
        organisations=sorted(
            organisations.values(), key=lambda row: (-row.tables, -row.minutes_recent, row.name)
        ),
        alerts=alerts,
        suggestions=suggestions_for(tables, members_of, overlaps),
        overlaps=overlaps,
        thresholds=thresholds,
    )


def _load_rows(scope, since, cutoff, until, *, organisations=None, by_month=False):
    """Meetings an organisation was called to and the time it spent in them, per
    organisation and per period (or per month with `by_month`). Two aggregate queries.

    An organisation is called to a meeting of a table when it is a member on the day of
    the meeting (and a member of the committee, for a committee meeting). Time spent is
    the meeting's length times the people the organisation sent: where attendance was recorded
    for the meeting, its people marked present (one per member organisation); where it was
    not, one person per member called. Cancelled meetings count for nothing."""
    meetings = Meeting.objects.filter(table__in=scope, starts_at__gte=since, starts_at__lt=until).exclude(
        status=Meeting.Status.CANCELLED
    )
    if organisations is not None:
        # Only the tables they sit at: the attendance check below reads every meeting kept.
        meetings = meetings.filter(
            table__in=Membership.objects.filter(organisation__in=organisations).values("table_id")
        )
    # Decided once per meeting (a hashed subquery), not once per member called.
    unrecorded = meetings.exclude(
        Exists(Attendance.objects.filter(meeting=OuterRef("pk"), present__isnull=False))
    ).values("pk")
    called = Membership.objects.filter(
        Q(table__meetings__in=meetings),
        Q(joined__lte=F("table__meetings__starts_at__date")),
        Q(left__isnull=True) | Q(left__gt=F("table__meetings__starts_at__date")),
        Q(table__meetings__committee__isnull=True) | Q(table__meetings__committee__members=F("pk")),
    )
    present = Attendance.objects.filter(meeting__in=meetings, present=True)
    if organisations is not None:
        called = called.filter(organisation__in=organisations)
        present = present.filter(membership__organisation__in=organisations)
    called, present = called.order_by(), present.order_by()
    estimated = Q(table__meetings__in=unrecorded)

    rows = defaultdict(lambda: {"meetings": [0, 0], "minutes": [0.0, 0.0]})
    if by_month:
        month = TruncMonth("table__meetings__starts_at")
        for row in (
            called.annotate(month=month)
            .values("organisation_id", "month")
            .annotate(
                meetings=Count("table__meetings"),
                estimated=Sum(_duration("table__meetings__"), filter=estimated),
            )
        ):
            key = (row["organisation_id"], _as_date(row["month"]))
            rows[key]["meetings"][0] += row["meetings"]
            rows[key]["minutes"][0] += _minutes(row["estimated"])
        for row in (
            present.annotate(month=TruncMonth("meeting__starts_at"))
            .values("membership__organisation_id", "month")
            .annotate(spent=Sum(_duration("meeting__")))
        ):
            key = (row["membership__organisation_id"], _as_date(row["month"]))
            rows[key]["minutes"][0] += _minutes(row["spent"])
        return rows

    # One row per member called to a meeting (the committee condition keeps one), so
    # counting rows counts meetings.
    recent, previous = Q(table__meetings__starts_at__gte=cutoff), Q(table__meetings__starts_at__lt=cutoff)
    for row in called.values("organisation_id").annotate(
        meetings_recent=Count("table__meetings", filter=recent),
        meetings_previous=Count("table__meetings", filter=previous),
        estimated_recent=Sum(_duration("table__meetings__"), filter=recent & estimated),
        estimated_previous=Sum(_duration("table__meetings__"), filter=previous & estimated),
    ):
        load = rows[row["organisation_id"]]
        load["meetings"] = [row["meetings_recent"], row["meetings_previous"]]
        load["minutes"][0] += _minutes(row["estimated_recent"])
        load["minutes"][1] += _minutes(row["estimated_previous"])
    recent, previous = Q(meeting__starts_at__gte=cutoff), Q(meeting__starts_at__lt=cutoff)
    for row in present.values("membership__organisation_id").annotate(
        spent_recent=Sum(_duration("meeting__"), filter=recent),
        spent_previous=Sum(_duration("meeting__"), filter=previous),
    ):
        load = rows[row["membership__organisation_id"]]
        load["minutes"][0] += _minutes(row["spent_recent"])
        load["minutes"][1] += _minutes(row["spent_previous"])
    return rows


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _overlaps(tables_of) -> dict:
    """(first, second) table ids → ids of the organisations sitting on both. Built from each
    organisation's tables, so the cost follows the organisations on several tables, not
    the square of the tables."""
    shared = defaultdict(list)
    for organisation_id, table_ids in tables_of.items():
        for pair in combinations(sorted(table_ids), 2):
            shared[pair].append(organisation_id)
    return {pair: tuple(sorted(ids)) for pair, ids in shared.items()}


def jaccard(first: set, second: set) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def suggestions_for(tables: dict, members_of: dict, overlaps: dict) -> list:
    """Pairs of tables sharing most members (Jaccard ≥ OVERLAP_THRESHOLD) or with the same
    theme in the same region, most overlapping first."""
    by_theme = defaultdict(list)
    for row in tables.values():
        by_theme[(row.region_id, row.theme)].append(row.id)
    candidates = set(overlaps)
    for ids in by_theme.values():
        candidates.update(combinations(sorted(ids), 2))
    suggestions = []
    for first, second in candidates:
        index = jaccard(members_of.get(first, set()), members_of.get(second, set()))
        a, b = tables[first], tables[second]
        same_theme = a.region_id == b.region_id and a.theme == b.theme
        most = index >= OVERLAP_THRESHOLD
        if not (most or same_theme):
            continue
        if most and same_theme:
            proposals = (Proposal.MERGE, Proposal.JOINT_MEETINGS)
        elif most:
            proposals = (Proposal.JOINT_MEETINGS,)
        else:
            proposals = (Proposal.SHARED_DELEGATION,)
        suggestions.append(
            Suggestion(
                first, second, overlaps.get((first, second), ()), round(index, 2), same_theme, proposals
            )
        )
    return sorted(suggestions, key=lambda s: (-s.jaccard, tables[s.first_id].name, tables[s.second_id].name))


# Cache -------------------------------------------------------------------------------------
# The overview is the same for every viewer (what a viewer may see is decided when it is
# shown), so it is cached per region and day for CACHE_SECONDS. Saving or deleting a
# table, membership, meeting, attendance, action commitment or regional settings bumps a
# version that is part of every key, so figures follow the site's own edits; bulk writes
# send no signal, and the short lifetime bounds how stale they can be.

VERSION_KEY = "regional:version"


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def invalidate(**kwargs):
    """Bump the version at once rather than on commit: a callback per saved row would crowd
    every transaction's on-commit list. A request that recomputes between the bump and the
    commit caches the old figures, for CACHE_SECONDS at most."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


for _model in (Table, Membership, Meeting, Attendance, ActionCommitment, RegionalSettings):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"regional-{_model.__name__}-save")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"regional-{_model.__name__}-delete")


def _key(kind, region):
    day = timezone.localdate().isoformat()
    return f"regional:{_version()}:{kind}:{region.pk if region is not None else ALL_QUEBEC}:{day}"


def regional_overview(region: Region | None) -> RegionalOverview:
    """The overview of `region` (all of Québec when None), from the cache when fresh."""
    key = _key("overview", region)
    overview = cache.get(key)
    if overview is None:
        overview = compute_overview(region)
        cache.set(key, overview, CACHE_SECONDS)
    return overview


# Who may see what --------------------------------------------------------------------------


def viewable_regions(user):
    """(all of Québec allowed, region ids allowed or None for every region), computed once
    per request like `access_for`."""
    cached = getattr(user, "_regional_regions", None)
    if cached is not None:
        return cached
    access = access_for(user)
    if access.is_admin or access.is_funder_staff:
        result = (True, None)
    elif access.coordinated_table_ids:
        regions = Table.objects.filter(pk__in=access.coordinated_table_ids).values_list(
            "region_id", flat=True
        )
        result = (False, frozenset(regions))
    else:
        result = (False, frozenset())
    if user is not None and user.is_authenticated:
        user._regional_regions = result
    return result


def can_view_regional(user) -> bool:
    """Whether the regional section opens at all (the menu's "Across tables"): a region,
    or the page of the organisations one represents (`can_view_own_load`)."""
    everything, regions = viewable_regions(user)
    return everything or bool(regions) or can_view_own_load(user)


def can_view_regions(user) -> bool:
    """Whether `user` may open at least one region's view."""
    everything, regions = viewable_regions(user)
    return everything or bool(regions)


def can_view_own_load(user) -> bool:
    """Delegates and substitutes see the load of the organisations they represent and the
    meeting clashes that touch them (`tables:regional-mine`), not the region's view."""
    return bool(access_for(user).delegations)


def can_view_region(user, region: Region | None) -> bool:
    everything, regions = viewable_regions(user)
    if region is None:
        return everything
    return regions is None or region.pk in regions


def can_edit_thresholds(user) -> bool:
    return access_for(user).is_admin


def visible_table_ids(user, tables: Iterable[TableRow]) -> frozenset:
    """Of `tables`, those whose members `user` may see (the same rule as
    `Table.objects.visible_to`, without a query)."""
    access = access_for(user)
    return frozenset(
        row.id
        for row in tables
        if access.is_admin
        or row.is_public
        or row.id in access.coordinated_table_ids
        or row.id in access.delegated_table_ids
    )


# Networks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkPair:
    """Two organisations that work together, where (the table whose plan or project it
    is), and how often (number of actions or projects)."""

    first_id: int
    second_id: int
    table_id: int
    weight: int = 1


# Functions (tables queryset) → iterable of WorkPair. Joint projects will add theirs.
PAIR_SOURCES: list[Callable] = []


def register_pair_source(function):
    PAIR_SOURCES.append(function)
    return function


@register_pair_source
def action_plan_pairs(tables) -> list:
    """Organisations committed together (leading or taking part) to the same action of an
    action plan: one aggregate query."""
    working = [ActionCommitment.Role.LEAD, ActionCommitment.Role.PARTNER]
    rows = (
        ActionCommitment.objects.filter(
            role__in=working,
            action__state=Action.State.ACCEPTED,
            action__objective__axis__plan__table__in=tables,
            action__commitments__role__in=working,
            action__commitments__organisation_id__gt=F("organisation_id"),
        )
        .values(
            "organisation_id",
            "action__commitments__organisation_id",
            "action__objective__axis__plan__table_id",
        )
        .annotate(actions=Count("action_id", distinct=True))
    )
    return [
        WorkPair(
            row["organisation_id"],
            row["action__commitments__organisation_id"],
            row["action__objective__axis__plan__table_id"],
            row["actions"],
        )
        for row in rows
    ]


def joint_work_pairs(region: Region | None) -> list:
    """Pairs from every source for the tables of `region`, cached like the overview."""
    key = _key("pairs", region)
    pairs = cache.get(key)
    if pairs is None:
        scope = _scope_tables(region)
        pairs = [pair for source in PAIR_SOURCES for pair in source(scope)]
        cache.set(key, pairs, CACHE_SECONDS)
    return pairs


@dataclass(frozen=True)
class Node:
    id: int
    label: str
    name: str
    group: str
    group_label: str
    size: float
    url: str = ""
    order: str = ""  # placed next to nodes of the same order first (e.g. the region)


@dataclass(frozen=True)
class Edge:
    first_id: int
    second_id: int
    weight: int
    detail: tuple = ()  # ids of what links them, when the viewer may know


@dataclass
class Network:
    nodes: list
    edges: list

    @property
    def node_by_id(self):
        return {node.id: node for node in self.nodes}


def table_network(overview, *, visible_ids, theme="", sector="") -> Network:
    """Tables linked by the member organisations they share (of `sector`, if given). The
    shared organisations are listed only when the viewer may see both tables."""
    rows = [row for row in overview.tables if not theme or row.theme == theme]
    keep = {row.id for row in rows}
    edges = []
    for (first, second), shared in overview.overlaps.items():
        if first not in keep or second not in keep:
            continue
        if sector:
            shared = tuple(
                pk
                for pk in shared
                if (org := overview.organisation_by_id.get(pk)) is not None and org.sector == sector
            )
        if not shared:
            continue
        detail = shared if first in visible_ids and second in visible_ids else ()
        edges.append(Edge(first, second, len(shared), detail))
    nodes = [
        Node(
            row.id,
            row.short_name,
            row.name,
            row.theme,
            row.theme_label,
            row.members,
            reverse("tables:table-detail", args=[row.slug]) if row.id in visible_ids else "",
            row.region_code if overview.region_id is None else "",
        )
        for row in rows
    ]
    return Network(nodes, sorted(edges, key=lambda e: -e.weight))


def organisation_network(pairs: Iterable[WorkPair], *, organisations: dict, sector="") -> Network:
    """Organisations linked by joint work. `pairs` may come from several sources and
    tables; the weights of the same two organisations add up. `organisations` maps ids to
    (name, acronym, sector, sector label, slug); with `sector`, only links that involve an
    organisation of that sector are kept."""
    weights = defaultdict(int)
    tables = defaultdict(set)
    for pair in pairs:
        key = (min(pair.first_id, pair.second_id), max(pair.first_id, pair.second_id))
        weights[key] += pair.weight
        tables[key].add(pair.table_id)
    edges = []
    for (first, second), weight in weights.items():
        if first not in organisations or second not in organisations:
            continue
        if sector and sector not in (organisations[first][2], organisations[second][2]):
            continue
        edges.append(Edge(first, second, weight, tuple(sorted(tables[(first, second)]))))
    degree = defaultdict(int)
    for edge in edges:
        degree[edge.first_id] += edge.weight
        degree[edge.second_id] += edge.weight
    nodes = []
    for pk in degree:
        name, acronym, sector_code, sector_label, slug = organisations[pk]
        nodes.append(
            Node(
                pk,
                acronym or name,
                name,
                sector_code,
                sector_label,
                degree[pk],
                reverse("members:organisation-detail", args=[slug]),
            )
        )
    return Network(nodes, sorted(edges, key=lambda e: -e.weight))


def organisations_of_pairs(pairs) -> dict:
    """Names and sectors of the organisations in `pairs` (one query)."""
    ids = {pair.first_id for pair in pairs} | {pair.second_id for pair in pairs}
    labels = dict(Organisation._meta.get_field("sector").flatchoices)
    return {
        row["id"]: (
            row["name"],
            row["acronym"],
            row["sector"],
            str(labels.get(row["sector"], "")),
            row["slug"],
        )
        for row in Organisation.objects.filter(pk__in=ids).values("id", "name", "acronym", "sector", "slug")
    }


# An organisation's load over time ----------------------------------------------------------


@dataclass(frozen=True)
class MonthLoad:
    month: date
    meetings: int
    hours: float


@dataclass
class OrganisationLoad:
    organisation: Organisation
    months: list

    @property
    def total_hours(self):
        return round(sum(m.hours for m in self.months), 1)

    @property
    def total_meetings(self):
        return sum(m.meetings for m in self.months)

    @property
    def chart(self):
        from members.documents.charts import load_chart

        return load_chart(self)


def organisation_load(
    organisation: Organisation, months: int = 12, *, tables=None, now=None
) -> OrganisationLoad:
    """Meetings `organisation` was called to and estimated hours it spent in them, per
    month, for the last `months` months (this month included). Counted as in the regional
    view (see `_load_rows`). `tables` limits the count (pass `Table.objects.visible_to(user)`
    on a public page so that private tables' meetings are not revealed). Two queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = _add_months(today.replace(day=1), -(months - 1))
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    scope = tables if tables is not None else Table.objects.all()
    rows = _load_rows(scope, since, since, now, organisations=[organisation.pk], by_month=True)
    result = []
    for n in range(months):
        month = _add_months(first, n)
        load = rows.get((organisation.pk, month), {"meetings": [0, 0], "minutes": [0.0, 0.0]})
        result.append(MonthLoad(month, load["meetings"][0], round(load["minutes"][0] / 60, 1)))
    return OrganisationLoad(organisation, result)


def organisation_load_seen_by(organisation: Organisation, user) -> OrganisationLoad:
    """`organisation_load` over the tables `user` may see, cached like the regional view:
    per version, day and what the viewer may see (every table for an administrator, else
    the public ones plus the private ones they coordinate or sit at), so that viewers who
    may see the same tables share it."""
    access = access_for(user)
    if access.is_admin:
        seen = "all"
    else:
        private = ",".join(map(str, sorted(access.table_ids)))
        seen = hashlib.sha256(private.encode()).hexdigest()[:16]
    key = _key(f"organisation-load:{organisation.pk}:{seen}", None)
    months = cache.get(key)
    if months is None:
        months = organisation_load(organisation, tables=Table.objects.visible_to(user)).months
        cache.set(key, months, CACHE_SECONDS)
    return OrganisationLoad(organisation, months)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# The shared calendar: conflicts between declared activities ---------------------------------

_PLACE_NOISE = {"qc", "quebec", "canada", "qc canada", "quebec canada"}
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mtl": "montreal"}
_AUDIENCE_STOPWORDS = {
    # French
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "par", "pour",
    "sur", "un", "une", "personne", "personnes",
    # English
    "an", "and", "for", "in", "of", "or", "the", "to", "with", "people", "person", "persons",
}  # fmt: skip


def _words(text: str) -> list:
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return [_ABBREVIATIONS.get(word, word) for word in re.findall(r"[a-z0-9]+", text)]


def place_key(place: str) -> str:
    """A place as compared for conflicts: case, accents, punctuation, parentheses and a
    trailing province or country ignored ("Montréal (Québec)" = "montreal, QC")."""
    place = re.sub(r"\([^)]*\)", " ", place or "")
    segments = [" ".join(_words(part)) for part in place.split(",")]
    segments = [part for part in segments if part]
    while len(segments) > 1 and segments[-1] in _PLACE_NOISE:
        segments.pop()
    return " ".join(segments)


def _audience_words(audience: str) -> set:
    words = set()
    for word in _words(audience):
        if word in _AUDIENCE_STOPWORDS:
            continue
        # A plural and its singular are the same audience (infirmières / infirmière).
        if len(word) > 3 and word.endswith(("s", "x")):
            word = word[:-1]
        words.add(word)
    return words


def similar_audience(first: str, second: str) -> bool:
    """An activity for everyone (no audience given) competes with any; otherwise at least
    half of the shorter description's words are in the other."""
    a, b = _audience_words(first), _audience_words(second)
    if not a or not b:
        return True
    return len(a & b) / min(len(a), len(b)) >= 0.5


def activities_conflict(first: Activity, second: Activity) -> bool:
    """Two organisations' activities of the same kind (not "other"), on overlapping days,
    at the same place, for a similar audience."""
    return (
        first.pk != second.pk
        and first.organisation_id != second.organisation_id
        and first.kind == second.kind
        and first.kind != Activity.Kind.OTHER
        and first.starts <= second.ends
        and second.starts <= first.ends
        and place_key(first.place) == place_key(second.place)
        and similar_audience(first.audience, second.audience)
    )


def activity_conflicts(activity: Activity) -> list:
    """The activities that conflict with `activity` (one query)."""
    candidates = (
        Activity.objects.filter(kind=activity.kind, starts__lte=activity.ends, ends__gte=activity.starts)
        .exclude(pk=activity.pk)
        .exclude(organisation_id=activity.organisation_id)
        .select_related("organisation", "region")
    )
    return [other for other in candidates if activities_conflict(activity, other)]


def conflicts_among(activities: Iterable[Activity]) -> dict:
    """Activity id → the activities of the list it conflicts with."""
    groups = defaultdict(list)
    for activity in activities:
        groups[(activity.kind, place_key(activity.place))].append(activity)
    found = defaultdict(list)
    for group in groups.values():
        for first, second in combinations(group, 2):
            if activities_conflict(first, second):
                found[first.pk].append(second)
                found[second.pk].append(first)
    return found


# Who may declare, and the writes -------------------------------------------------------------


def declarable_organisation_ids(user) -> frozenset:
    """Organisations `user` may declare activities for: those they represent at a table
    (delegate or substitute) and, for a coordinator, their own organisation and the
    coordinating organisations of their tables."""
    access = access_for(user)
    ids = set()
    for organisations in access.delegations.values():
        ids |= organisations
    if access.coordinated_table_ids:
        if access.organisation_id:
            ids.add(access.organisation_id)
        ids |= set(
            Table.objects.filter(
                pk__in=access.coordinated_table_ids, coordinating_organisation__isnull=False
            ).values_list("coordinating_organisation_id", flat=True)
        )
    return frozenset(ids)


def can_declare_activity(user) -> bool:
    return bool(declarable_organisation_ids(user))


def can_change_activity(user, activity: Activity) -> bool:
    """Those who may declare for its organisation, and admins (to correct the calendar)."""
    return access_for(user).is_admin or activity.organisation_id in declarable_organisation_ids(user)


def _queue_conflict_notices(activity: Activity):
    from .tasks.regional import notify_activity_conflicts

    # A broker that is down must not fail the declaration: sweep_activity_conflicts
    # notifies what was missed.
    transaction.on_commit(lambda: enqueue(notify_activity_conflicts, activity.pk))


@transaction.atomic
def activity_declare(*, by, **fields) -> Activity:
    """Put an activity on the shared calendar; the organisations of conflicting activities
    are told once the transaction commits (each conflict once)."""
    activity = Activity(declared_by=by, **fields)
    if activity.region_id is None and activity.organisation.region_id:
        activity.region_id = activity.organisation.region_id
    activity.full_clean()
    activity.save()
    _queue_conflict_notices(activity)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, **fields) -> Activity:
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.full_clean()
    activity.save()
    _queue_conflict_notices(activity)
    return activity
