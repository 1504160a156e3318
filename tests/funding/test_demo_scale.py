"""Funding data at benchmark scale: every synthetic table gets years of partnership-only
calls with applications in every state, each project with two confirmed partners."""

import pytest

from funding.demo.scale import APPLICATIONS_PER_CALL, CALLS_PER_TABLE, seed_funding_scale
from funding.models import Application, FundingCall
from projects.models import Partnership
from tables.demo import DemoSeeder
from tables.models import Membership

pytestmark = pytest.mark.django_db


def test_each_synthetic_table_gets_years_of_calls_with_joint_projects():
    # given two synthetic tables
    DemoSeeder().seed_scale(
        1, tables_per_unit=2, organisations_per_unit=20, members_per_table=8, meetings_per_table=2
    )
    # when funding is added, twice
    assert seed_funding_scale(out=lambda message: None) == 2 * CALLS_PER_TABLE
    assert seed_funding_scale(out=lambda message: None) == 0
    # then each table has its calls, the latest one open, and their applications
    assert FundingCall.objects.count() == 2 * CALLS_PER_TABLE
    assert Application.objects.count() == 2 * CALLS_PER_TABLE * APPLICATIONS_PER_CALL
    assert {a.status for a in Application.objects.all()} >= {"funded", "refused", "in_review", "draft"}
    # and every project is led and partnered by members of its table, never alone
    for application in Application.objects.select_related("project"):
        partners = Partnership.objects.filter(project=application.project, status="confirmed")
        members = set(
            Membership.objects.filter(table=application.call.table).values_list("organisation", flat=True)
        )
        assert partners.count() == 2
        assert {application.project.lead_id, *partners.values_list("organisation", flat=True)} <= members
        assert application.project.lead_id not in partners.values_list("organisation", flat=True)
