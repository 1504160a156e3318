"""An organisation made responsible for a follow-up is told: its delegates and
substitutes, when the follow-up is recorded and when it passes to them, and nobody else."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from members.formatting import date_long
from members.models import Notification
from tables import services
from tables.models import FollowUp, Meeting
from tests.factories import DelegationFactory, MembershipFactory, meeting_with_agenda
from tests.helpers import assert_reads_well, parts

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
SITE = "https://concertation.example.org"
TASK = "Transmettre la liste des places d'accueil « Été 2027 »"


def told():
    """Who was told of a follow-up, by email address."""
    return sorted(
        Notification.objects.filter(kind=Kind.FOLLOW_UP_ASSIGNED).values_list("recipient__email", flat=True)
    )


def follow_up(world, **fields):
    values = {
        "description": TASK,
        "organisation": world.org_a,
        "due": timezone.localdate() + timedelta(days=20),
    }
    values.update(fields)
    return services.followup_create(meeting=world.past_meeting_a, by=world.coordinator, **values)


def test_recording_a_follow_up_tells_the_responsible_organisations_people_only(world):
    # given org_a has a substitute beside its delegate, and another member sits at table A
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person

    # when a follow-up is given to org_a
    recorded = follow_up(world)

    # then its delegate and substitute are told, with the link to the follow-ups
    assert told() == sorted([world.delegate_a.email, substitute.email])
    assert other.email not in told() and world.coordinator.email not in told()
    notification = Notification.objects.get(kind=Kind.FOLLOW_UP_ASSIGNED, recipient=world.delegate_a)
    assert notification.url == reverse("tables:follow-up-list", args=[world.table_a.slug])
    assert TASK in notification.text
    assert recorded.meeting.title in notification.text


def test_a_follow_up_of_no_organisation_tells_nobody(world):
    follow_up(world, organisation=None)

    assert told() == []


def test_a_follow_up_passed_to_another_organisation_tells_that_one(world):
    # given a follow-up of org_a
    recorded = follow_up(world)
    other = MembershipFactory(table=world.table_a)
    other_delegate = DelegationFactory(membership=other).person

    # when the minutes give it to another member instead
    services.followup_update(follow_up=recorded, by=world.coordinator, organisation=other.organisation)

    # then that member's delegate is told; org_a was told once, at the start
    assert told() == sorted([world.delegate_a.email, other_delegate.email])
    assert Notification.objects.get(recipient=other_delegate).kind == Kind.FOLLOW_UP_ASSIGNED


def test_changing_a_follow_ups_date_or_person_tells_nobody_again(world):
    recorded = follow_up(world)

    services.followup_update(
        follow_up=recorded,
        by=world.coordinator,
        due=recorded.due + timedelta(days=10),
        person=world.delegate_a,
        organisation=world.org_a,
    )

    assert told() == [world.delegate_a.email]


def test_a_follow_up_given_to_an_organisation_as_it_is_cancelled_tells_nobody(world):
    recorded = follow_up(world, organisation=None)

    services.followup_update(
        follow_up=recorded, by=world.coordinator, organisation=world.org_a, status=FollowUp.Status.CANCELLED
    )

    assert told() == []


def test_a_follow_up_at_another_table_tells_only_its_people(world):
    held_b = meeting_with_agenda(world.table_b, days_ahead=-30, status=Meeting.Status.HELD)

    services.followup_create(
        meeting=held_b, by=world.coordinator_b, description=TASK, organisation=world.org_b
    )

    assert told() == [world.delegate_b.email]


def test_the_email_arrives_readable_answered_to_who_recorded_it(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    # given a delegate who reads English
    settings.SITE_URL = SITE
    world.delegate_a.language = "en"
    world.delegate_a.save(update_fields=["language"])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        recorded = follow_up(world, person=world.delegate_a)

    # then
    assert [addresses for _sender, addresses in smtp_server.envelopes] == [[world.delegate_a.email]]
    (message,) = smtp_server.messages
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    assert parseaddr(str(message["Reply-To"]))[1] == world.coordinator.email
    with translation.override("en"):
        due = date_long(recorded.due)
    assert (
        " ".join(str(message["Subject"]).split()) == f"Follow-up for {world.org_a.name} at Table A – by {due}"
    )
    text = parts(message)["text/plain"][0].get_content()
    assert f"- {TASK} (by {due})" in text
    assert f"Person in charge: {world.delegate_a.display_name}." in text
    assert f"{SITE}{reverse('tables:follow-up-list', args=[world.table_a.slug])}" in text
