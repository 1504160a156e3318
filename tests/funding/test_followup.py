"""Funded projects: reports with indicators and contributions delivered, tranches released
once their report is accepted, a schedule that always adds up to the award."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from funding import services
from funding.models import Report, ReportContribution, ReportIndicatorValue, Status, Tranche
from funding.selectors import reports_due
from members.services.editing import EditConflict
from tests.funding.factories import application_in, call_on, manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(world):
    call = call_on(world.table_a)
    application = application_in(Status.IN_PROGRESS, call)
    application.manager = manager_of(call)
    return application


def progress_of(application):
    return application.reports.get(kind=Report.Kind.PROGRESS)


def submit_report(application, report=None, **extra):
    report = report or progress_of(application)
    return services.report_save(
        report=report,
        by=application.lead_delegate,
        expected_version=report.version,
        submit=True,
        summary="Deux cohortes accueillies.",
        **extra,
    )


def test_a_tranche_tied_to_a_report_waits_for_its_acceptance(funded):
    # given the progress report submitted, not yet accepted
    submit_report(funded)
    tranche = funded.tranches.get(number=2)
    # when / then
    with pytest.raises(ValidationError):
        services.tranche_release(tranche=tranche, by=funded.manager)
    assert not Tranche.objects.get(pk=tranche.pk).is_released


def test_a_tranche_is_released_once_its_report_is_accepted(funded):
    report = submit_report(funded)
    services.report_accept(report=report, by=funded.manager)
    tranche = services.tranche_release(tranche=funded.tranches.get(number=2), by=funded.manager)
    assert tranche.is_released
    assert tranche.released_by == funded.manager


def test_the_first_tranche_needs_no_report(funded):
    assert services.tranche_release(tranche=funded.tranches.get(number=1), by=funded.manager).is_released


def test_the_lead_reports_indicators_and_contributions_actually_delivered(funded):
    # given
    project = funded.project
    indicator = project.indicators.first()
    partnership = project.partnerships.first()
    # when
    submit_report(
        funded,
        indicator_values={indicator.pk: (Decimal("12"), "Deux de plus qu'à mi-parcours")},
        contributions={partnership.pk: (Decimal("2500"), Decimal("4000"), "")},
    )
    # then
    assert ReportIndicatorValue.objects.get(indicator=indicator).value == Decimal("12")
    delivered = ReportContribution.objects.get(partnership=partnership)
    assert (delivered.cash, delivered.in_kind) == (Decimal("2500"), Decimal("4000"))


def test_a_report_may_not_name_another_projects_partner(world, funded):
    other = application_in(Status.DRAFT, call_on(world.table_a)).project.partnerships.first()
    with pytest.raises(ValidationError):
        submit_report(funded, contributions={other.pk: (Decimal("1"), Decimal("0"), "")})


def test_only_the_lead_writes_reports(funded):
    report = progress_of(funded)
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, by=funded.manager, expected_version=report.version, summary="x")


def test_a_submitted_report_no_longer_changes(funded):
    report = submit_report(funded)
    with pytest.raises(ValidationError):
        services.report_save(
            report=report, by=funded.lead_delegate, expected_version=report.version, summary="Autre chose"
        )


def test_two_people_saving_a_report_at_once_lose_nothing(funded):
    report = progress_of(funded)
    services.report_save(report=report, by=funded.lead_delegate, expected_version=report.version, summary="A")
    with pytest.raises(EditConflict):
        services.report_save(
            report=report, by=funded.lead_delegate, expected_version=report.version, summary="B"
        )
    assert Report.objects.get(pk=report.pk).summary == "A"


def test_a_report_sent_back_can_be_completed_and_submitted_again(funded):
    report = submit_report(funded)
    returned = services.report_return(report=report, by=funded.manager, note="Ajoutez les indicateurs.")
    assert returned.status == Report.Status.EXPECTED
    assert submit_report(funded, report=returned).status == Report.Status.SUBMITTED


def test_the_schedule_must_add_up_to_the_award(funded):
    tranches = list(funded.tranches.order_by("number"))
    rows = [
        {
            "id": t.pk,
            "amount": t.amount + (1 if t.number == 3 else 0),
            "planned_on": t.planned_on,
            "report": t.report,
        }
        for t in tranches
    ]
    with pytest.raises(ValidationError):
        services.schedule_update(application=funded, by=funded.manager, tranches=rows)


def test_the_schedule_can_be_rebalanced(funded):
    tranches = list(funded.tranches.order_by("number"))
    rows = [
        {"id": t.pk, "amount": t.amount, "planned_on": t.planned_on, "report": t.report} for t in tranches
    ]
    rows[1]["amount"] += 1000
    rows[2]["amount"] -= 1000
    services.schedule_update(application=funded, by=funded.manager, tranches=rows)
    assert funded.tranches.get(number=2).amount == tranches[1].amount + 1000


def test_a_tranche_of_another_project_is_refused_in_the_schedule(world, funded):
    other = application_in(Status.FUNDED, call_on(world.table_a)).tranches.first()
    rows = [{"id": other.pk, "amount": other.amount, "planned_on": other.planned_on, "report": None}]
    with pytest.raises(ValidationError):
        services.schedule_update(application=funded, by=funded.manager, tranches=rows)


def test_late_and_coming_reports_reach_the_lead(funded):
    # given one report late, the other months away
    Report.objects.filter(pk=progress_of(funded).pk).update(due_on=timezone.localdate() - timedelta(days=3))
    # when
    due = list(reports_due(funded.lead_delegate))
    # then
    assert due == [progress_of(funded)]
    assert due[0].is_late


def test_the_project_closes_after_its_final_report(funded):
    final = funded.reports.get(kind=Report.Kind.FINAL)
    submit_report(funded, report=final)
    services.report_accept(report=Report.objects.get(pk=final.pk), by=funded.manager)
    closed = services.application_transition(application=funded, to=Status.CLOSED, by=funded.manager)
    assert closed.status == Status.CLOSED
