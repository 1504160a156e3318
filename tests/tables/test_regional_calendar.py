"""The shared regional calendar: conflicts between declared activities, the notice sent
once per conflict, the forms and their bad input, and the iCalendar feed."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from members.regions import ensure_regions
from tables.documents.regional_calendar import activity_uid
from tables.models import Activity, ActivityConflictNotice, Meeting, RegionalSettings
from tables.regional import (
    activities_conflict,
    activity_declare,
    activity_update,
    place_key,
    similar_audience,
)
from tables.tasks.regional import notify_activity_conflicts, sweep_activity_conflicts
from tests.conftest import client_as
from tests.factories import OrganisationFactory, meeting_with_agenda

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def activity(**fields):
    values = {
        "pk": 10,
        "organisation_id": 1,
        "kind": Activity.Kind.RECRUITMENT_MISSION,
        "place": "Montréal",
        "audience": "Personnes immigrantes formées en santé",
        "starts": TODAY + timedelta(days=10),
        "ends": TODAY + timedelta(days=12),
    }
    values.update(fields)
    return Activity(**values)


# Same place, similar audience -------------------------------------------------------------


@pytest.mark.parametrize(
    "place",
    ["Montréal", "montreal", "MONTRÉAL, QC", "Montréal (Québec)", "Montréal, Québec, Canada", "  Mtl "],
)
def test_places_are_compared_without_case_accents_or_province(place):
    assert place_key(place) == "montreal"


def test_different_places_stay_different():
    assert place_key("Ville de Québec") == "ville de quebec"
    assert place_key("Québec") == "quebec"
    assert place_key("St-Jérôme") == place_key("Saint-Jérôme")
    assert place_key("Palais des congrès de Montréal") != place_key("Montréal")


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [
        (
            "Personnes immigrantes formées en santé",
            "personnes immigrantes en santé et services sociaux",
            True,
        ),
        ("Infirmières formées à l'étranger", "infirmière", True),
        ("", "Étudiants", True),  # an activity for everyone competes with any
        ("Familles intéressées par la vie en région", "Personnes immigrantes formées en santé", False),
        ("Personnes immigrantes", "Personnes étudiantes", False),
    ],
)
def test_similar_audience(first, second, similar):
    assert similar_audience(first, second) is similar


@pytest.mark.parametrize(
    ("change", "conflict"),
    [
        ({}, True),
        ({"place": "montreal, QC", "audience": "personnes immigrantes en santé"}, True),
        ({"starts": TODAY + timedelta(days=12), "ends": TODAY + timedelta(days=14)}, True),  # one day shared
        ({"starts": TODAY + timedelta(days=13), "ends": TODAY + timedelta(days=14)}, False),
        ({"kind": Activity.Kind.JOB_FAIR}, False),
        ({"place": "Québec"}, False),
        ({"audience": "Familles intéressées par la vie en région"}, False),
        ({"organisation_id": 1}, False),  # the same organisation's two activities
    ],
)
def test_activities_conflict(change, conflict):
    first = activity()
    second = activity(**{"pk": 20, "organisation_id": 2, **change})

    assert activities_conflict(first, second) is conflict
    assert activities_conflict(second, first) is conflict


def test_activities_of_the_other_kind_never_conflict():
    first = activity(kind=Activity.Kind.OTHER)
    second = activity(pk=20, organisation_id=2, kind=Activity.Kind.OTHER)

    assert not activities_conflict(first, second)


# Notified once ---------------------------------------------------------------------------


def declare(person, organisation, **fields):
    values = {
        "organisation": organisation,
        "title": "Mission de recrutement",
        "kind": Activity.Kind.RECRUITMENT_MISSION,
        "audience": "Personnes immigrantes formées en santé",
        "place": "Montréal",
        "starts": TODAY + timedelta(days=30),
        "ends": TODAY + timedelta(days=31),
    }
    values.update(fields)
    return activity_declare(by=person, **values)


def test_the_organisations_of_a_conflict_are_told_once(world, django_capture_on_commit_callbacks):
    world.org_b.email = "info@org-b.example.org"
    world.org_b.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = declare(world.delegate_a, world.org_a)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        second = declare(world.delegate_b, world.org_b, place="montreal, QC", region=ensure_regions()["12"])

    # one message per person, so that each may turn these off for themselves
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [world.delegate_a.email, world.delegate_b.email, "info@org-b.example.org"]
    )
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert first.title in message.body and world.org_b.name in message.body
    assert reverse("tables:activity-detail", args=[first.pk]) in message.body

    # Saving it again, or running the task again, tells nobody a second time.
    with django_capture_on_commit_callbacks(execute=True):
        activity_update(activity=second, title="Mission de recrutement (dates confirmées)")
    assert notify_activity_conflicts(second.pk) == 0
    assert notify_activity_conflicts(first.pk) == 0
    assert len(mail.outbox) == 3
    assert ActivityConflictNotice.objects.get().first_id == first.pk


def test_no_notice_without_conflict(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        declare(world.delegate_a, world.org_a)
        declare(world.delegate_b, world.org_b, kind=Activity.Kind.JOB_FAIR)

    assert mail.outbox == []
    assert not ActivityConflictNotice.objects.exists()


def test_the_sweep_tells_what_a_down_broker_missed(world, django_capture_on_commit_callbacks):
    # given two conflicting activities saved while no task could be queued
    first = declare(world.delegate_a, world.org_a)
    declare(world.delegate_b, world.org_b)
    past = declare(world.delegate_a, world.org_a, title="Passée")
    Activity.objects.filter(pk=past.pk).update(
        starts=TODAY - timedelta(days=9), ends=TODAY - timedelta(days=8)
    )

    # when the sweep runs (twice)
    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_activity_conflicts()
    again = sweep_activity_conflicts()

    # then the conflict is told once
    assert (swept, again) == (1, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [world.delegate_a.email, world.delegate_b.email]
    )
    assert ActivityConflictNotice.objects.get().first_id == first.pk


def test_the_task_returns_early_for_a_removed_activity(world):
    assert notify_activity_conflicts(987654) == 0


# Declaring through the page -----------------------------------------------------------------


def form_data(owner, **changes):
    data = {
        "organisation": owner.pk,
        "title": "Salon de l'emploi en région",
        "kind": Activity.Kind.JOB_FAIR,
        "audience": "Personnes immigrantes",
        "place": "Montréal",
        "starts": (TODAY + timedelta(days=20)).isoformat(),
        "ends": (TODAY + timedelta(days=21)).isoformat(),
        "region": "",
        "description": "",
    }
    data.update(changes)
    return data


def test_a_delegate_declares_for_the_organisation_they_represent(world):
    response = client_as(world, "delegate_a").post(reverse("tables:activity-create"), form_data(world.org_a))

    created = Activity.objects.get()
    assert response.url == reverse("tables:activity-detail", args=[created.pk])
    assert (created.organisation, created.declared_by) == (world.org_a, world.delegate_a)
    assert created.region == world.org_a.region  # left empty: the organisation's region


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisation": "other"}, "organisation"),
        ({"title": ""}, "title"),
        ({"kind": "picnic"}, "kind"),
        ({"place": ""}, "place"),
        ({"starts": "31/02/2026"}, "starts"),
        ({"ends": (TODAY + timedelta(days=19)).isoformat()}, "ends"),  # before it starts
        ({"ends": (TODAY + timedelta(days=60)).isoformat()}, "ends"),  # longer than a month
        (
            {
                "starts": (TODAY - timedelta(days=2)).isoformat(),
                "ends": (TODAY - timedelta(days=1)).isoformat(),
            },
            "starts",
        ),
        ({"region": "99999"}, "region"),
    ],
)
def test_bad_activity_input_is_refused(world, changes, field):
    if changes.get("organisation") == "other":
        changes["organisation"] = world.org_b.pk  # delegate_a does not represent org_b
    response = client_as(world, "delegate_a").post(
        reverse("tables:activity-create"), form_data(world.org_a, **changes)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Activity.objects.exists()


def test_an_organisation_without_region_must_give_one(world):
    world.org_a.region = None
    world.org_a.save()

    response = client_as(world, "delegate_a").post(reverse("tables:activity-create"), form_data(world.org_a))

    assert "region" in response.context["form"].errors


def test_a_delegate_cannot_move_an_activity_to_another_organisation(world):
    mine = declare(world.delegate_a, world.org_a)
    url = reverse("tables:activity-update", args=[mine.pk])

    response = client_as(world, "delegate_a").post(url, form_data(world.org_b))

    assert "organisation" in response.context["form"].errors
    mine.refresh_from_db()
    assert mine.organisation == world.org_a


def test_an_admin_corrects_and_removes_an_activity(world):
    theirs = declare(world.delegate_a, world.org_a)
    admin = client_as(world, "admin")

    admin.post(reverse("tables:activity-update", args=[theirs.pk]), form_data(world.org_a, title="Corrigé"))
    theirs.refresh_from_db()
    assert theirs.title == "Corrigé"
    admin.post(reverse("tables:activity-delete", args=[theirs.pk]))
    assert not Activity.objects.exists()


# The calendar page ------------------------------------------------------------------------------


def test_the_calendar_shows_meetings_of_visible_tables_and_flags_conflicts(world):
    day = TODAY.replace(day=1) + timedelta(days=40)
    month = day.strftime("%Y-%m")
    public = meeting_with_agenda(world.table_a, days_ahead=(day - TODAY).days, title="Rencontre publique")
    private = meeting_with_agenda(world.table_b, days_ahead=(day - TODAY).days, title="Rencontre privée")
    mine = declare(world.delegate_a, world.org_a, starts=day, ends=day)
    other_region = declare(
        world.delegate_b, world.org_b, starts=day, ends=day + timedelta(days=1), region=ensure_regions()["12"]
    )
    url = reverse("tables:activity-calendar")

    outsider = client_as(world, "outsider").get(url, {"month": month}).text
    insider = client_as(world, "delegate_b").get(url, {"month": month}).text
    capitale = client_as(world, "outsider").get(url, {"month": month, "region": "03"}).text

    assert public.title in outsider and private.title not in outsider
    assert private.title in insider
    assert outsider.count('class="has-conflict"') == 2
    # Filtered on Capitale-Nationale, the mission from Chaudière-Appalaches is not listed
    # but is still the conflict of the one that is.
    assert other_region.title in capitale  # named in the conflict note
    assert capitale.count('class="has-conflict"') == 1
    assert reverse("tables:activity-detail", args=[mine.pk]) in capitale


def test_a_long_activity_from_last_month_is_shown_and_compared(world):
    starts = TODAY.replace(day=1) - timedelta(days=3)
    declare(world.delegate_a, world.org_a)  # on other days
    running = Activity.objects.create(
        region=world.org_a.region,
        organisation=world.org_a,
        title="Mission en cours",
        kind=Activity.Kind.FORUM,
        place="Québec",
        starts=starts,
        ends=starts + timedelta(days=5),
    )

    page = client_as(world, "outsider").get(reverse("tables:activity-calendar"))

    assert running.title in page.text


@pytest.mark.parametrize(
    "params", [{"month": "2026-13"}, {"month": "juin"}, {"kind": "picnic"}, {"region": "99"}]
)
def test_bad_calendar_filters_show_an_error_and_the_current_month(world, params):
    response = client_as(world, "outsider").get(reverse("tables:activity-calendar"), params)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["first"] == TODAY.replace(day=1)


def test_the_meetings_filter_leaves_activities_out(world):
    declare(world.delegate_a, world.org_a, starts=TODAY + timedelta(days=1), ends=TODAY + timedelta(days=1))

    response = client_as(world, "outsider").get(reverse("tables:activity-calendar"), {"kind": "meetings"})

    assert all(what == "meeting" for _day, what, _item in response.context["entries"])


def test_a_busy_month_is_shown_a_hundred_lines_at_a_time(world):
    # given 130 meetings of a public table next month
    first = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)
    starts = timezone.make_aware(datetime.combine(first, time(9)))
    Meeting.objects.bulk_create(
        Meeting(
            table=world.table_a,
            title=f"Rencontre {n:03}",
            starts_at=starts + timedelta(hours=n % 20),
            ends_at=starts + timedelta(hours=n % 20 + 1),
        )
        for n in range(130)
    )
    url = reverse("tables:activity-calendar")
    month = first.strftime("%Y-%m")
    # when the month is shown, then it comes in two pages that keep the month
    page_one = client_as(world, "outsider").get(url, {"month": month})
    page_two = client_as(world, "outsider").get(url, {"month": month, "page": 2})
    assert len(page_one.context["entries"]) == 100
    assert len(page_two.context["entries"]) == 30
    assert f"month={month}" in page_one.text and "page=2" in page_one.text
    shown = {
        item.title for response in (page_one, page_two) for _day, _what, item in response.context["entries"]
    }
    assert len(shown) == 130


# Thresholds and network forms ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"max_tables_per_organisation": 0, "max_hours_per_month": 10},
        {"max_tables_per_organisation": -1, "max_hours_per_month": 10},
        {"max_tables_per_organisation": "beaucoup", "max_hours_per_month": 10},
        {"max_tables_per_organisation": 5, "max_hours_per_month": 1000},
        {"max_tables_per_organisation": 5},
    ],
)
def test_bad_thresholds_are_refused(world, data):
    url = reverse("tables:regional-settings", args=["capitale-nationale"])

    response = client_as(world, "admin").post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not RegionalSettings.objects.exists()


def test_an_admin_sets_the_thresholds_of_a_region(world):
    url = reverse("tables:regional-settings", args=["capitale-nationale"])

    response = client_as(world, "admin").post(
        url, {"max_tables_per_organisation": 3, "max_hours_per_month": 8}
    )

    assert response.url == reverse("tables:regional-overview", args=["capitale-nationale"])
    settings = RegionalSettings.objects.get()
    assert (settings.region.code, settings.max_tables_per_organisation, settings.max_hours_per_month) == (
        "03",
        3,
        8,
    )


@pytest.mark.parametrize("params", [{"theme": "astrology"}, {"sector": "pirates"}])
def test_bad_network_filters_show_an_error_and_the_whole_network(world, params):
    url = reverse("tables:regional-network", args=["capitale-nationale"])

    response = client_as(world, "admin").get(url, params)

    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_region_chooser_goes_to_the_chosen_region(world):
    index = reverse("tables:regional-index")

    assert client_as(world, "evaluator").get(index, {"region": "montreal"}).url == reverse(
        "tables:regional-overview", args=["montreal"]
    )
    # A coordinator may not open a region that is not theirs: back to the list.
    assert client_as(world, "coordinator").get(index, {"region": "montreal"}).status_code == 200


# The iCalendar feed ------------------------------------------------------------------------------


def feed(client, **params):
    response = client.get(reverse("tables:activity-feed"), params)
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_public_feed_has_public_meetings_and_activities_only(world, client):
    public = meeting_with_agenda(world.table_a, days_ahead=5)
    private = meeting_with_agenda(world.table_b, days_ahead=5)
    cancelled = meeting_with_agenda(world.table_a, days_ahead=6, status=Meeting.Status.CANCELLED)
    mission = declare(
        world.delegate_a, world.org_a, starts=TODAY + timedelta(days=3), ends=TODAY + timedelta(days=4)
    )

    found = events(feed(client))

    assert public.uid in found and private.uid not in found
    assert found[cancelled.uid]["status"] == "CANCELLED"
    event = found[activity_uid(mission)]
    assert event["dtstart"].dt == mission.starts
    assert event["dtend"].dt == mission.ends + timedelta(days=1)  # all-day: the day after
    assert str(event["location"]) == "Montréal"
    assert world.org_a.short_name in str(event["summary"])


def test_the_feed_filters_by_region_and_kind(world, client):
    montreal = OrganisationFactory(region=ensure_regions()["06"])
    here = declare(world.delegate_a, world.org_a)
    there = declare(None, montreal, kind=Activity.Kind.FORUM)
    meeting = meeting_with_agenda(world.table_a, days_ahead=5)

    in_capitale = events(feed(client, region="03"))
    forums = events(feed(client, kind=Activity.Kind.FORUM))
    meetings_only = events(feed(client, kind="meetings"))

    assert activity_uid(here) in in_capitale
    assert activity_uid(there) not in in_capitale
    assert meeting.uid in in_capitale
    assert set(forums) == {activity_uid(there)}
    assert set(meetings_only) == {meeting.uid}


@pytest.mark.parametrize("params", [{"region": "99"}, {"kind": "picnic"}])
def test_the_feed_refuses_unknown_filters(client, db, params):
    assert client.get(reverse("tables:activity-feed"), params).status_code == 404
