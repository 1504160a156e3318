"""The demo data of the regional view shows what it is for: over-solicited organisations,
tables that overlap, and two regions' missions colliding in Montréal."""

import pytest

from members.regions import ensure_regions
from tables.demo import DemoSeeder
from tables.demo.regional import seed_regional
from tables.models import Activity, Meeting, Table
from tables.regional import Proposal, compute_overview, conflicts_among
from tables.selectors.clashes import upcoming_clashes

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    DemoSeeder().seed_main()
    seed_regional()


def test_the_demo_spans_three_regions_and_two_years(demo):
    regions = set(Table.objects.values_list("region__code", flat=True))
    assert {"03", "06", "12"} <= regions
    assert Table.objects.filter(region__code="03").count() >= 6
    oldest = Meeting.objects.filter(table__slug="table-emploi-capitale-nationale").earliest("starts_at")
    assert (Meeting.objects.latest("starts_at").starts_at - oldest.starts_at).days > 700


def test_the_demo_shows_over_solicitation_and_overlaps(demo):
    overview = compute_overview(ensure_regions()["03"])

    assert max(row.tables for row in overview.organisations) >= 6
    assert max(row.hours_per_month for row in overview.organisations) > 12
    assert overview.over_solicited
    proposals = {code for suggestion in overview.suggestions for code in suggestion.proposals}
    assert proposals == {Proposal.MERGE, Proposal.JOINT_MEETINGS, Proposal.SHARED_DELEGATION}


def test_the_demo_has_four_tables_meeting_the_same_morning(demo):
    report = upcoming_clashes(ensure_regions()["03"])

    clashing_tables = {clash.first.table_id for clash in report.clashes} | {
        clash.second.table_id for clash in report.clashes
    }
    assert len(clashing_tables) >= 4
    assert len(report.affected_organisation_ids) >= 2


def test_the_demo_has_two_regions_missions_colliding_in_montreal(demo):
    activities = list(Activity.objects.select_related("region"))
    conflicts = conflicts_among(activities)

    pairs = {(a.region.code, b.region.code) for a in activities for b in conflicts.get(a.pk, [])}
    assert ("03", "12") in pairs
    assert all(a.kind == Activity.Kind.RECRUITMENT_MISSION for a in activities if a.pk in conflicts)


def test_seeding_twice_adds_nothing(demo):
    counts = (Table.objects.count(), Meeting.objects.count(), Activity.objects.count())

    seed_regional()

    assert (Table.objects.count(), Meeting.objects.count(), Activity.objects.count()) == counts
