"""What the home page tells leads, partners and reviewers about funding."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import Report, Status
from funding.selectors import home_context
from projects import services as project_services
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on, ready_application

pytestmark = pytest.mark.django_db


def test_an_invitation_to_partner_waits_on_the_partners_home_page(world):
    # given org A is invited to someone else's project
    application = ready_application(call_on(world.table_a))
    partnership = project_services.partner_invite(
        project=application.project, organisation=world.org_a, by=application.lead_delegate
    )
    # when / then
    assert home_context(world.delegate_a)["funding_invitations"] == [partnership]
    text = client_as(world, "delegate_a").get(reverse("home")).content.decode()
    assert reverse("projects:partner-answer", args=[application.project_id, partnership.pk]) in text


def test_another_organisations_invitation_is_not_shown(world):
    application = ready_application(call_on(world.table_a))
    project_services.partner_invite(
        project=application.project, organisation=world.org_b, by=application.lead_delegate
    )
    assert home_context(world.delegate_a)["funding_invitations"] == []


def test_my_projects_include_those_my_organisation_leads(world):
    application = ready_application(call_on(world.table_a), lead=world.org_a, lead_delegate=world.delegate_a)
    assert application.project in home_context(world.delegate_a)["funding_projects"]
    assert home_context(world.delegate_b)["funding_projects"] == []


def test_a_late_report_reaches_the_lead(world):
    application = application_in(
        Status.IN_PROGRESS, call_on(world.table_a), lead=world.org_a, lead_delegate=world.delegate_a
    )
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    Report.objects.filter(pk=report.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    assert home_context(world.delegate_a)["funding_reports_due"] == [report]


def test_reviews_waiting_are_counted_for_the_reviewer(world):
    call = call_on(world.table_a, funders=[world.funder])
    application_in(Status.IN_REVIEW, call)
    application_in(Status.IN_REVIEW, call)
    services.reviewer_add(call=call, person=world.evaluator, by=None)
    assert home_context(world.evaluator)["funding_reviews"] == 2


def test_open_calls_of_my_tables_are_shown(world):
    call = call_on(world.table_a)
    call_on(world.table_b)
    assert home_context(world.delegate_a)["funding_open_calls"] == [call]


def test_nothing_for_anonymous_visitors():
    from django.contrib.auth.models import AnonymousUser

    assert home_context(AnonymousUser()) == {}
