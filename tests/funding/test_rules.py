"""Every rule of a call, one at a time: a ready application meets them all; breaking one
rule makes exactly that rule unmet, and submission refuses it in plain words."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import Status
from funding.rules import check_rules, unmet
from members.models import Sector
from projects.models import BudgetLine, Partnership, ProjectAttachment, ProjectIndicator
from tests.conftest import client_as
from tests.factories import OrganisationFactory
from tests.funding.factories import (
    BudgetLineFactory,
    PartnershipFactory,
    RequiredDocumentFactory,
    application_in,
    call_on,
    member,
    objective_of,
    ready_application,
    region,
    submit,
)

pytestmark = pytest.mark.django_db


def unmet_codes(application):
    return [check.code for check in unmet(check_rules(application))]


def drop_partner(application):
    """Take out the partner the budget does not count on."""
    application.project.partnerships.filter(organisation__sector=Sector.PUBLIC_EDUCATION).delete()


@pytest.fixture
def call(world):
    return call_on(world.table_a)


def test_a_ready_application_meets_every_rule(call):
    assert unmet_codes(ready_application(call)) == []


def test_too_few_confirmed_partners_is_unmet(call):
    application = ready_application(call)
    drop_partner(application)
    assert "min_partners" in unmet_codes(application)


def test_minimum_partners_is_the_calls_own_number(world):
    call = call_on(world.table_a, min_partners=3)
    assert unmet_codes(ready_application(call)) == ["min_partners"]


def test_a_partner_that_has_not_answered_blocks_submission(call):
    # given
    application = ready_application(call)
    waiting, _person = member(call.table, sector=Sector.PRIVATE)
    PartnershipFactory(project=application.project, organisation=waiting, status=Partnership.Status.INVITED)
    # when
    codes = unmet_codes(application)
    # then
    assert codes == ["partners_answered"]


def test_a_partner_that_declined_does_not_block_but_does_not_count(call):
    application = ready_application(call)
    application.project.partnerships.filter(organisation__sector=Sector.PUBLIC_EDUCATION).update(
        status=Partnership.Status.DECLINED
    )
    assert unmet_codes(application) == ["min_partners"]


def test_too_few_sectors_is_unmet(world):
    call = call_on(world.table_a, min_sectors=3)
    application = ready_application(
        call,
        partners=[
            member(world.table_a, sector=Sector.COMMUNITY)[0],
            member(world.table_a, sector=Sector.MUNICIPAL)[0],
        ],
    )
    assert unmet_codes(application) == ["min_sectors"]


def test_a_partner_outside_the_table_is_refused_when_the_call_wants_members(call):
    application = ready_application(
        call,
        partners=[member(call.table, sector=Sector.MUNICIPAL)[0], OrganisationFactory(sector=Sector.PRIVATE)],
    )
    assert unmet_codes(application) == ["members_only"]


def test_a_partner_outside_the_table_is_accepted_when_the_call_allows_it(world):
    call = call_on(world.table_a, partners_must_be_members=False)
    application = ready_application(
        call,
        partners=[member(call.table, sector=Sector.MUNICIPAL)[0], OrganisationFactory(sector=Sector.PRIVATE)],
    )
    assert unmet_codes(application) == []


def test_a_lead_may_not_lead_more_applications_than_the_call_allows(call):
    # given one submitted application led by org L
    first = ready_application(call)
    submit(first)
    # when L prepares a second one
    second = ready_application(call, lead=first.project.lead, lead_delegate=first.lead_delegate)
    # then
    assert unmet_codes(second) == ["lead_limit"]


def test_a_withdrawn_application_does_not_count_against_the_lead(call):
    first = application_in(Status.WITHDRAWN, call)
    second = ready_application(call, lead=first.project.lead, lead_delegate=first.lead_delegate)
    assert unmet_codes(second) == []


def test_nothing_requested_is_unmet(call):
    application = ready_application(call)
    BudgetLine.objects.filter(project=application.project, source="requested").delete()
    assert "requested" in unmet_codes(application)


def test_a_request_above_the_cap_is_unmet(world):
    call = call_on(world.table_a, max_request=Decimal("30000"), max_request_share=100)
    assert unmet_codes(ready_application(call)) == ["max_request"]


def test_a_request_above_the_share_of_the_budget_is_unmet(world):
    # 40 000 requested of a 60 000 budget is 66.7 %
    call = call_on(world.table_a, max_request_share=60)
    assert unmet_codes(ready_application(call)) == ["max_share"]


def test_a_request_exactly_at_the_share_is_met(world):
    call = call_on(world.table_a, max_request_share=67)
    application = ready_application(call)
    BudgetLine.objects.filter(project=application.project, source="other").update(amount=Decimal("11700"))
    # 40 000 of 59 700 = 67.0 %
    assert unmet_codes(application) == []


def test_the_budget_may_not_count_on_more_than_a_partner_confirmed(call):
    application = ready_application(call)
    partner = application.project.partnerships.first()
    BudgetLineFactory(
        project=application.project,
        organisation=partner.organisation,
        nature=BudgetLine.Nature.CASH,
        source=BudgetLine.Source.CONTRIBUTION,
        amount=partner.cash + 1,
    )
    assert unmet_codes(application) == ["contributions_confirmed"]


def test_a_region_outside_the_calls_territories_is_unmet(call):
    call.regions.set([region("03")])
    application = ready_application(call)
    application.project.regions.set([region("12")])
    assert unmet_codes(application) == ["territory"]


def test_a_project_serving_no_region_is_unmet(call):
    application = ready_application(call)
    application.project.regions.clear()
    assert unmet_codes(application) == ["territory"]


def test_a_project_must_serve_one_of_the_calls_objectives(call):
    wanted, other = objective_of(call.table), objective_of(call.table)
    call.objectives.set([wanted])
    application = ready_application(call)
    application.project.objectives.set([other])
    assert unmet_codes(application) == ["objectives"]
    application.project.objectives.set([wanted])
    assert unmet_codes(application) == []


def test_a_required_document_must_be_attached(call):
    document = RequiredDocumentFactory(call=call)
    application = ready_application(call)
    assert unmet_codes(application) == ["documents"]
    ProjectAttachment.objects.create(
        project=application.project, required_document=document, title="Lettre", file="x.pdf", size=10
    )
    assert unmet_codes(application) == []


def test_an_optional_document_does_not_block(call):
    RequiredDocumentFactory(call=call, mandatory=False)
    assert unmet_codes(ready_application(call)) == []


def test_missing_parts_of_the_project_are_named(call):
    application = ready_application(call)
    type(application.project).objects.filter(pk=application.project_id).update(needs="", starts=None)
    checks = [c for c in check_rules(application) if c.code == "content"]
    assert not checks[0].ok
    assert "besoins ciblés" in checks[0].message
    assert "dates de début et de fin" in checks[0].message


def test_both_kinds_of_indicator_are_required(call):
    application = ready_application(call)
    ProjectIndicator.objects.filter(project=application.project, kind="process").delete()
    assert unmet_codes(application) == ["indicators"]


def test_a_closed_call_accepts_no_submission(world):
    call = call_on(
        world.table_a,
        closes_at=timezone.now() - timedelta(minutes=1),
        opens_at=timezone.now() - timedelta(days=30),
    )
    assert unmet_codes(ready_application(call)) == ["call_open"]


def test_submission_is_refused_with_every_unmet_rule(call):
    # given two broken rules
    application = ready_application(call)
    drop_partner(application)
    ProjectIndicator.objects.filter(project=application.project).delete()
    # when
    with pytest.raises(services.RulesNotMet) as refused:
        submit(application)
    # then
    assert {c.code for c in unmet(refused.value.checks)} == {"min_partners", "indicators"}
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not application.versions.exists()


def test_the_submit_page_lists_every_unmet_rule_in_plain_words(world, call):
    application = ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a)
    drop_partner(application)
    ProjectIndicator.objects.filter(project=application.project).delete()
    response = client_as(world, "delegate_a").post(
        reverse("projects:project-submit", args=[application.project_id])
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Cet appel exige au moins 2 organisations partenaires" in text
    assert "Indiquez au moins un indicateur de résultat" in text
    application.refresh_from_db()
    assert application.status == Status.DRAFT
