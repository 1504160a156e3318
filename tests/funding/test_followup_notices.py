"""The follow-up of a funded project tells each side what the other did: a submitted
report reaches whoever accepts it, an accepted or returned report and a released tranche
reach the project's lead and partners; a released tranche no longer changes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from funding import services
from funding.models import Report, Status
from members.models import Notification
from tests.funding.factories import application_in, call_on, manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


@pytest.fixture
def funded(world):
    call = call_on(world.table_a)
    application = application_in(Status.IN_PROGRESS, call)
    application.manager = manager_of(call)
    return application


def submitted(application):
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    return services.report_save(
        report=report,
        by=application.lead_delegate,
        expected_version=report.version,
        submit=True,
        summary="Deux cohortes accueillies.",
    )


def told(person, kind):
    return list(Notification.objects.filter(recipient=person, kind=kind))


def test_a_submitted_report_reaches_the_calls_managers_not_its_evaluators(world, funded):
    submitted(funded)
    [notice] = told(funded.manager, Notification.Kind.REPORT_SUBMITTED)
    assert funded.project.title in notice.title
    assert notice.url.endswith(f"/applications/{funded.pk}/follow-up/")
    assert not Notification.objects.filter(kind=Notification.Kind.REPORT_SUBMITTED, recipient=world.evaluator)
    assert not told(funded.lead_delegate, Notification.Kind.REPORT_SUBMITTED)


def test_a_saved_draft_of_a_report_tells_nobody(funded):
    report = funded.reports.get(kind=Report.Kind.PROGRESS)
    services.report_save(report=report, by=funded.lead_delegate, expected_version=report.version, summary="…")
    assert not Notification.objects.filter(kind=Notification.Kind.REPORT_SUBMITTED).exists()


def test_an_accepted_report_reaches_the_lead(funded):
    services.report_accept(report=submitted(funded), by=funded.manager)
    [notice] = told(funded.lead_delegate, Notification.Kind.PROJECT_FOLLOW_UP)
    assert notice.title.startswith("Rapport accepté")
    assert funded.project.get_absolute_url() in notice.url


def test_a_returned_report_says_what_to_complete(funded):
    services.report_return(report=submitted(funded), by=funded.manager, note="Ajoutez les indicateurs.")
    [notice] = told(funded.lead_delegate, Notification.Kind.PROJECT_FOLLOW_UP)
    assert notice.title.startswith("Rapport à compléter")
    assert "Ajoutez les indicateurs." in notice.text


def test_a_released_tranche_reaches_the_lead(funded):
    services.report_accept(report=submitted(funded), by=funded.manager)
    Notification.objects.all().delete()
    services.tranche_release(tranche=funded.tranches.get(number=2), by=funded.manager)
    [notice] = told(funded.lead_delegate, Notification.Kind.PROJECT_FOLLOW_UP)
    assert notice.title.startswith("Versement 2")


def test_releasing_a_tranche_again_tells_nobody_twice(funded):
    tranche = funded.tranches.get(number=1)
    services.tranche_release(tranche=tranche, by=funded.manager)
    services.tranche_release(tranche=tranche, by=funded.manager)
    assert len(told(funded.lead_delegate, Notification.Kind.PROJECT_FOLLOW_UP)) == 1


def schedule(application):
    return [
        {"id": t.pk, "amount": t.amount, "planned_on": t.planned_on, "report": t.report}
        for t in application.tranches.order_by("number")
    ]


def test_a_released_tranche_cannot_change_and_the_refusal_says_so(funded):
    first = funded.tranches.get(number=1)
    services.tranche_release(tranche=first, by=funded.manager)
    rows = schedule(funded)
    rows[0]["amount"] -= 1000
    rows[1]["amount"] += 1000
    with pytest.raises(ValidationError, match=r"Le versement 1 a été fait le .*il ne peut plus changer"):
        services.schedule_update(application=funded, by=funded.manager, tranches=rows)
    assert funded.tranches.get(number=1).amount == first.amount


def test_a_released_tranche_left_as_it_is_lets_the_others_change(funded):
    services.tranche_release(tranche=funded.tranches.get(number=1), by=funded.manager)
    rows = schedule(funded)
    rows[1]["amount"] += 1000
    rows[2]["amount"] -= 1000
    services.schedule_update(application=funded, by=funded.manager, tranches=rows)
    assert funded.tranches.get(number=2).amount == rows[1]["amount"]
