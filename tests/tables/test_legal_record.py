"""Meetings and minutes as the law reads them: a meeting decides only if it was convened in
time or its members waived the notice; adoption carries the adopting meeting's date; a
decision mode other than the rules' is confirmed and noted; each rules version names the
resolution that adopted it."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from members.formatting import date_long
from tables import services
from tables.models import GovernanceRules, Meeting, Resolution
from tests.conftest import client_as
from tests.factories import meeting_with_agenda
from tests.tables.test_minutes_services import circulated_minutes, consensus, held_meeting, mark_present

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Services speak the thread's language: French, as for a person with no choice, even
    after a request in English."""
    with translation.override("fr-ca"):
        yield


def begun_meeting(world, *, convened_days_before=None):
    """A meeting of table A that began an hour ago, convened `convened_days_before` days
    before it started (never, if None). The factory's rules ask 10 days' notice."""
    meeting = meeting_with_agenda(world.table_a, days_ahead=0)
    starts = timezone.now() - timedelta(hours=1)
    convened_at = None if convened_days_before is None else starts - timedelta(days=convened_days_before)
    status = Meeting.Status.PLANNED if convened_at is None else Meeting.Status.CONVENED
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=3), convened_at=convened_at, status=status
    )
    meeting.refresh_from_db()
    mark_present(meeting, world.membership_a)
    return meeting


def waive_notice(meeting, by):
    minutes = services.minutes_start(meeting=meeting, by=by)
    return services.minutes_update(
        minutes=minutes, expected_version=minutes.version, by=by, notice_waived=True
    )


def minutes_url(meeting):
    return reverse("tables:minutes-detail", args=[meeting.table.slug, meeting.pk])


# Convened in time, or the notice waived -----------------------------------------------------


def test_a_meeting_never_convened_cannot_decide(world):
    meeting = begun_meeting(world)
    with pytest.raises(ValidationError, match="Cette rencontre n’a jamais été convoquée"):
        consensus(meeting, world.coordinator, proposed_by=world.membership_a)
    assert not Resolution.objects.filter(meeting=meeting).exists()


def test_a_meeting_never_convened_cannot_be_marked_held(world):
    meeting = begun_meeting(world)
    with pytest.raises(ValidationError, match="Cette rencontre n’a jamais été convoquée"):
        services.meeting_mark_held(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_attendance_of_a_meeting_never_convened_does_not_mark_it_held(world):
    meeting = begun_meeting(world)
    services.attendance_save(meeting=meeting, rows=[{"membership": world.membership_a, "present": True}])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_a_late_convocation_is_refused_with_the_notice_the_rules_ask(world):
    meeting = begun_meeting(world, convened_days_before=3)
    with pytest.raises(ValidationError, match="après le délai de 10 jours"):
        consensus(meeting, world.coordinator, proposed_by=world.membership_a)


def test_a_meeting_convened_in_time_is_held_when_attendance_is_taken_and_decides(world):
    meeting = begun_meeting(world, convened_days_before=12)
    services.attendance_save(meeting=meeting, rows=[{"membership": world.membership_a, "present": True}])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert consensus(meeting, world.coordinator, proposed_by=world.membership_a).number


def test_the_waiver_of_notice_lets_the_meeting_sit_and_decide(world):
    meeting = begun_meeting(world, convened_days_before=3)
    minutes = waive_notice(meeting, world.coordinator)
    meeting.refresh_from_db()
    assert minutes.notice_waived
    assert meeting.status == Meeting.Status.HELD
    assert consensus(meeting, world.coordinator, proposed_by=world.membership_a).number


def test_the_waiver_stays_once_the_meeting_decided_on_it(world):
    meeting = begun_meeting(world)
    minutes = waive_notice(meeting, world.coordinator)
    consensus(meeting, world.coordinator, proposed_by=world.membership_a)
    with pytest.raises(ValidationError, match="sur la foi de cette renonciation"):
        services.minutes_update(
            minutes=minutes, expected_version=minutes.version, by=world.coordinator, notice_waived=False
        )
    minutes.refresh_from_db()
    assert minutes.notice_waived


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_minutes_page_warns_of_a_missing_convocation_then_shows_the_waiver(world, client_for, language):
    meeting = begun_meeting(world)
    services.minutes_start(meeting=meeting, by=world.coordinator)
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    warning = {"en": "This meeting was never convened.", "fr-ca": "Cette rencontre n’a jamais été convoquée."}
    waived = {
        "en": "The members present waive the notice of convocation.",
        "fr-ca": "Les membres présents renoncent à l’avis de convocation.",
    }
    page = client.get(minutes_url(meeting)).text
    assert warning[language] in page
    assert waived[language] not in page
    response = client.post(
        reverse("tables:minutes-update", args=[world.table_a.slug, meeting.pk]),
        {"version": 1, "notice_waived": "on", "introduction": "Bienvenue"},
    )
    assert response.status_code == 302
    page = client.get(minutes_url(meeting)).text
    assert waived[language] in page
    assert warning[language] not in page


def test_a_late_meeting_page_names_the_convocation_date(world, client_for):
    meeting = begun_meeting(world, convened_days_before=3)
    services.minutes_start(meeting=meeting, by=world.coordinator)
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(minutes_url(meeting)).text
    assert "later than the 10 days' notice the rules require" in page


# The decision mode the rules provide --------------------------------------------------------


def test_a_vote_where_the_rules_say_consensus_asks_for_a_confirmation(world):
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a)
    with pytest.raises(
        ValidationError, match="Confirmez que la rencontre a plutôt décidé par vote"
    ) as refused:
        services.resolution_record(
            meeting=meeting,
            by=world.coordinator,
            text="Il est résolu…",
            mode="vote",
            result="majority",
            votes_for=1,
            votes_against=0,
            abstentions=0,
        )
    assert "mode" in refused.value.message_dict
    assert not Resolution.objects.filter(meeting=meeting).exists()


def test_a_confirmed_departure_is_recorded_and_said_in_the_minutes(world, client_for):
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a)
    resolution = services.resolution_record(
        meeting=meeting,
        by=world.coordinator,
        text="Il est résolu…",
        mode="vote",
        result="majority",
        votes_for=1,
        votes_against=0,
        abstentions=0,
        departs_from_rules=True,
    )
    assert resolution.departs_from_rules
    client = client_for("delegate_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "not the mode the rules provide" in client.get(minutes_url(meeting)).text


def test_the_mode_the_rules_provide_is_never_marked_a_departure(world):
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a)
    resolution = consensus(
        meeting, world.coordinator, proposed_by=world.membership_a, departs_from_rules=True
    )
    assert not resolution.departs_from_rules


def test_the_resolution_form_refuses_an_unconfirmed_departure_and_keeps_the_text(world, client_for):
    meeting = held_meeting(world.table_a)
    mark_present(meeting, world.membership_a)
    services.minutes_start(meeting=meeting, by=world.coordinator)
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr-ca"
    url = reverse("tables:resolution-create", args=[world.table_a.slug, meeting.pk])
    data = {
        "text": "Il est résolu d’appuyer la démarche.",
        "mode": "vote",
        "result": "majority",
        "votes_for": "1",
        "votes_against": "0",
        "abstentions": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Confirmez que la rencontre a plutôt décidé par vote" in response.text
    assert "Il est résolu d’appuyer la démarche." in response.text
    assert not Resolution.objects.filter(meeting=meeting).exists()
    response = client.post(url, {**data, "departs_from_rules": "on"})
    assert response.status_code == 302
    assert Resolution.objects.get(meeting=meeting).departs_from_rules


# Adoption carries the adopting meeting's date -----------------------------------------------


def test_adoption_is_dated_by_the_adopting_meeting_not_by_the_typing(world, client_for):
    earlier = held_meeting(world.table_a, days_ago=60)
    later = held_meeting(world.table_a, days_ago=20)
    mark_present(later, world.membership_a)
    minutes = circulated_minutes(earlier, world.coordinator)
    resolution = consensus(later, world.coordinator, adopts_minutes=minutes, proposed_by=world.membership_a)
    minutes.refresh_from_db()
    assert minutes.adopted_at == later.starts_at
    client = client_for("delegate_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(minutes_url(earlier)).text
    with translation.override("en"):
        day = date_long(later.starts_at)
    assert f"Adopted at the meeting of {day} by resolution {resolution.number}." in page


# Each rules version names the resolution that adopted it ------------------------------------


@pytest.fixture
def adopted(world):
    meeting = held_meeting(world.table_a, days_ago=10)
    mark_present(meeting, world.membership_a)
    return consensus(meeting, world.coordinator, proposed_by=world.membership_a, text="Nouvelles règles")


def amend(world, **fields):
    return services.rules_amend(
        table=world.table_a, by=world.coordinator, **{"effective_from": timezone.localdate(), **fields}
    )


def test_a_rules_version_names_its_resolution(world, adopted):
    rules = amend(world, resolution=adopted, notice_days=7)
    adopted.refresh_from_db()
    assert adopted.adopts_rules == rules
    assert list(rules.resolutions.all()) == [adopted]


def test_rules_cannot_take_effect_before_the_resolution_that_adopts_them(world, adopted):
    with pytest.raises(ValidationError, match="avant la résolution qui les adopte"):
        amend(world, resolution=adopted, effective_from=date(2021, 1, 1))
    assert GovernanceRules.objects.filter(table=world.table_a).count() == 1


def test_a_rejected_resolution_or_another_tables_adopts_no_rules(world, adopted):
    Resolution.objects.filter(pk=adopted.pk).update(result=Resolution.Result.REJECTED)
    adopted.refresh_from_db()
    with pytest.raises(ValidationError, match="Une résolution rejetée n’adopte rien"):
        amend(world, resolution=adopted)
    Resolution.objects.filter(pk=adopted.pk).update(result=Resolution.Result.CONSENSUS)
    with pytest.raises(ValidationError, match="Choisissez une résolution de cette table"):
        services.rules_amend(
            table=world.table_b,
            by=world.coordinator_b,
            effective_from=timezone.localdate(),
            resolution=adopted,
        )


def test_one_resolution_adopts_one_rules_version(world, adopted):
    amend(world, resolution=adopted)
    with pytest.raises(ValidationError, match="a déjà adopté la version 2"):
        amend(world, resolution=adopted)


def rules_form(world, **extra):
    current = world.table_a.rules_on()
    data = {name: getattr(current, name) for name in services.RULE_FIELDS}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (False, None)}
    return {**data, "effective_from": timezone.localdate().isoformat(), "note": "Révision annuelle", **extra}


def test_the_rules_form_requires_the_adopting_resolution_and_keeps_what_was_typed(world, client_for, adopted):
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("tables:rules-list", args=[world.table_a.slug])
    response = client.post(url, rules_form(world))
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Révision annuelle" in response.text
    assert GovernanceRules.objects.filter(table=world.table_a).count() == 1
    response = client.post(url, rules_form(world, resolution=adopted.pk))
    assert response.status_code == 302
    page = client.get(url).text
    assert f"Resolution {adopted.number}" in page


def test_the_rules_form_offers_only_this_tables_adopted_resolutions(world, client_for, adopted):
    other = held_meeting(world.table_b, days_ago=5)
    mark_present(other, world.membership_b)
    foreign = consensus(other, world.coordinator_b, proposed_by=world.membership_b, text="Autre table")
    page = client_for("coordinator").get(reverse("tables:rules-list", args=[world.table_a.slug])).text
    assert f'value="{adopted.pk}"' in page
    assert f'value="{foreign.pk}"' not in page


def test_a_delegate_sees_which_resolution_adopted_the_rules_but_no_form(world, adopted):
    amend(world, resolution=adopted)
    client = client_as(world, "delegate_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("tables:rules-list", args=[world.table_a.slug])).text
    assert f"Resolution {adopted.number}" in page
    assert "Record this version" not in page
