"""Convocations, updates and cancellations as they arrive at a real SMTP server on
loopback, read as a mail program and a calendar program read them."""

from datetime import timedelta
from email.utils import getaddresses, parseaddr

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from members.models import User
from tables import services
from tables.models import ConvocationDelivery, Meeting
from tables.tasks import sweep_convocations
from tests.factories import CoordinatorFactory, DelegationFactory, MembershipFactory, TableFactory
from tests.helpers import assert_reads_well, free_port, parts

pytestmark = pytest.mark.django_db

SITE = "https://concertation.example.org"
DOMAIN = "concertation.example.org"


@pytest.fixture
def table_people(settings):
    settings.SITE_URL = SITE
    table = TableFactory(name="Table régionale d'immigration", acronym="TRICN")
    coordinator = CoordinatorFactory(table=table, person__email="coordination@tricn.example.org").person
    membership = MembershipFactory(table=table)
    delegate = DelegationFactory(membership=membership, person__email="deleguee@org.example.org").person
    substitute = DelegationFactory(
        membership=membership, role="substitute", person__email="substitut@org.example.org"
    ).person
    return table, coordinator, delegate, substitute


def planned(table, coordinator):
    from tests.factories import meeting_with_agenda

    return meeting_with_agenda(table, by=coordinator, title="Bilan du plan d'action « Accueil »")


def invitation_of(message):
    calendars = parts(message)["text/calendar"]
    assert len(calendars) == 1
    return calendars[0], Calendar.from_ical(calendars[0].get_content())


def test_each_convocation_is_an_answerable_invitation_for_its_recipient_only(
    table_people, smtp_server, django_capture_on_commit_callbacks
):
    table, coordinator, delegate, substitute = table_people
    meeting = planned(table, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=coordinator)

    assert sorted(to for _sender, tos in smtp_server.envelopes for to in tos) == sorted(
        [delegate.email, substitute.email]
    )
    for person in (delegate, substitute):
        (message,) = smtp_server.to(person.email)
        # a required notice: readable everywhere, no unsubscribe link
        assert_reads_well(message, domain=DOMAIN, unsubscribe=False)
        assert "plan d'action « Accueil »" in str(message["Subject"])
        assert [address for _name, address in getaddresses([str(message["To"])])] == [person.email]
        assert parseaddr(str(message["Reply-To"]))[1] == coordinator.email
        # the invitation is an alternative beside the text and HTML, the agenda attached
        assert [p.get_content_type() for p in message.iter_parts()][1:] == [
            "application/pdf",
            "application/ics",
        ]
        part, calendar = invitation_of(message)
        assert part.get_param("method") == "REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]).endswith("@" + DOMAIN)
        assert str(event["ORGANIZER"]).lower() == f"mailto:{coordinator.email}"
        attendees = event.get("ATTENDEE")
        assert not isinstance(attendees, list), "one ATTENDEE: the recipient, never the whole list"
        assert str(attendees).lower() == f"mailto:{person.email}"
        assert attendees.params["PARTSTAT"] == "NEEDS-ACTION" and attendees.params["RSVP"] == "TRUE"
        # the text offers the one-click answers for the organisation
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
        assert reverse("tables:rsvp-signed", args=["x"]).removesuffix("x/") in text


def test_an_update_and_a_cancellation_replace_the_invitation_in_calendars(
    table_people, smtp_server, django_capture_on_commit_callbacks
):
    table, coordinator, delegate, _substitute = table_people
    meeting = planned(table, coordinator)
    # each step its own request, its emails sent once it commits
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, by=coordinator, place="Visioconférence seulement")
        services.meeting_convene(meeting=Meeting.objects.get(pk=meeting.pk), by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk), by=coordinator, reason="Tempête")

    convocation, update, cancellation = smtp_server.to(delegate.email)
    events = [invitation_of(m)[1] for m in (convocation, update, cancellation)]
    uids = {str(next(iter(c.walk("VEVENT")))["UID"]) for c in events}
    sequences = [int(next(iter(c.walk("VEVENT")))["SEQUENCE"]) for c in events]
    assert len(uids) == 1
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert [str(c["METHOD"]) for c in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert str(next(iter(events[2].walk("VEVENT")))["STATUS"]) == "CANCELLED"
    assert invitation_of(cancellation)[0].get_param("method") == "CANCEL"
    for message in (update, cancellation):
        assert_reads_well(message, domain=DOMAIN, unsubscribe=False)


def test_a_convocation_delayed_past_its_cancellation_is_not_sent(
    table_people, smtp_server, django_capture_on_commit_callbacks
):
    table, coordinator, delegate, _substitute = table_people
    meeting = planned(table, coordinator)
    # the convocation is queued while the broker is down, then the meeting is cancelled
    services.meeting_convene(meeting=meeting, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk), by=coordinator, reason="Tempête")
    ConvocationDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    sweep_convocations()

    assert [str(invitation_of(m)[1]["METHOD"]) for m in smtp_server.to(delegate.email)] == ["CANCEL"]
    assert set(ConvocationDelivery.objects.filter(kind="convocation").values_list("status", flat=True)) == {
        "skipped"
    }


def test_a_refused_address_is_told_in_plain_words_and_sent_again_to_it_only(
    table_people, smtp_server, django_capture_on_commit_callbacks, client
):
    table, coordinator, _delegate, substitute = table_people
    meeting = planned(table, coordinator)
    smtp_server.refuse = {substitute.email}

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=coordinator)

    failed = ConvocationDelivery.objects.get(status="failed")
    assert (failed.email, failed.failure, failed.retry_at) == (substitute.email, "refused", None)
    assert "550" in failed.error  # kept for the administrators' logs
    client.force_login(coordinator)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "a refusé cette adresse" in page and substitute.email in page
    assert "550" not in page and "/var/spool" not in page
    assert reverse("tables:meeting-resend-failed", args=[table.slug, meeting.pk]) in page

    # once the address is fixed on the server's side, the coordinator sends again
    smtp_server.refuse = set()
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tables:meeting-resend-failed", args=[table.slug, meeting.pk]))
    assert response.status_code == 302
    assert [tos for _sender, tos in smtp_server.envelopes] == [[substitute.email]]
    assert set(ConvocationDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_resending_skips_a_person_whose_delegation_ended(
    table_people, smtp_server, django_capture_on_commit_callbacks
):
    table, coordinator, _delegate, substitute = table_people
    meeting = planned(table, coordinator)
    smtp_server.refuse = {substitute.email}
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=coordinator)
    substitute.delegations.update(end=timezone.localdate() - timedelta(days=1))
    smtp_server.refuse = set()
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = services.meeting_resend_failed(meeting=meeting, by=coordinator)

    assert again == 0 and smtp_server.messages == []


def test_an_unreachable_server_is_tried_again_later_with_a_growing_wait(
    table_people, smtp_server, settings, django_capture_on_commit_callbacks
):
    table, coordinator, delegate, substitute = table_people
    meeting = planned(table, coordinator)
    settings.EMAIL_PORT = free_port()  # nothing listens there

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=coordinator)

    deliveries = list(ConvocationDelivery.objects.all())
    assert {(d.status, d.failure, d.attempts) for d in deliveries} == {("failed", "unreachable", 1)}
    assert all(
        before + timedelta(minutes=2) <= d.retry_at <= timezone.now() + timedelta(minutes=2)
        for d in deliveries
    )
    assert sweep_convocations() == 0  # not yet time

    # the server is back, and the retry time has come
    settings.EMAIL_PORT = smtp_server.port
    ConvocationDelivery.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    assert sweep_convocations() == 1
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([delegate.email, substitute.email])
    assert {(d.status, d.attempts, d.failure) for d in ConvocationDelivery.objects.all()} == {("sent", 2, "")}


def test_after_five_failures_it_is_left_to_the_coordinator(
    table_people, settings, django_capture_on_commit_callbacks
):
    table, coordinator, _delegate, _substitute = table_people
    meeting = planned(table, coordinator)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=coordinator)
    waits = []
    for _ in range(4):
        delivery = ConvocationDelivery.objects.order_by("pk").first()
        waits.append(round((delivery.retry_at - timezone.now()).total_seconds() / 60))
        ConvocationDelivery.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
        sweep_convocations()
    delivery = ConvocationDelivery.objects.order_by("pk").first()
    assert waits == [2, 4, 8, 16]
    assert (delivery.attempts, delivery.retry_at, delivery.status) == (5, None, "failed")


def test_the_coordinator_is_the_organizer_even_when_someone_else_created_the_meeting(table_people):
    from tables.tasks.meetings import meeting_organizer

    table, coordinator, _delegate, _substitute = table_people
    meeting = planned(table, User.objects.create(email="secretaire@example.org"))
    assert meeting_organizer(meeting)[1:] == (coordinator.email, True)
