"""Calendar feeds keep the site's secrets: a feed lists only the meetings its owner may open
on the site when it is read, and says no more of each than the meeting's page shows them."""

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from members.models import User
from tables import services
from tables.demo import DEMO_ACCOUNTS, DemoSeeder
from tables.models import CalendarFeed, Meeting
from tests.factories import AffiliationFactory, MembershipFactory, meeting_with_agenda
from tests.pages import DEMO_ROLES

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://[^\s,]+")


def read_feed(address):
    """The VEVENTs of the feed at `address`, read as a calendar application would: without
    a session."""
    response = Client().get(address)
    assert response.status_code == 200, address
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def uids(address):
    return {str(event["uid"]) for event in read_feed(address)}


def not_on_the_page(event, page_text):
    """What the event's LOCATION and DESCRIPTION say that the page does not: links, and the
    text between them (the place, the reason for cancelling)."""
    own_url = str(event["url"])
    said = []
    for name in ("location", "description"):
        for line in str(event.get(name, "")).splitlines():
            said += [url for url in URL.findall(line) if url != own_url]
            rest = URL.sub("", line).strip(" ,")
            if rest:
                said.append(rest)
    return [text for text in said if text not in page_text]


def check_events(events, client, site_url, pages):
    """Open each event's page with `client`: the problems found, as readable lines. `pages`
    caches pages already opened."""
    problems = []
    for event in events:
        address = str(event["url"])
        assert address.startswith(site_url), address
        path = address.removeprefix(site_url)
        if path not in pages:
            response = client.get(path)
            pages[path] = (response.status_code, html.unescape(response.content.decode()))
        status, text = pages[path]
        if status != 200:
            problems.append(f"{event['uid']}: the page answers {status}")
        elif unseen := not_on_the_page(event, text):
            problems.append(f"{event['uid']}: not on the page: {unseen}")
    return problems


# Every scope, as every demo account --------------------------------------------------------------


@pytest.fixture
def demo(db):
    """The demo's tables, people and meetings: the main public table, the private table of
    Chaudière-Appalaches that shares members with it, and the regional tables."""
    seeder = DemoSeeder()
    seeder.seed_main()
    seeder.seed_meetings()
    seeder.seed_regional()


def subscribe_to_every_scope(client):
    """Create, through the calendar page, a feed of every scope it offers, and of every
    table it lets the person choose."""
    form = client.get(reverse("tables:calendar-list")).context["form"]
    scopes = [value for value, _label in form.fields["scope"].choices if value]
    for scope in scopes:
        if scope == CalendarFeed.Scope.TABLE:
            for table in form.fields["table"].queryset:
                client.post(reverse("tables:calendar-list"), {"scope": scope, "table": table.pk})
        else:
            client.post(reverse("tables:calendar-list"), {"scope": scope})
    return scopes


def feeds_of_every_scope(role):
    """Subscribe, as the demo account of `role`, to every feed the calendar page offers;
    read each and open each event's page with the same session. Returns the number of
    feeds and events, and the problems found."""
    person = User.objects.get(email=DEMO_ACCOUNTS[role][0])
    client = Client()
    client.force_login(person)
    scopes = subscribe_to_every_scope(client)
    feeds = list(CalendarFeed.objects.filter(owner=person).select_related("table"))
    assert {feed.scope for feed in feeds} >= set(scopes) - {CalendarFeed.Scope.ORGANISATION}
    problems, pages, events_checked = [], {}, 0
    for feed in feeds:
        events = read_feed(feed.get_absolute_url())
        events_checked += len(events)
        problems += [
            f"{role}, {feed}: {line}" for line in check_events(events, client, settings.SITE_URL, pages)
        ]
    return len(feeds), events_checked, problems


def test_every_feed_of_every_demo_account_lists_only_meetings_whose_page_it_may_open(demo):
    # given: the demo, seeded once for every account (it takes seconds)
    roles = [role for role in DEMO_ROLES if role != "anonymous"]

    # when: each account subscribes to every scope, and opens every event of every feed
    results = {role: feeds_of_every_scope(role) for role in roles}

    # then
    assert all(events for _feeds, events, _problems in results.values()), results
    problems = [line for _feeds, _events, found in results.values() for line in found]
    assert not problems, "\n".join(problems)


def test_the_regional_feed_lists_only_meetings_anyone_may_open(demo):
    events = [
        event
        for event in read_feed(reverse("tables:activity-feed"))
        if str(event["uid"]).startswith("meeting-")
    ]

    assert events
    assert not check_events(events, Client(), settings.SITE_URL, {})


# Who sees what ------------------------------------------------------------------------------------


def test_an_organisation_feed_leaves_out_a_private_table_where_the_owner_does_not_sit(world):
    # given: org_b sits at public A and private B; a colleague at org_b has no seat at B
    public, private = world.meeting_a, world.meeting_b
    MembershipFactory(table=world.table_a, organisation=world.org_b)
    colleague = AffiliationFactory(organisation=world.org_b).person
    feed = CalendarFeed.objects.create(owner=colleague, scope=CalendarFeed.Scope.ORGANISATION)

    # when
    found = uids(feed.get_absolute_url())

    # then
    assert public.uid in found
    assert private.uid not in found
    refused = Client()
    refused.force_login(colleague)
    assert refused.get(private.get_absolute_url()).status_code == 404


def test_a_delegate_whose_delegation_ended_stops_seeing_the_private_table_s_meetings(world):
    person_feed = CalendarFeed.objects.create(owner=world.delegate_b, scope=CalendarFeed.Scope.PERSON)
    organisation_feed = CalendarFeed.objects.create(
        owner=world.delegate_b, scope=CalendarFeed.Scope.ORGANISATION
    )
    meeting = world.meeting_b
    assert meeting.uid in uids(person_feed.get_absolute_url())
    assert meeting.uid in uids(organisation_feed.get_absolute_url())

    services.delegation_end(delegation=world.delegation_b)

    assert meeting.uid not in uids(person_feed.get_absolute_url())
    assert meeting.uid not in uids(organisation_feed.get_absolute_url())


def test_a_revoked_feed_is_gone(world, client):
    feed = CalendarFeed.objects.create(owner=world.delegate_a, scope=CalendarFeed.Scope.PERSON)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])

    assert client.get(feed.get_absolute_url()).status_code == 404


def test_the_feed_of_a_deactivated_account_is_gone(world, client):
    feed = CalendarFeed.objects.create(owner=world.delegate_a, scope=CalendarFeed.Scope.PERSON)
    User.objects.filter(pk=world.delegate_a.pk).update(is_active=False)

    assert client.get(feed.get_absolute_url()).status_code == 404


def test_a_feed_of_a_table_the_owner_may_not_see_is_gone(world, client):
    feed = CalendarFeed.objects.create(
        owner=world.delegate_a, scope=CalendarFeed.Scope.TABLE, table=world.table_b
    )

    assert client.get(feed.get_absolute_url()).status_code == 404


def test_a_feed_names_nobody_and_is_no_invitation(world, client):
    world.meeting_a  # noqa: B018 - create it
    feed = CalendarFeed.objects.create(owner=world.delegate_a, scope=CalendarFeed.Scope.PERSON)

    calendar = Calendar.from_ical(client.get(feed.get_absolute_url()).content)

    assert "method" not in calendar
    [event] = calendar.walk("VEVENT")
    assert "organizer" not in event and "attendee" not in event


def test_the_meetings_a_feed_shows_are_those_the_page_lets_its_owner_open(world):
    """The feed and the page ask the same rule: `Meeting.objects.visible_to`."""
    world.meeting_a, world.meeting_b  # noqa: B018
    for person in (world.delegate_a, world.delegate_b, world.coordinator_b, world.outsider, world.admin):
        client = Client()
        client.force_login(person)
        for meeting in Meeting.objects.all():
            opens = client.get(meeting.get_absolute_url()).status_code == 200
            assert opens == Meeting.objects.visible_to(person).filter(pk=meeting.pk).exists()
    for meeting in Meeting.objects.all():
        opens = Client().get(meeting.get_absolute_url()).status_code == 200
        assert opens == Meeting.objects.visible_to(AnonymousUser()).filter(pk=meeting.pk).exists()


# Cost -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [CalendarFeed.Scope.PERSON, CalendarFeed.Scope.ORGANISATION, "table"])
def test_the_query_count_of_a_feed_does_not_grow_with_its_meetings(world, client, scope):
    feed = CalendarFeed.objects.create(
        owner=world.delegate_a, scope=scope, table=world.table_a if scope == "table" else None
    )

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(feed.get_absolute_url())
        assert response.status_code == 200
        return len(context.captured_queries)

    meeting_with_agenda(world.table_a, days_ahead=5)
    small = count()
    for days in (-20, 10, 40, 70):
        meeting_with_agenda(world.table_a, days_ahead=days, online_url="https://reunions.example.org/a")
    services.meeting_cancel(
        meeting=meeting_with_agenda(world.table_a, days_ahead=90), by=world.coordinator, reason="Tempête"
    )

    assert len(read_feed(feed.get_absolute_url())) == 6
    assert count() == small


def test_a_feed_keeps_meetings_of_the_past_year_only(world):
    old = meeting_with_agenda(world.table_a, days_ahead=-400)
    recent = meeting_with_agenda(world.table_a, days_ahead=-30)
    feed = CalendarFeed.objects.create(owner=world.delegate_a, scope=CalendarFeed.Scope.PERSON)

    found = uids(feed.get_absolute_url())

    assert recent.uid in found and old.uid not in found
