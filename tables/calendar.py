"""iCalendar (.ics) for meetings: the invitation attached to a convocation (RFC 5546
iTIP: one recipient, an organizer and an attendee) and the subscribed feeds (RFC 5545:
no METHOD, nobody's address)."""

from datetime import UTC, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting

PRODID = "-//Concertation//Tables de concertation//FR"
FEED_WINDOW = timedelta(days=365)

INVITATION_METHODS = ("REQUEST", "CANCEL")
PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED")


def _utc(moment):
    # The "Z" form needs no VTIMEZONE, which a TZID=America/Toronto would.
    return moment.astimezone(UTC)


def meeting_event(meeting: Meeting) -> Event:
    """The VEVENT of a meeting, with what its page shows to anyone who may open it: the
    place, the online link and, once cancelled, the reason (templates/tables/meeting_detail.html).
    A caller hands it only meetings the reader may open."""
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(timezone.now()))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", f"{meeting.table.acronym or meeting.table.name} – {meeting.title}")
    location = ", ".join(part for part in (meeting.place, meeting.online_url) if part)
    if location:
        event.add("location", location)
    url = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
    event.add("url", url)
    description = [url]
    if meeting.online_url:
        description.insert(0, meeting.online_url)
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
        if meeting.cancel_reason:
            description.insert(0, meeting.cancel_reason)
    else:
        event.add("status", "CONFIRMED" if meeting.status != Meeting.Status.PLANNED else "TENTATIVE")
    event.add("description", "\n".join(description))
    event.add("last-modified", _utc(meeting.updated_at or timezone.now()))
    return event


def _address(name: str, email: str, **params) -> vCalAddress:
    """A CAL-ADDRESS: `mailto:` and the bare address, the display name in CN. Refuses
    anything that is not an address (such as "Name <address>" passed as the address)."""
    _name, bare = parseaddr(email)
    if not bare or "@" not in bare or bare != email.strip():
        raise ValueError(f"not an email address: {email!r}")
    address = vCalAddress(f"mailto:{bare}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invitation_bytes(
    meeting: Meeting,
    *,
    method: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    partstat: str = "NEEDS-ACTION",
) -> bytes:
    """One VCALENDAR for one recipient, valid under RFC 5546 (iTIP): METHOD (REQUEST or
    CANCEL), one VEVENT with UID, SEQUENCE, DTSTAMP, DTSTART/DTEND, SUMMARY, LOCATION,
    DESCRIPTION, URL, STATUS, ORGANIZER;CN=name:mailto:address, and one ATTENDEE (that
    recipient only) with CN, ROLE=REQ-PARTICIPANT, PARTSTAT, RSVP=TRUE (for REQUEST),
    CUTYPE=INDIVIDUAL.

    `organizer` and `attendee` are (display name, email address) pairs. The UID is the
    meeting's for its convocation, updates and cancellation alike; calendars apply an
    update or a cancellation because its SEQUENCE is greater than the one they hold
    (`tables.services.meetings` raises it on every change that is sent)."""
    method = method.upper()
    if method not in INVITATION_METHODS:
        raise ValueError(f"an invitation is a REQUEST or a CANCEL, not {method!r}")
    partstat = partstat.upper()
    if partstat not in PARTSTATS:
        raise ValueError(f"unknown PARTSTAT {partstat!r}")
    event = meeting_event(meeting)
    if method == "CANCEL" and event.get("status") != "CANCELLED":
        event.pop("status", None)
        event.add("status", "CANCELLED")
    event.add("organizer", _address(*organizer))
    params = {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": partstat}
    if method == "REQUEST":
        params["RSVP"] = "TRUE"
    event.add("attendee", _address(*attendee, **params))
    calendar = _calendar()
    calendar.add("method", method)
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_bytes(meetings, *, name: str) -> bytes:
    """A feed of meetings (RFC 5545). No METHOD: a PUBLISH would need an ORGANIZER, and a
    feed names nobody — neither organizer nor attendees. The caller chooses the meetings:
    only those the reader may open."""
    calendar = _calendar(name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", "PT1H")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    return calendar.to_ical()
