"""iCalendar (.ics) for meetings: the invitation attached to a convocation and the feeds."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting

PRODID = "-//Concertation//Tables de concertation//FR"


def meeting_event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
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
        description.insert(0, meeting.cancel_reason)
    else:
        event.add("status", "CONFIRMED" if meeting.status != Meeting.Status.PLANNED else "TENTATIVE")
    event.add("description", "\n".join(description))
    event.add("last-modified", meeting.updated_at or timezone.now())
    return event


def calendar_bytes(meetings, *, name: str, method: str | None = None, organizer: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", "PT1H")
    if method:
        calendar.add("method", method)
    for meeting in meetings:
        event = meeting_event(meeting)
        if organizer:
            address = vCalAddress(f"mailto:{organizer}")
            address.params["cn"] = vText("Concertation")
            event["organizer"] = address
        calendar.add_component(event)
    return calendar.to_ical()


FEED_WINDOW = timedelta(days=365)
