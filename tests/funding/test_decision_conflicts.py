"""Conflicts of interest cover the whole decision: whoever is tied to a project (an
organisation they work for leads it or partners in it, or they declared a conflict) may not
fund it, accept its reports or release its tranches; another manager does, or the table by
resolution, and the history says so. A call's co-funder is not a partner of its projects."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from funding import services
from funding.models import AuditEntry, Declaration, Report, Status
from funding.rules import check_rules
from members.models import Affiliation
from projects.models import Partnership
from tests.funding.factories import (
    PartnershipFactory,
    application_in,
    call_on,
    manager_of,
    ready_application,
    resolution_of,
    reviewer_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


@pytest.fixture
def call(world):
    return call_on(world.table_a)


def works_for(person, organisation):
    Affiliation.objects.filter(person=person, end__isnull=True).update(end=timezone.localdate())
    Affiliation.objects.create(person=person, organisation=organisation)


def partner_of(application):
    return Partnership.objects.confirmed().filter(project=application.project).first().organisation


@pytest.fixture
def recommended(call):
    application = application_in(Status.RECOMMENDED, call, manager=manager_of(call))
    application.tied, application.free = manager_of(call), manager_of(call)
    works_for(application.tied, partner_of(application))
    return application


def test_a_manager_whose_organisation_partners_the_project_cannot_fund_it(recommended):
    with pytest.raises(ValidationError, match="Vous ne pouvez pas décider de cette demande"):
        services.application_decide(application=recommended, by=recommended.tied, funded=True, amount=1000)
    recommended.refresh_from_db()
    assert recommended.status == Status.RECOMMENDED


def test_the_refusal_names_the_organisation_that_ties_them(recommended):
    with pytest.raises(ValidationError) as refused:
        services.application_decide(application=recommended, by=recommended.tied, funded=False, note="Non.")
    assert partner_of(recommended).name in refused.value.messages[0]


def test_another_manager_decides_it(recommended):
    decided = services.application_decide(
        application=recommended, by=recommended.free, funded=True, amount=1000
    )
    assert decided.status == Status.FUNDED


def test_a_tied_manager_may_record_the_tables_resolution_and_the_history_says_so(world, recommended):
    resolution = resolution_of(world.table_a)
    services.application_decide(
        application=recommended, by=recommended.tied, funded=True, amount=1000, resolution=resolution
    )
    entry = AuditEntry.objects.get(application=recommended, action=AuditEntry.Action.DECIDED)
    assert partner_of(recommended).name in entry.changes["recorded_despite_conflict"][1]


def test_a_declared_conflict_excludes_from_the_decision_too(call, recommended):
    reviewer = reviewer_on(call, person=recommended.free)
    Declaration.objects.create(reviewer=reviewer, application=recommended, has_conflict=True)
    with pytest.raises(ValidationError, match="vous avez déclaré un conflit d’intérêts"):
        services.application_decide(application=recommended, by=recommended.free, funded=True, amount=1000)


@pytest.fixture
def funded(call):
    manager = manager_of(call)
    application = application_in(Status.IN_PROGRESS, call, manager=manager)
    application.manager, application.tied = manager, manager_of(call)
    works_for(application.tied, application.project.lead)
    return application


def test_a_tied_manager_cannot_accept_a_report_or_release_a_tranche(funded):
    report = funded.reports.get(kind=Report.Kind.PROGRESS)
    report = services.report_save(
        report=report, by=funded.lead_delegate, expected_version=report.version, submit=True, summary="Fait."
    )
    with pytest.raises(ValidationError, match="Vous ne pouvez pas accepter les rapports"):
        services.report_accept(report=report, by=funded.tied)
    with pytest.raises(ValidationError, match="Vous ne pouvez pas accepter les rapports"):
        services.tranche_release(tranche=funded.tranches.get(number=1), by=funded.tied)
    with pytest.raises(ValidationError, match="Vous ne pouvez pas accepter les rapports"):
        services.schedule_update(application=funded, by=funded.tied, tranches=[])
    assert services.report_accept(report=report, by=funded.manager).status == Report.Status.ACCEPTED


def test_a_co_funder_of_the_call_cannot_be_a_partner(call):
    application = ready_application(call)
    funder = call.shares.first().funder
    PartnershipFactory(project=application.project, organisation=funder.organisation)
    [check] = [c for c in check_rules(application) if c.code == "no_cofunder_partner"]
    assert not check.ok
    assert funder.organisation.short_name in check.message
    with pytest.raises(ValidationError):
        services.application_submit(application=application, by=application.lead_delegate)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_an_application_without_co_funders_among_its_partners_passes_that_rule(call):
    [check] = [c for c in check_rules(ready_application(call)) if c.code == "no_cofunder_partner"]
    assert check.ok
