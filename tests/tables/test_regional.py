"""The regional view across tables: each figure against hand-computed values on a small
region, what private tables reveal, the networks, the load over time, and the cache."""

from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.regions import ensure_regions
from tables import regional
from tables.models import (
    Action,
    ActionCommitment,
    Attendance,
    Committee,
    Meeting,
    Membership,
    RegionalSettings,
)
from tables.regional import (
    Proposal,
    Thresholds,
    Trend,
    WorkPair,
    compute_overview,
    jaccard,
    organisation_load,
    organisation_network,
    table_network,
    visible_table_ids,
)
from tests.conftest import client_as
from tests.factories import (
    CoordinatorFactory,
    DelegationFactory,
    FunderStaffFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 6, 15, 12, 0))


def meeting(table, days_ago, hours=2, status=Meeting.Status.HELD, committee=None):
    starts = NOW - timedelta(days=days_ago)
    return Meeting.objects.create(
        table=table,
        committee=committee,
        title="Rencontre",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        status=status,
    )


def attendance(meeting_, membership, present):
    return Attendance.objects.create(meeting=meeting_, membership=membership, present=present)


@pytest.fixture
def region():
    return ensure_regions()["03"]


@pytest.fixture
def small(region):
    """Four tables of Capitale-Nationale and five organisations:

    T1 (immigration): A B C — three 2 h meetings this year and one last year, attendance
       not recorded;
    T2 (immigration): A B D (E left in 2025) — two 3 h meetings this year with attendance
       recorded (A present twice, B once, D once) and one cancelled;
    T3 (youth, private): A — a committee meeting A is not called to, one meeting too old;
    T4 (youth): D — no meetings.
    """
    orgs = {key: OrganisationFactory(name=f"Organisme {key}", acronym=key) for key in "ABCDE"}
    t1 = TableFactory(name="T1", acronym="T1", theme="immigration")
    t2 = TableFactory(name="T2", acronym="T2", theme="immigration")
    t3 = TableFactory(name="T3", acronym="T3", theme="youth", visibility="private")
    t4 = TableFactory(name="T4", acronym="T4", theme="youth")
    seats = {}
    for table, keys in ((t1, "ABC"), (t2, "ABD"), (t3, "A"), (t4, "D")):
        for key in keys:
            seats[(table.name, key)] = MembershipFactory(table=table, organisation=orgs[key])
    MembershipFactory(table=t2, organisation=orgs["E"], left=date(2025, 1, 1))

    for days in (10, 40, 70, 400):
        meeting(t1, days)
    first, second = meeting(t2, 20, hours=3), meeting(t2, 50, hours=3)
    for meeting_, presence in ((first, {"A": True, "B": False, "D": True}), (second, {"A": True, "B": True})):
        for key, present in presence.items():
            attendance(meeting_, seats[("T2", key)], present)
    attendance(second, seats[("T2", "D")], False)
    meeting(t2, 30, hours=3, status=Meeting.Status.CANCELLED)
    committee = Committee.objects.create(table=t3, name="Comité")
    meeting(t3, 5, hours=4, committee=committee)
    meeting(t3, 800)
    return {"orgs": orgs, "t1": t1, "t2": t2, "t3": t3, "t4": t4, "seats": seats}


def rows_by_key(overview):
    return {row.acronym: row for row in overview.organisations}


# Tables and organisations -------------------------------------------------------------


def test_every_table_of_the_region_with_its_members_and_meetings(small, region):
    TableFactory(name="Ailleurs", region=ensure_regions()["06"])

    overview = compute_overview(region, now=NOW)

    tables = {row.name: row for row in overview.tables}
    assert sorted(tables) == ["T1", "T2", "T3", "T4"]
    assert {name: row.members for name, row in tables.items()} == {"T1": 3, "T2": 3, "T3": 1, "T4": 1}
    assert {name: (row.meetings_recent, row.meetings_previous) for name, row in tables.items()} == {
        "T1": (3, 1),
        "T2": (2, 0),  # the cancelled meeting does not count
        "T3": (1, 0),  # the committee meeting counts for the table; 800 days ago is outside
        "T4": (0, 0),
    }
    assert tables["T1"].meetings_per_month == 0.2  # 3 / 12
    assert tables["T1"].trend == Trend(3, 1)


def test_organisations_sitting_on_several_tables_most_solicited_first(small, region):
    overview = compute_overview(region, now=NOW)

    assert [(row.acronym, row.tables) for row in overview.organisations] == [("A", 3), ("B", 2), ("D", 2)]
    assert [overview.table_by_id[pk].name for pk in rows_by_key(overview)["A"].table_ids] == [
        "T1",
        "T2",
        "T3",
    ]


def test_meetings_called_and_hours_spent_per_organisation(small, region):
    rows = rows_by_key(compute_overview(region, now=NOW))

    # A: T1 3 x 2 h (no attendance recorded: one person assumed), T2 present twice x 3 h;
    # not called to T3's committee meeting.
    assert (rows["A"].meetings_recent, rows["A"].minutes_recent) == (5, 720)
    assert (rows["A"].meetings_previous, rows["A"].minutes_previous) == (1, 120)
    # B: T1 3 x 2 h, T2 called twice but present once x 3 h.
    assert (rows["B"].meetings_recent, rows["B"].minutes_recent) == (5, 540)
    # D: T2 called twice, present once x 3 h.
    assert (rows["D"].meetings_recent, rows["D"].minutes_recent) == (2, 180)


def test_monthly_averages_and_trend(small, region):
    rows = rows_by_key(compute_overview(region, now=NOW))

    assert rows["A"].meetings_per_month == 0.4  # 5 / 12
    assert rows["A"].hours_per_month == 1.0  # 12 h / 12
    assert rows["B"].hours_per_month == 0.8  # 9 h / 12 = 0.75
    assert rows["A"].trend == Trend(12.0, 2.0)
    assert (rows["A"].trend.change, rows["A"].trend.direction) == (500, "up")
    assert rows["D"].trend.direction == "new"


def test_trend_directions():
    assert Trend(10, 10).direction == "flat"
    assert Trend(8, 10).direction == "down"
    assert Trend(8, 10).change == -20
    assert Trend(0, 0).direction == "flat"
    assert Trend(0, 0).change is None


def test_a_member_who_joined_after_a_meeting_was_not_called_to_it(region):
    table = TableFactory()
    early, late = OrganisationFactory(), OrganisationFactory()
    MembershipFactory(table=table, organisation=early)
    MembershipFactory(table=table, organisation=late, joined=(NOW - timedelta(days=15)).date())
    other = TableFactory()
    for organisation in (early, late):
        MembershipFactory(table=other, organisation=organisation)
    meeting(table, 30)
    meeting(table, 5)

    rows = {row.id: row for row in compute_overview(region, now=NOW).organisations}

    assert rows[early.pk].meetings_recent == 2
    assert rows[late.pk].meetings_recent == 1


# Thresholds and alerts -----------------------------------------------------------------


def test_no_alert_under_the_default_thresholds(small, region):
    overview = compute_overview(region, now=NOW)

    assert overview.thresholds == Thresholds(5, 12)
    assert overview.alerts == []


def test_alerts_above_the_regions_thresholds(small, region):
    RegionalSettings.objects.create(region=region, max_tables_per_organisation=2, max_hours_per_month=0)

    overview = compute_overview(region, now=NOW)

    alerts = {(small["orgs"][key].pk, kind) for key, kind in [("A", "tables"), ("A", "hours")]}
    alerts |= {(small["orgs"]["B"].pk, "hours"), (small["orgs"]["D"].pk, "hours")}
    assert {(alert.organisation_id, alert.kind) for alert in overview.alerts} == alerts
    # Two tables is not above two.
    assert [alert.kind for alert in rows_by_key(overview)["B"].alerts] == ["hours"]
    assert [row.acronym for row in overview.over_solicited] == ["A", "B", "D"]


def test_all_of_quebec_uses_each_organisations_own_region(small):
    RegionalSettings.objects.create(
        region=ensure_regions()["03"], max_tables_per_organisation=2, max_hours_per_month=100
    )
    montreal = OrganisationFactory(acronym="M", region=ensure_regions()["06"])
    for _n in range(3):
        MembershipFactory(table=TableFactory(), organisation=montreal)

    overview = compute_overview(None, now=NOW)

    flagged = {row.acronym for row in overview.over_solicited}
    assert "A" in flagged  # 3 tables, above Capitale-Nationale's 2
    assert "M" not in flagged  # 3 tables, under the default 5 of Montréal


# Suggestions ----------------------------------------------------------------------------


def test_jaccard_index():
    assert jaccard({1, 2, 3}, {1, 2, 4}) == 0.5
    assert jaccard({1}, {2}) == 0
    assert jaccard(set(), set()) == 0


def test_suggestions_for_overlapping_tables_and_shared_themes(small, region):
    overview = compute_overview(region, now=NOW)

    found = {
        (overview.table_by_id[s.first_id].name, overview.table_by_id[s.second_id].name): s
        for s in overview.suggestions
    }
    assert set(found) == {("T1", "T2"), ("T3", "T4")}
    # Half of their members in common, and the same theme: the same table twice.
    assert found[("T1", "T2")].jaccard == 0.5
    assert found[("T1", "T2")].proposals == (Proposal.MERGE, Proposal.JOINT_MEETINGS)
    assert {small["orgs"][k].pk for k in "AB"} == set(found[("T1", "T2")].shared_ids)
    # Same theme in the same region, no member in common.
    assert found[("T3", "T4")].proposals == (Proposal.SHARED_DELEGATION,)
    assert found[("T3", "T4")].jaccard == 0


def test_overlap_without_a_shared_theme_suggests_joint_meetings(region):
    first, second = TableFactory(theme="youth"), TableFactory(theme="employment")
    for organisation in [OrganisationFactory() for _n in range(3)]:
        MembershipFactory(table=first, organisation=organisation)
        MembershipFactory(table=second, organisation=organisation)
    MembershipFactory(table=second)

    (suggestion,) = compute_overview(region, now=NOW).suggestions

    assert suggestion.jaccard == 0.75
    assert suggestion.proposals == (Proposal.JOINT_MEETINGS,)


def test_less_than_half_in_common_and_different_themes_suggests_nothing(region):
    first, second = TableFactory(theme="youth"), TableFactory(theme="employment")
    shared = OrganisationFactory()
    for table in (first, second):
        MembershipFactory(table=table, organisation=shared)
        MembershipFactory(table=table)

    assert compute_overview(region, now=NOW).suggestions == []  # 1 / 3


# Queries and cache ------------------------------------------------------------------------


def grow(tables, members=6):
    """`tables` more tables sharing members, with meetings and recorded attendance."""
    organisations = [OrganisationFactory() for _n in range(members + tables)]
    for index in range(tables):
        table = TableFactory(theme=["youth", "employment", "housing"][index % 3])
        seats = [
            MembershipFactory(table=table, organisation=organisation)
            for organisation in organisations[index : index + members]
        ]
        for days in (10, 100, 400):
            held = meeting(table, days)
            for seat in seats[: members // 2]:
                attendance(held, seat, True)


def overview_queries(region):
    with CaptureQueriesContext(connection) as context:
        compute_overview(region, now=NOW)
    return len(context.captured_queries)


def test_the_overview_costs_the_same_few_queries_whatever_the_size(region):
    grow(2)
    small = overview_queries(region)
    grow(10)
    large = overview_queries(region)

    assert large == small
    assert large <= 7


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("tables:regional-overview", args=["capitale-nationale"]),
        lambda: reverse("tables:regional-overview", args=["quebec"]),
        lambda: reverse("tables:regional-network", args=["capitale-nationale"]),
        lambda: reverse("tables:activity-calendar"),
    ],
    ids=["overview", "all-of-quebec", "network", "calendar"],
)
def test_page_query_count_does_not_grow_with_the_data(world, url):
    client = client_as(world, "admin")

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            response = client.get(url())
        assert response.status_code == 200
        return len(context.captured_queries)

    grow(2)
    small = count()
    grow(10)
    large = count()

    assert large == small


def test_the_overview_is_cached_until_a_change_is_committed(
    small, region, django_capture_on_commit_callbacks
):
    first = regional.regional_overview(region)
    with CaptureQueriesContext(connection) as context:
        again = regional.regional_overview(region)
    assert len(context.captured_queries) == 0
    assert again.computed_at == first.computed_at

    MembershipFactory(table=small["t4"], organisation=small["orgs"]["C"])

    assert rows_by_key(regional.regional_overview(region))["C"].tables == 2


# What private tables reveal ---------------------------------------------------------------


def test_member_lists_of_private_tables_only_for_those_who_may_see_them(small, region):
    overview = compute_overview(region, now=NOW)
    t3 = small["t3"]
    insider = DelegationFactory(membership=small["seats"][("T3", "A")]).person
    coordinator = CoordinatorFactory(table=t3).person
    funder = FunderStaffFactory().person
    admin = UserFactory(is_superuser=True)

    assert t3.pk in visible_table_ids(insider, overview.tables)
    assert t3.pk in visible_table_ids(coordinator, overview.tables)
    assert t3.pk in visible_table_ids(admin, overview.tables)
    assert t3.pk not in visible_table_ids(funder, overview.tables)
    assert visible_table_ids(funder, overview.tables) == {small[k].pk for k in ("t1", "t2", "t4")}


def test_the_page_counts_a_private_table_without_naming_it(world):
    # given org_b sits on private table B and on public table A
    MembershipFactory(table=world.table_a, organisation=world.org_b)
    url = reverse("tables:regional-overview", args=["capitale-nationale"])
    named_b = f'<abbr title="{world.table_b.name}">'
    insider = Client()
    insider.force_login(world.coordinator_b)

    # when funder staff, then table B's coordinator, look at the region
    outside = client_as(world, "evaluator").get(url).text
    inside = insider.get(url).text

    # then both see org_b on two tables; only B's coordinator sees that B is one of them
    assert world.org_b.get_absolute_url() in outside
    assert 'data-private-tables="1"' in outside
    assert named_b not in outside
    assert named_b in inside
    assert "data-private-tables" not in inside


def test_shared_organisations_are_named_only_between_tables_the_viewer_may_see(small, region):
    overview = compute_overview(region, now=NOW)
    everything = {row.id for row in overview.tables}
    public = everything - {small["t3"].pk}

    network = table_network(overview, visible_ids=public)
    edges = {frozenset((e.first_id, e.second_id)): e for e in network.edges}

    with_private = edges[frozenset((small["t1"].pk, small["t3"].pk))]
    assert with_private.weight == 1
    assert with_private.detail == ()
    assert set(edges[frozenset((small["t1"].pk, small["t2"].pk))].detail) == {
        small["orgs"]["A"].pk,
        small["orgs"]["B"].pk,
    }


def test_table_network_filters_by_theme_and_sector(small, region):
    small["orgs"]["B"].sector = "municipal"
    small["orgs"]["B"].save()
    overview = compute_overview(region, now=NOW)
    everything = {row.id for row in overview.tables}

    youth = table_network(overview, visible_ids=everything, theme="youth")
    municipal = table_network(overview, visible_ids=everything, sector="municipal")

    assert {node.label for node in youth.nodes} == {"T3", "T4"}
    assert youth.edges == []
    assert [(e.weight, e.detail) for e in municipal.edges] == [(1, (small["orgs"]["B"].pk,))]


# Joint work ---------------------------------------------------------------------------------


def test_organisation_network_adds_up_pairs_from_several_sources():
    organisations = {
        1: ("Un", "", "community", "Communautaire", "un"),
        2: ("Deux", "", "municipal", "Municipal", "deux"),
        3: ("Trois", "", "community", "Communautaire", "trois"),
    }
    from_plans = [WorkPair(1, 2, table_id=10, weight=2), WorkPair(2, 3, table_id=10)]
    from_projects = [WorkPair(2, 1, table_id=11)]

    network = organisation_network([*from_plans, *from_projects], organisations=organisations)
    municipal_only = organisation_network(
        [*from_plans, *from_projects], organisations=organisations, sector="municipal"
    )
    community_links = organisation_network(from_plans, organisations=organisations, sector="community")

    assert {(e.first_id, e.second_id): (e.weight, e.detail) for e in network.edges} == {
        (1, 2): (3, (10, 11)),
        (2, 3): (1, (10,)),
    }
    assert {node.id: node.size for node in network.nodes} == {1: 3, 2: 4, 3: 1}
    assert len(municipal_only.edges) == 2
    assert {(e.first_id, e.second_id) for e in community_links.edges} == {(1, 2), (2, 3)}


def test_action_plan_pairs_are_organisations_committed_to_the_same_action(world):
    from tests.site.permission_cases.plans import plan

    action = Action.objects.get(objective__axis__plan=plan(world))
    third = OrganisationFactory()
    for organisation, role in ((world.org_a, "lead"), (world.org_b, "partner"), (third, "none")):
        ActionCommitment.objects.create(action=action, organisation=organisation, role=role)
    withdrawn = Action.objects.create(objective=action.objective, title="Retirée", state="withdrawn")
    for organisation in (world.org_a, third):
        ActionCommitment.objects.create(action=withdrawn, organisation=organisation, role="partner")

    pairs = regional.action_plan_pairs(regional._scope_tables(None))

    low, high = sorted([world.org_a.pk, world.org_b.pk])
    assert pairs == [WorkPair(low, high, world.table_a.pk, 1)]


# An organisation's load over time ------------------------------------------------------------


def test_organisation_load_per_month(small):
    load = organisation_load(small["orgs"]["A"], months=3, now=NOW)

    # April, May and June 2026: T1 on June 5, May 6 and April 6 (2 h, one person assumed);
    # T2 on May 26 (present, 3 h) and April 26 (present, 3 h).
    assert [m.month for m in load.months] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert [(m.meetings, m.hours) for m in load.months] == [(2, 5.0), (2, 5.0), (1, 2.0)]
    assert (load.total_meetings, load.total_hours) == (5, 12.0)


def test_organisation_load_can_leave_out_private_tables(small):
    only_t1 = organisation_load(small["orgs"]["A"], months=3, now=NOW, tables=[small["t1"]])

    assert [m.hours for m in only_t1.months] == [2.0, 2.0, 2.0]


def test_organisation_load_seen_by_counts_private_tables_only_for_insiders_and_is_cached(small):
    """The page's figures come from the cache, per what the viewer may see, and follow a
    new meeting at once."""
    from django.contrib.auth.models import AnonymousUser

    organisation, t3 = small["orgs"]["A"], small["t3"]
    starts = timezone.now() - timedelta(days=1)
    Meeting.objects.create(table=t3, title="Privée", starts_at=starts, ends_at=starts + timedelta(hours=4))
    insider = CoordinatorFactory(table=t3).person
    outsider = UserFactory()

    def totals(user):
        load = regional.organisation_load_seen_by(organisation, user)
        assert load.organisation == organisation
        return load.total_meetings, load.total_hours

    public = totals(AnonymousUser())
    assert totals(outsider) == public
    assert totals(insider) == (public[0] + 1, public[1] + 4.0)
    with CaptureQueriesContext(connection) as context:
        assert totals(outsider) == public
    assert not any("tables_meeting" in query["sql"] for query in context.captured_queries)

    Meeting.objects.create(
        table=small["t1"], title="Nouvelle", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )

    assert totals(outsider) == (public[0] + 1, public[1] + 2.0)


def test_organisation_load_partial_renders_a_chart_and_a_table(small):
    from django.template.loader import render_to_string

    html = render_to_string(
        "tables/_organisation_load.html", {"load": organisation_load(small["orgs"]["A"], months=12, now=NOW)}
    )

    assert "<svg" in html and 'role="img"' in html
    assert html.count('<th scope="row">') == 12


def test_network_picture_has_a_label_for_every_node_and_no_script(small, region):
    from members.documents.charts import network_svg

    overview = compute_overview(region, now=NOW)
    network = table_network(overview, visible_ids=set())
    svg = str(network_svg(network, title="Réseau", description="Tables", chart_id="n"))

    assert svg.count('class="node"') == 4
    assert all(f">{name}</text>" in svg for name in ("T1", "T2", "T3", "T4"))
    assert "<script" not in svg and "style=" not in svg
    # Nobody may see T1's page here: no links.
    assert "<a " not in svg


def test_membership_left_today_is_not_counted(region):
    table = TableFactory()
    MembershipFactory(table=table, left=timezone.localdate())
    MembershipFactory(table=table)

    (row,) = compute_overview(region).tables

    assert row.members == 1
    assert Membership.objects.filter(table=table).count() == 2
