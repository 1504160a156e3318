"""The funding lines of the home page's « À faire » list: partners confirm, leads write
reports, evaluators review, programme managers decide and accept reports — each for their
own calls and organisations only, for the same queries whatever the data."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import Report, Status
from members import todo as todo_registry
from members.todo import todo_for
from projects import services as project_services
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on, manager_of, ready_application, reviewer_on
from tests.site.test_query_counts import queries

pytestmark = pytest.mark.django_db


def todo(person):
    """The list as a new request sees it (roles are cached on the user object)."""
    return todo_for(get_user_model().objects.get(pk=person.pk))


def submitted_report(application):
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    return services.report_save(
        report=report,
        by=application.lead_delegate,
        expected_version=report.version,
        submit=True,
        summary="Les ateliers ont commencé.",
    )


def test_the_funding_provider_is_registered_at_start_up():
    from funding.selectors import todo_items

    assert todo_items in todo_registry.providers()


def test_a_partner_is_asked_to_confirm_its_part(world):
    # given org A is invited to a project of table A whose call closes in three days
    call = call_on(world.table_a, closes_at=timezone.now() + timedelta(days=3))
    application = ready_application(call)
    partnership = project_services.partner_invite(
        project=application.project, organisation=world.org_a, by=application.lead_delegate
    )
    # when
    items = todo(world.delegate_a)
    # then
    assert [(i.count, i.url, i.urgency, i.table) for i in items] == [
        (
            1,
            reverse("projects:partner-answer", args=[application.project_id, partnership.pk]),
            "soon",
            "Table A",
        )
    ]
    assert application.project.title in items[0].label
    assert todo(world.delegate_b) == []
    assert todo(world.outsider) == []


def test_the_lead_is_asked_for_its_late_report(world):
    application = application_in(
        Status.IN_PROGRESS, call_on(world.table_a), lead=world.org_a, lead_delegate=world.delegate_a
    )
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    Report.objects.filter(pk=report.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    items = todo(world.delegate_a)
    assert [(i.count, i.url, i.urgency) for i in items] == [
        (1, reverse("projects:report-update", args=[application.project_id, report.pk]), "overdue")
    ]
    assert todo(world.delegate_b) == []


def test_an_evaluator_sees_the_reviews_due_per_call(world):
    # given two applications in review at a call the evaluator reviews, one at another call
    call = call_on(world.table_a, funders=[world.funder])
    application_in(Status.IN_REVIEW, call)
    application_in(Status.IN_REVIEW, call)
    reviewer_on(call, person=world.evaluator)
    application_in(Status.IN_REVIEW, call_on(world.table_b, funders=[world.funder]))
    # when
    items = todo(world.evaluator)
    # then
    assert [(i.count, i.url, i.table) for i in items] == [
        (2, reverse("funding:review-list") + f"#call-{call.pk}", "Table A")
    ]


def test_a_submitted_review_is_no_longer_due(world):
    from tests.funding.factories import review

    call = call_on(world.table_a, funders=[world.funder])
    application = application_in(Status.IN_REVIEW, call)
    reviewer = reviewer_on(call, person=world.evaluator)
    review(application, reviewer)
    assert todo(world.evaluator) == []


def test_a_manager_sees_the_decisions_to_record_and_the_reports_to_accept(world):
    # given a call of the manager's funder with a recommended application and a report in
    call = call_on(world.table_a)
    manager = manager_of(call)
    application_in(Status.RECOMMENDED, call, manager=manager)
    application_in(Status.NOT_RECOMMENDED, call, manager=manager)
    funded = application_in(Status.IN_PROGRESS, call, manager=manager)
    submitted_report(funded)
    # when
    items = todo(manager)
    # then
    assert sorted((i.count, i.url) for i in items) == [
        (1, reverse("funding:application-followup", args=[call.pk, funded.pk])),
        (2, reverse("funding:call-decide", args=[call.pk])),
    ]
    # and the pages they open are the manager's to act on
    for item in items:
        assert client_as(world, "outsider").get(item.url).status_code in {403, 404}
        client = client_as(world, "outsider")
        client.force_login(manager)
        assert client.get(item.url).status_code == 200


def test_decisions_belong_to_the_managers_of_the_calls_funders_only(world):
    call = call_on(world.table_a, funders=[world.funder])
    application_in(Status.RECOMMENDED, call)
    other_call = call_on(world.table_b)
    other_manager = manager_of(other_call)
    # the coordinator does not decide a call whose decisions are the funders', nor does an
    # evaluator of the funder or the manager of another funder
    assert todo(world.coordinator) == []
    assert todo(world.evaluator) == []
    assert todo(other_manager) == []


def test_the_coordination_decides_when_the_table_decides_by_resolution(world):
    call = call_on(world.table_a, decision_by_resolution=True)
    application_in(Status.RECOMMENDED, call)
    assert [i.url for i in todo(world.coordinator)] == [reverse("funding:call-decide", args=[call.pk])]
    assert todo(world.coordinator_b) == []


def grow(world, manager, n):
    """n more calls of the evaluator's funder at table A, each reviewed by the evaluator and
    managed by `manager`, with applications in review, to decide, and a report to accept."""
    for _ in range(n):
        call = call_on(world.table_a, funders=[world.funder])
        application_in(Status.IN_REVIEW, call, manager=manager)
        reviewer_on(call, person=world.evaluator)
        application_in(Status.RECOMMENDED, call, manager=manager)
        submitted_report(application_in(Status.IN_PROGRESS, call, manager=manager))


@pytest.mark.parametrize("role", ["evaluator", "manager"])
def test_the_home_page_costs_the_same_queries_whatever_the_number_of_calls(world, role):
    from tests.factories import FunderStaffFactory

    manager = FunderStaffFactory(funder=world.funder, role="manager").person
    person = manager if role == "manager" else world.evaluator
    client = client_as(world, "outsider")
    client.force_login(person)
    grow(world, manager, 1)
    small = queries(client, reverse("home"))
    small_items = len(todo(person))
    grow(world, manager, 3)
    large = queries(client, reverse("home"))
    assert len(todo(person)) > small_items
    assert large == small, f"{large} queries with more data against {small}"
