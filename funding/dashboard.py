"""The funders' dashboard: what a set of calls committed and to whom, the leverage of the
partners' contributions, the organisations reached and the partnership network.

Everything is computed in Python from a fixed number of queries (about ten, whatever the
number of calls, projects and partners), so the page and the PDF cost the same with ten
projects or a thousand.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.db.models import Sum
from django.utils import timezone

from members.models import Sector
from projects.budget import share
from projects.models import Partnership, Project

from .models import COMMITTED, Application, Report, ReportContribution, Status, Tranche

ZERO = Decimal("0")
NETWORK_NODES = 40
# Links listed on the page (the strongest first); the export has every project.
NETWORK_LINKS_SHOWN = 100


@dataclass
class CallRow:
    call: object
    envelope: Decimal
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    submitted: int = 0
    funded: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def available(self) -> Decimal:
        return self.envelope - self.committed

    @property
    def committed_share(self):
        return share(self.committed, self.envelope)


@dataclass
class ProjectRow:
    application: Application
    project: Project
    regions: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    partners: list = field(default_factory=list)  # confirmed partnerships (dicts)
    delivered_cash: Decimal = ZERO
    delivered_in_kind: Decimal = ZERO
    disbursed: Decimal = ZERO
    late_reports: int = 0

    @property
    def partner_cash(self) -> Decimal:
        return sum((p["cash"] for p in self.partners), ZERO)

    @property
    def partner_in_kind(self) -> Decimal:
        return sum((p["in_kind"] for p in self.partners), ZERO)

    @property
    def is_funded(self) -> bool:
        return self.application.status in COMMITTED

    @property
    def awarded(self) -> Decimal:
        return self.application.awarded_amount or ZERO


@dataclass
class Dashboard:
    calls: list[CallRow]
    projects: list[ProjectRow]
    by_region: list = field(default_factory=list)
    by_sector: list = field(default_factory=list)
    by_objective: list = field(default_factory=list)
    partners_per_project: list = field(default_factory=list)
    network_nodes: list = field(default_factory=list)
    network_edges: list = field(default_factory=list)
    network_growth: list = field(default_factory=list)
    organisations_reached: int = 0
    late_reports: list = field(default_factory=list)

    @property
    def envelope(self) -> Decimal:
        return sum((row.envelope for row in self.calls), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((row.committed for row in self.calls), ZERO)

    @property
    def available(self) -> Decimal:
        return self.envelope - self.committed

    @property
    def disbursed(self) -> Decimal:
        return sum((row.disbursed for row in self.calls), ZERO)

    @property
    def funded(self) -> list[ProjectRow]:
        return [row for row in self.projects if row.is_funded]

    @property
    def partner_cash(self) -> Decimal:
        return sum((row.partner_cash for row in self.funded), ZERO)

    @property
    def partner_in_kind(self) -> Decimal:
        return sum((row.partner_in_kind for row in self.funded), ZERO)

    @property
    def delivered_cash(self) -> Decimal:
        return sum((row.delivered_cash for row in self.funded), ZERO)

    @property
    def delivered_in_kind(self) -> Decimal:
        return sum((row.delivered_in_kind for row in self.funded), ZERO)

    @property
    def shown_links(self) -> list:
        return self.network_edges[:NETWORK_LINKS_SHOWN]

    @property
    def hidden_links(self) -> int:
        return max(0, len(self.network_edges) - NETWORK_LINKS_SHOWN)

    @property
    def partner_total(self) -> Decimal:
        return self.partner_cash + self.partner_in_kind

    @property
    def delivered_total(self) -> Decimal:
        return self.delivered_cash + self.delivered_in_kind

    def _leverage(self, amount: Decimal) -> Decimal | None:
        if not self.committed:
            return None
        return (amount / self.committed).quantize(Decimal("0.01"))

    @property
    def leverage_cash(self):
        return self._leverage(self.partner_cash)

    @property
    def leverage_in_kind(self):
        return self._leverage(self.partner_in_kind)

    @property
    def leverage_total(self):
        return self._leverage(self.partner_cash + self.partner_in_kind)

    @property
    def leverage_delivered(self):
        return self._leverage(self.delivered_cash + self.delivered_in_kind)


def allocate(amount: Decimal, weights: dict) -> dict:
    """`amount` split among the keys of `weights` in proportion, in whole cents; the cents
    left by rounding down go to the largest remainders (ties to the smallest key), so that
    the parts always add up to the amount exactly."""
    total = sum(weights.values(), ZERO)
    if not total or not amount:
        return dict.fromkeys(weights, ZERO)
    cents = int((Decimal(amount) * 100).to_integral_value())
    exact = {key: Decimal(cents) * weight / total for key, weight in weights.items()}
    parts = {key: int(value) for key, value in exact.items()}
    left = cents - sum(parts.values())
    for key in sorted(weights, key=lambda key: (parts[key] - exact[key], str(key)))[:left]:
        parts[key] += 1
    return {key: Decimal(value) / 100 for key, value in parts.items()}


def _split(amount: Decimal, parts: int) -> Decimal:
    return (amount / parts).quantize(Decimal("0.01")) if parts else ZERO


def build_dashboard(calls, *, funder=None, region_id=None, sector=None, today=None, viewer=None) -> Dashboard:
    """The dashboard over `calls` (a queryset). With `funder`, amounts are that funder's
    share of each call; `region_id` and `sector` keep the projects serving that region,
    or with the lead or a confirmed partner of that sector. With `viewer`, the
    applications of calls they do not manage that they are excluded from (an evaluator
    whose organisation partners a project) are left out, as on the review pages."""
    today = today or timezone.localdate()
    calls = list(
        calls.select_related("table")
        .prefetch_related("shares__funder__organisation")
        .order_by("opens_at", "pk")
    )
    if funder is not None:
        calls = [call for call in calls if funder.pk in call.funder_ids]
    # Each call's envelope by funder (None: a part no funder holds), the weights by which
    # a funder is credited with its share of each project's amounts.
    weights = {}
    for call in calls:
        shares = {s.funder_id: s.amount for s in call.shares.all()}
        unassigned = call.envelope - sum(shares.values(), ZERO)
        weights[call.pk] = {**shares, **({None: unassigned} if unassigned > 0 else {})}

    def portion(call_id, amount):
        """The funder's part of `amount` (all of it without a funder)."""
        if funder is None or not amount:
            return amount
        return allocate(amount, weights[call_id]).get(funder.pk, ZERO)

    applications = list(
        Application.objects.filter(call__in=calls)
        .exclude(status=Status.DRAFT)
        .select_related("project__lead")
        # Only what the dashboard shows: at hundreds of rows, loading whole rows (their
        # long texts and many dates) is most of the page's time.
        .only(
            "call_id",
            "project_id",
            "status",
            "requested_amount",
            "awarded_amount",
            "project__title",
            "project__table_id",
            "project__lead__name",
            "project__lead__acronym",
            "project__lead__sector",
        )
        .order_by("call_id", "pk")
    )
    calls_by_pk = {call.pk: call for call in calls}
    for application in applications:
        application.call = calls_by_pk[application.call_id]
    if viewer is not None:
        from .conflicts import excluded_application_ids
        from .permissions import can_manage_call

        unmanaged = [a for a in applications if not can_manage_call(viewer, a.call)]
        hidden = excluded_application_ids(viewer, unmanaged)
        applications = [a for a in applications if a.pk not in hidden]
    project_ids = [a.project_id for a in applications]
    regions = defaultdict(list)
    for project_id, region_id_, name in Project.regions.through.objects.filter(
        project_id__in=project_ids
    ).values_list("project_id", "region_id", "region__name"):
        regions[project_id].append((region_id_, name))
    objectives = defaultdict(list)
    for project_id, objective_id, number, title in Project.objectives.through.objects.filter(
        project_id__in=project_ids
    ).values_list("project_id", "objective_id", "objective__number", "objective__title"):
        objectives[project_id].append((objective_id, f"{number} {title}"))
    partners = defaultdict(list)
    for row in (
        Partnership.objects.confirmed()
        .filter(project_id__in=project_ids)
        .values(
            "pk",
            "project_id",
            "organisation_id",
            "organisation__name",
            "organisation__acronym",
            "organisation__sector",
            "cash",
            "in_kind",
        )
        .order_by("organisation__name")
    ):
        partners[row["project_id"]].append(row)
    delivered = {
        row["report__application_id"]: row
        for row in ReportContribution.objects.filter(report__application__in=applications)
        .values("report__application_id")
        .annotate(cash=Sum("cash"), in_kind=Sum("in_kind"))
    }
    disbursed = dict(
        Tranche.objects.filter(application__in=applications, released_at__isnull=False)
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    late = list(
        Report.objects.late(today)
        .filter(application__in=applications)
        .select_related("application__project__lead")
        .only(
            "kind",
            "number",
            "due_on",
            "status",
            "application__call_id",
            "application__project__title",
            "application__project__lead__name",
            "application__project__lead__acronym",
        )
        .order_by("due_on")
    )
    late_by_application = Counter(report.application_id for report in late)

    rows = []
    for application in applications:
        project = application.project
        row = ProjectRow(
            application=application,
            project=project,
            regions=regions[project.pk],
            objectives=objectives[project.pk],
            partners=partners[project.pk],
            delivered_cash=(delivered.get(application.pk) or {}).get("cash") or ZERO,
            delivered_in_kind=(delivered.get(application.pk) or {}).get("in_kind") or ZERO,
            disbursed=disbursed.get(application.pk, ZERO),
            late_reports=late_by_application[application.pk],
        )
        if region_id and region_id not in {r for r, _name in row.regions}:
            continue
        if (
            sector
            and sector != project.lead.sector
            and sector not in {p["organisation__sector"] for p in row.partners}
        ):
            continue
        if funder is not None:
            # Each funder is credited with the project's amounts in proportion to its share of
            # the call, to the cent: the funders' figures add up to the call's.
            call_id = application.call_id
            application.awarded_amount = portion(call_id, application.awarded_amount)
            row.disbursed = portion(call_id, row.disbursed)
            row.delivered_cash = portion(call_id, row.delivered_cash)
            row.delivered_in_kind = portion(call_id, row.delivered_in_kind)
            row.partners = [
                {**p, "cash": portion(call_id, p["cash"]), "in_kind": portion(call_id, p["in_kind"])}
                for p in row.partners
            ]
        rows.append(row)

    by_call = {}
    for call in calls:
        envelope = weights[call.pk].get(funder.pk, ZERO) if funder is not None else call.envelope
        by_call[call.pk] = CallRow(call=call, envelope=envelope)
    for row in rows:
        call_row = by_call[row.application.call_id]
        call_row.submitted += 1
        call_row.statuses[row.application.status] += 1
        if row.is_funded:
            call_row.funded += 1
            call_row.committed += row.awarded
            call_row.disbursed += row.disbursed
    kept = {row.application.pk for row in rows}
    dashboard = Dashboard(
        calls=list(by_call.values()),
        projects=rows,
        late_reports=[r for r in late if r.application_id in kept],
    )
    _distributions(dashboard)
    _network(dashboard, calls)
    return dashboard


def _distributions(dashboard: Dashboard) -> None:
    funded = dashboard.funded
    regions = defaultdict(lambda: [0, ZERO])
    objectives = defaultdict(lambda: [0, ZERO])
    sectors = defaultdict(lambda: [0, 0, ZERO])  # projects led, participations as partner, amount led
    partners_count = Counter()
    for row in funded:
        for _pk, name in row.regions or [(None, "—")]:
            regions[name][0] += 1
            regions[name][1] += _split(row.awarded, len(row.regions) or 1)
        for _pk, name in row.objectives:
            objectives[name][0] += 1
            objectives[name][1] += _split(row.awarded, len(row.objectives))
        lead_sector = row.project.lead.sector
        sectors[lead_sector][0] += 1
        sectors[lead_sector][2] += row.awarded
        for partner in row.partners:
            sectors[partner["organisation__sector"]][1] += 1
        partners_count[len(row.partners)] += 1
    labels = dict(Sector.choices)
    dashboard.by_region = sorted(
        ((name, n, amount) for name, (n, amount) in regions.items()), key=lambda r: -r[2]
    )
    dashboard.by_objective = sorted(
        ((name, n, amount) for name, (n, amount) in objectives.items()), key=lambda r: r[0]
    )
    dashboard.by_sector = sorted(
        ((labels.get(code, code), led, partner, amount) for code, (led, partner, amount) in sectors.items()),
        key=lambda r: -(r[1] + r[2]),
    )
    dashboard.partners_per_project = sorted(partners_count.items())


def _network(dashboard: Dashboard, calls) -> None:
    """Who works with whom on funded projects, and how many links each call added."""
    names, degree = {}, Counter()
    weight = Counter()
    first_call = {}
    reached_by_call = defaultdict(set)
    order = {call.pk: index for index, call in enumerate(calls)}
    for row in sorted(
        dashboard.funded, key=lambda r: (order.get(r.application.call_id, 0), r.application.pk)
    ):
        lead = row.project.lead
        members = {lead.pk: lead.short_name}
        for partner in row.partners:
            members[partner["organisation_id"]] = (
                partner["organisation__acronym"] or partner["organisation__name"]
            )
        names.update(members)
        reached_by_call[row.application.call_id].update(members)
        for a, b in combinations(sorted(members), 2):
            weight[(a, b)] += 1
            first_call.setdefault((a, b), row.application.call_id)
    for (a, b), count in weight.items():
        degree[a] += count
        degree[b] += count
    dashboard.organisations_reached = len(names)
    top = [pk for pk, _count in degree.most_common(NETWORK_NODES)]
    dashboard.network_nodes = sorted(((pk, names[pk], degree[pk]) for pk in top), key=lambda n: n[1])
    call_titles = {call.pk: call.title for call in calls}
    dashboard.network_edges = sorted(
        (
            (a, b, count, names[a], names[b], call_titles.get(first_call[(a, b)], ""))
            for (a, b), count in weight.items()
        ),
        key=lambda e: (-e[2], e[3], e[4]),
    )
    # The links each call made first, grouped once: looking them up call by call was
    # quadratic (calls x links), seconds on a network of 2,000 calls.
    new_links_by_call = Counter(first_call.values())
    earlier_links, seen_organisations, growth = 0, set(), []
    for call in calls:
        new_links = new_links_by_call.get(call.pk, 0)
        organisations = reached_by_call.get(call.pk, set())
        growth.append(
            {
                "call": call,
                "earlier_links": earlier_links,
                "new_links": new_links,
                "organisations": len(organisations),
                "new_organisations": len(organisations - seen_organisations),
                "total_links": earlier_links + new_links,
            }
        )
        earlier_links += new_links
        seen_organisations |= organisations
    dashboard.network_growth = growth
