"""Reviewers are told of the applications given to them to review: when an application
goes into review, and when they are named while applications are in review; never of
an application whose lead or partners include their organisation."""

from email.utils import parseaddr

import pytest
from django.urls import reverse

from funding import services
from funding.models import Status
from members.models import Notification
from tests.funding.factories import application_in, call_on, manager_of
from tests.helpers import assert_reads_well, parts

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
SITE = "https://concertation.example.org"


@pytest.fixture
def call(world):
    return call_on(world.table_a, funders=[world.funder])


@pytest.fixture
def manager(call):
    return manager_of(call)


def told():
    """Who was told of a review, by id."""
    return sorted(
        Notification.objects.filter(kind=Kind.REVIEW_ASSIGNED).values_list("recipient_id", flat=True)
    )


def into_review(application, manager):
    return services.application_transition(application=application, to=Status.IN_REVIEW, by=manager)


def partner_delegate(application):
    """The delegate of one of the project's partners at the call's table."""
    partnership = application.project.partnerships.first()
    membership = partnership.organisation.memberships.get(table=application.call.table)
    return membership.delegations.first().person


def review_url(application):
    return reverse("funding:review-form", args=[application.call_id, application.pk])


def test_an_application_going_into_review_tells_each_reviewer_of_the_call(world, call, manager):
    # given two reviewers named for the call, and an application checked eligible
    application = application_in(Status.ELIGIBILITY, call, manager=manager)
    delegate_reviewer = services.reviewer_add(call=call, person=world.delegate_a, by=manager)
    services.reviewer_add(call=call, person=world.evaluator, by=manager)
    assert told() == []

    # when the manager puts it into review
    into_review(application, manager)

    # then both reviewers are told, with the link to review it, and nobody else
    assert told() == sorted([world.evaluator.pk, delegate_reviewer.person_id])
    notification = Notification.objects.get(kind=Kind.REVIEW_ASSIGNED, recipient=world.evaluator)
    assert notification.url == review_url(application)
    assert application.project.title in notification.title
    assert application.project.lead.name in notification.text


def test_a_reviewer_whose_organisation_partners_the_project_is_not_told(world, call, manager):
    application = application_in(Status.ELIGIBILITY, call, manager=manager)
    partner = partner_delegate(application)
    services.reviewer_add(call=call, person=partner, by=manager)
    services.reviewer_add(call=call, person=world.evaluator, by=manager)

    into_review(application, manager)

    assert told() == [world.evaluator.pk]


def test_a_reviewer_from_the_lead_organisation_is_not_told(world, call, manager):
    application = application_in(Status.ELIGIBILITY, call, manager=manager)
    lead = application.project.lead.memberships.get(table=call.table).delegations.first().person
    services.reviewer_add(call=call, person=lead, by=manager)
    services.reviewer_add(call=call, person=world.evaluator, by=manager)

    into_review(application, manager)

    assert told() == [world.evaluator.pk]


def test_a_reviewer_named_during_the_review_is_told_of_the_applications_they_may_review(world, call, manager):
    # given three applications in review, one of them partnered by the new reviewer's organisation
    first = application_in(Status.IN_REVIEW, call, manager=manager)
    second = application_in(Status.IN_REVIEW, call, manager=manager)
    partnered = application_in(Status.IN_REVIEW, call, manager=manager)
    application_in(Status.ELIGIBILITY, call, manager=manager)
    person = partner_delegate(partnered)

    # when they are named
    services.reviewer_add(call=call, person=person, by=manager)

    # then one notification lists the two they may review, and links to their reviews
    (notification,) = Notification.objects.filter(kind=Kind.REVIEW_ASSIGNED)
    assert notification.recipient == person
    assert notification.url == reverse("funding:review-list")
    assert first.project.title in notification.text and second.project.title in notification.text
    assert partnered.project.title not in notification.text


def test_naming_a_reviewer_again_tells_them_nothing_new(world, call, manager):
    application_in(Status.IN_REVIEW, call, manager=manager)
    services.reviewer_add(call=call, person=world.evaluator, by=manager)

    services.reviewer_add(call=call, person=world.evaluator, by=manager)

    assert told() == [world.evaluator.pk]


def test_a_reviewer_named_before_any_application_is_in_review_is_told_nothing_yet(world, call, manager):
    application_in(Status.ELIGIBILITY, call, manager=manager)

    services.reviewer_add(call=call, person=world.evaluator, by=manager)

    assert told() == []


def test_the_email_reaches_the_reviewer_only_answered_to_the_manager(
    world, settings, call, manager, smtp_server, django_capture_on_commit_callbacks
):
    # given an English-reading evaluator named for the call, beside an excluded reviewer
    settings.SITE_URL = SITE
    world.evaluator.language = "en"
    world.evaluator.save(update_fields=["language"])
    application = application_in(Status.ELIGIBILITY, call, manager=manager)
    application.project.title = "Jumelage « Premier emploi » d'été"
    application.project.save(update_fields=["title"])
    services.reviewer_add(call=call, person=world.evaluator, by=manager)
    services.reviewer_add(call=call, person=partner_delegate(application), by=manager)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        into_review(application, manager)

    # then only the evaluator has mail, readable, answered to the manager
    assert [addresses for _sender, addresses in smtp_server.envelopes] == [[world.evaluator.email]]
    (message,) = smtp_server.messages
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    assert parseaddr(str(message["Reply-To"]))[1] == manager.email
    assert " ".join(str(message["Subject"]).split()).endswith("To review: Jumelage « Premier emploi » d'été")
    text = parts(message)["text/plain"][0].get_content()
    assert f"“Jumelage « Premier emploi » d'été”, led by {application.project.lead.name}" in text
    assert "declare your interests" in text
    assert f"{SITE}{review_url(application)}" in text
