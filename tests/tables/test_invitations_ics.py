"""The invitation attached to a convocation, its update and its cancellation, against the
rules of RFC 5546 (iTIP) for REQUEST and CANCEL and of RFC 5545 for the text itself."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from icalendar import Calendar

from tables import services
from tables.calendar import invitation_bytes
from tests.factories import meeting_with_agenda

pytestmark = pytest.mark.django_db

SITE = "https://concertation.example.org"
ORGANIZER = ("Table A", "noreply@concertation.example.org")
RECIPIENT = ("Amina Diallo, CMQ", "amina.diallo@cmq.example.org")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def convened(world):
    meeting = meeting_with_agenda(
        world.table_a, by=world.coordinator, online_url="https://reunions.example.org/table-a"
    )
    services.meeting_convene(meeting=meeting, by=world.coordinator)
    meeting.refresh_from_db()
    return meeting


def invitation(meeting, method="REQUEST", **kwargs):
    kwargs = {"organizer": ORGANIZER, "attendee": RECIPIENT, **kwargs}
    return invitation_bytes(meeting, method=method, **kwargs)


def only_event(data):
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def attendees(event):
    value = event.get("attendee")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def test_a_request_has_one_event_and_the_method(convened):
    calendar, _event = only_event(invitation(convened))

    assert calendar["method"] == "REQUEST"
    assert calendar["version"] == "2.0"
    assert calendar["prodid"]


def test_the_organizer_is_a_mailto_uri_of_a_bare_address_with_its_name(convened):
    _calendar, event = only_event(invitation(convened))

    organizer = event["organizer"]
    assert organizer.lower().startswith("mailto:")
    address = organizer[len("mailto:") :]
    assert parseaddr(address) == ("", ORGANIZER[1])
    assert organizer.params["CN"] == ORGANIZER[0]


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_the_only_attendee_is_the_recipient(convened, method):
    _calendar, event = only_event(invitation(convened, method))

    [attendee] = attendees(event)
    assert attendee == f"mailto:{RECIPIENT[1]}"
    assert attendee.params["CN"] == RECIPIENT[0]
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["CUTYPE"] == "INDIVIDUAL"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"


def test_a_request_asks_the_recipient_to_answer(convened):
    _calendar, event = only_event(invitation(convened, partstat="ACCEPTED"))

    [attendee] = attendees(event)
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"


def test_a_cancel_asks_for_no_answer(convened):
    _calendar, event = only_event(invitation(convened, "CANCEL"))

    [attendee] = attendees(event)
    assert "RSVP" not in attendee.params


def test_the_event_has_every_property_a_request_needs_in_utc(convened):
    data = invitation(convened)
    _calendar, event = only_event(data)

    for name in ("uid", "sequence", "dtstamp", "dtstart", "dtend", "summary", "location", "url", "status"):
        assert name in event, name
    assert event["dtstart"].dt == convened.starts_at
    assert event["dtend"].dt == convened.ends_at
    assert event["status"] == "CONFIRMED"
    assert convened.title in str(event["summary"])
    assert convened.online_url in str(event["description"])
    assert str(event["url"]) == f"{SITE}{convened.get_absolute_url()}"
    text = data.decode()
    assert "TZID" not in text  # UTC, so that no VTIMEZONE is needed
    for name in ("DTSTART", "DTEND", "DTSTAMP"):
        [line] = [line for line in text.split("\r\n") if line.startswith(f"{name}:")]
        assert line.endswith("Z"), line


def test_the_uid_is_on_the_site_domain_and_stays_the_same_through_update_and_cancel(world, convened):
    first = only_event(invitation(convened))[1]["uid"]
    services.meeting_update(meeting=convened, place="Salle 300")
    services.meeting_convene(meeting=convened, by=world.coordinator)
    convened.refresh_from_db()
    update = only_event(invitation(convened))[1]["uid"]
    cancelled = services.meeting_cancel(meeting=convened, by=world.coordinator, reason="Tempête")
    cancel = only_event(invitation(cancelled, "CANCEL"))[1]["uid"]

    assert first == update == cancel == f"meeting-{convened.pk}@concertation.example.org"


def test_an_updated_convocation_carries_a_greater_sequence(world, convened):
    original = only_event(invitation(convened))[1]["sequence"]

    services.meeting_convene(meeting=convened, by=world.coordinator)
    convened.refresh_from_db()

    assert only_event(invitation(convened))[1]["sequence"] > original


def test_a_change_of_time_then_an_update_carries_a_greater_sequence(world, convened):
    original = only_event(invitation(convened))[1]["sequence"]

    moved = services.meeting_update(
        meeting=convened,
        starts_at=convened.starts_at + timedelta(hours=1),
        ends_at=convened.ends_at + timedelta(hours=1),
    )
    services.meeting_convene(meeting=moved, by=world.coordinator)
    moved.refresh_from_db()

    assert only_event(invitation(moved))[1]["sequence"] > original


def test_a_cancel_is_cancelled_with_a_greater_sequence(world, convened):
    original = only_event(invitation(convened))[1]["sequence"]

    cancelled = services.meeting_cancel(meeting=convened, by=world.coordinator, reason="Tempête de neige")
    calendar, event = only_event(invitation(cancelled, "CANCEL"))

    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert event["sequence"] > original
    assert "Tempête de neige" in str(event["description"])


def test_lines_are_folded_at_75_octets_and_end_with_crlf(world):
    meeting = meeting_with_agenda(
        world.table_a,
        title="Rencontre extraordinaire sur l'intégration économique des personnes immigrantes à Québec",
        place="Salle Marie-Guyart, édifice Honoré-Mercier, 835 boulevard René-Lévesque Est, Québec",
        online_url="https://reunions.example.org/" + "r" * 120,
    )

    data = invitation(meeting, attendee=("Éloïse Bélanger-Thériault, Centre d'accueil", "eloise@example.org"))

    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # long ones were folded, not cut
    _calendar, event = only_event(data)
    assert str(event["location"]).startswith(meeting.place)


def test_an_invitation_refuses_an_organizer_that_is_not_an_address(convened):
    with pytest.raises(ValueError, match="not an email address"):
        invitation(convened, organizer=("Concertation", "Concertation <noreply@concertation.local>"))


def test_an_invitation_is_a_request_or_a_cancel(convened):
    with pytest.raises(ValueError, match="REQUEST or a CANCEL"):
        invitation(convened, "PUBLISH")
