"""The funding pages as people use them, and their forms refusing bad input: another
call's or application's ids in hidden fields, statuses out of reach, missing fields."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import Application, Declaration, Report, Review, Status, Tranche
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on, ready_application, review, reviewer_on, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(world):
    return call_on(world.table_a, funders=[world.funder], decision_by_resolution=False)


def test_the_lead_submits_from_the_submit_page(world, call):
    application = ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a)
    response = client_as(world, "delegate_a").post(
        reverse("projects:project-submit", args=[application.project_id])
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.versions.count() == 1


def test_the_coordinator_moves_an_application_to_eligibility_check(world, call):
    application = application_in(Status.SUBMITTED, call)
    response = client_as(world, "coordinator").post(
        reverse("funding:application-transition", args=[call.pk, application.pk]), {"to": Status.ELIGIBILITY}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.ELIGIBILITY


@pytest.mark.parametrize("to", [Status.FUNDED, Status.CLOSED, "nowhere", ""])
def test_a_status_out_of_reach_is_refused_by_the_transition_form(world, call, to):
    application = application_in(Status.SUBMITTED, call)
    client_as(world, "coordinator").post(
        reverse("funding:application-transition", args=[call.pk, application.pk]), {"to": to}
    )
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_an_application_of_another_call_is_not_found_through_this_call(world, call):
    other = submit(ready_application(call_on(world.table_a)))
    response = client_as(world, "coordinator").post(
        reverse("funding:application-transition", args=[call.pk, other.pk]), {"to": Status.ELIGIBILITY}
    )
    assert response.status_code == 404
    assert Application.objects.get(pk=other.pk).status == Status.SUBMITTED


def decision_data(application, **overrides):
    prefix = f"decision-{application.pk}"
    data = {
        "application": application.pk,
        f"{prefix}-decision": "fund",
        f"{prefix}-amount": "20000",
        f"{prefix}-conditions": "",
        f"{prefix}-note": "",
    }
    data.update({f"{prefix}-{key}": value for key, value in overrides.items()})
    return data


def test_the_decision_page_funds_an_application(world, call):
    application = application_in(Status.RECOMMENDED, call)
    response = client_as(world, "admin").post(
        reverse("funding:call-decide", args=[call.pk]), decision_data(application)
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).awarded_amount == Decimal("20000")


def test_the_decision_page_shows_the_envelope_refusal(world):
    call = call_on(world.table_a, funders=[world.funder], envelope=Decimal("10000"))
    application = application_in(Status.RECOMMENDED, call)
    response = client_as(world, "admin").post(
        reverse("funding:call-decide", args=[call.pk]), decision_data(application)
    )
    assert response.status_code == 200
    assert "dans l’enveloppe" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.RECOMMENDED


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": ""},
        {"amount": "-1"},
        {"amount": "beaucoup"},
        {"decision": "maybe"},
        {"decision": "refuse", "note": ""},
    ],
)
def test_the_decision_form_refuses_bad_input(world, call, overrides):
    application = application_in(Status.RECOMMENDED, call)
    response = client_as(world, "admin").post(
        reverse("funding:call-decide", args=[call.pk]), decision_data(application, **overrides)
    )
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == Status.RECOMMENDED


def test_the_decision_page_ignores_an_application_of_another_call(world, call):
    other_call = call_on(world.table_a, funders=[world.funder])
    other = application_in(Status.RECOMMENDED, other_call)
    client_as(world, "admin").post(reverse("funding:call-decide", args=[call.pk]), decision_data(other))
    assert Application.objects.get(pk=other.pk).status == Status.RECOMMENDED


def test_a_resolution_of_another_table_is_not_a_choice(world):
    from tests.funding.factories import resolution_of

    call = call_on(world.table_a, funders=[world.funder], decision_by_resolution=True)
    application = application_in(Status.RECOMMENDED, call)
    foreign = resolution_of(world.table_b, by=world.coordinator_b)
    response = client_as(world, "coordinator").post(
        reverse("funding:call-decide", args=[call.pk]), decision_data(application, resolution=foreign.pk)
    )
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == Status.RECOMMENDED


def review_url(application):
    return reverse("funding:review-form", args=[application.call_id, application.pk])


def test_a_conflict_declared_without_details_is_refused(world, call):
    application = application_in(Status.IN_REVIEW, call)
    services.reviewer_add(call=call, person=world.evaluator, by=None)
    response = client_as(world, "evaluator").post(
        review_url(application), {"action": "declare", "has_conflict": "yes"}
    )
    assert response.status_code == 200
    assert not Declaration.objects.exists()


def test_the_reviewer_scores_and_submits_from_the_page(world, call):
    application = application_in(Status.IN_REVIEW, call)
    reviewer = services.reviewer_add(call=call, person=world.evaluator, by=None)
    services.declaration_record(
        reviewer=reviewer, application=application, has_conflict=False, by=world.evaluator
    )
    data = {f"score_{c.pk}": "4" for c in call.criteria.all()} | {
        "comment": "Solide",
        "version": "1",
        "action": "submit",
    }
    response = client_as(world, "evaluator").post(review_url(application), data)
    assert response.status_code == 302
    assert Review.objects.get(reviewer=reviewer).is_submitted


@pytest.mark.parametrize("score", ["9", "-1", "quatre"])
def test_a_score_off_the_scale_is_refused(world, call, score):
    application = application_in(Status.IN_REVIEW, call)
    reviewer = services.reviewer_add(call=call, person=world.evaluator, by=None)
    services.declaration_record(
        reviewer=reviewer, application=application, has_conflict=False, by=world.evaluator
    )
    data = {f"score_{c.pk}": score for c in call.criteria.all()} | {"version": "1", "action": "save"}
    response = client_as(world, "evaluator").post(review_url(application), data)
    assert response.status_code == 200
    assert not Review.objects.exists()


def test_a_tranche_of_another_application_in_the_schedule_form_is_refused(world, call):
    application = application_in(Status.FUNDED, call)
    other = application_in(Status.FUNDED, call).tranches.first()
    tranches = list(application.tranches.order_by("number"))
    data = {"tranches-TOTAL_FORMS": str(len(tranches)), "tranches-INITIAL_FORMS": str(len(tranches))}
    for index, tranche in enumerate(tranches):
        data |= {
            f"tranches-{index}-id": str(other.pk if index == 0 else tranche.pk),
            f"tranches-{index}-amount": str(tranche.amount),
            f"tranches-{index}-planned_on": tranche.planned_on.isoformat(),
            f"tranches-{index}-report": str(tranche.report_id or ""),
        }
    response = client_as(world, "admin").post(
        reverse("funding:application-schedule", args=[call.pk, application.pk]), data
    )
    assert response.status_code == 200
    assert Tranche.objects.get(pk=other.pk).amount == other.amount


def test_a_report_of_another_application_is_not_found(world, call):
    application = application_in(Status.FUNDED, call)
    other = application_in(Status.FUNDED, call).reports.first()
    response = client_as(world, "admin").post(
        reverse("funding:report-accept", args=[call.pk, application.pk, other.pk])
    )
    assert response.status_code == 404


def test_the_report_form_refuses_negative_deliveries(world, call):
    # given a funded project of org A
    application = application_in(Status.FUNDED, call, lead=world.org_a, lead_delegate=world.delegate_a)
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    partnership = application.project.partnerships.first()
    data = {"summary": "Fait", "version": report.version, f"cash_{partnership.pk}": "-100", "submit": "1"}
    response = client_as(world, "delegate_a").post(
        reverse("projects:report-update", args=[application.project_id, report.pk]), data
    )
    assert response.status_code == 200
    assert Report.objects.get(pk=report.pk).status == Report.Status.EXPECTED


def test_the_lead_submits_a_report_from_the_page(world, call):
    application = application_in(Status.FUNDED, call, lead=world.org_a, lead_delegate=world.delegate_a)
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    response = client_as(world, "delegate_a").post(
        reverse("projects:report-update", args=[application.project_id, report.pk]),
        {"summary": "Deux cohortes", "version": report.version, "submit": "1"},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


def test_the_manage_page_shows_conflicts_and_review_progress(world, call):
    application = application_in(Status.IN_REVIEW, call)
    review(application, reviewer_on(call))
    text = (
        client_as(world, "coordinator").get(reverse("funding:call-manage", args=[call.pk])).content.decode()
    )
    assert "1 sur 1" in text
