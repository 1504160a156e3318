"""iCalendar for the shared regional calendar: tables' meetings (as in tables/calendar.py)
and declared activities, which last whole days."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from members.emails import site_domain

from ..calendar import PRODID, meeting_event
from ..models import Activity


def activity_uid(activity: Activity) -> str:
    """On the site's own domain, as meetings' (`Meeting.uid`)."""
    return f"activity-{activity.pk}@{site_domain()}"


def activity_event(activity: Activity) -> Event:
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", activity.starts)
    # DTEND of an all-day event is the day after the last one (RFC 5545).
    event.add("dtend", activity.ends + timedelta(days=1))
    event.add("summary", f"{activity.organisation.short_name} – {activity.title}")
    event.add("location", activity.place)
    event.add("categories", [activity.get_kind_display()])
    url = f"{settings.SITE_URL}{reverse('tables:activity-detail', args=[activity.pk])}"
    event.add("url", url)
    description = [part for part in (activity.audience, activity.description, url) if part]
    event.add("description", "\n".join(description))
    event.add("transp", "TRANSPARENT")
    if activity.created_at:
        event.add("created", activity.created_at)
    return event


def activities_calendar_bytes(meetings, activities, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", "PT6H")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    for activity in activities:
        calendar.add_component(activity_event(activity))
    return calendar.to_ical()
