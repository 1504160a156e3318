"""Reminders of a consultation closing without an answer: the people of each organisation
consulted that has not answered, N days before it closes, once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from members.formatting import date_long
from members.models import Notification
from members.services.notifications import without_email
from tables import services
from tables.models import Consultation, ReminderSent, ReminderSettings
from tables.services.reminders import reminders_send
from tests.factories import DelegationFactory, MembershipFactory
from tests.helpers import assert_reads_well, parts

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
SITE = "https://concertation.example.org"


def told(kind=Kind.CONSULTATION_CLOSING):
    """Who was reminded, by email address."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def consultation(world, *, closes_in=timedelta(days=1, hours=12), table=None, **fields):
    """An opinion round opened yesterday, closing in a day and a half."""
    now = timezone.now()
    values = {
        "kind": Consultation.Kind.AVIS,
        "title": "Avis sur le plan d'action « Accueil » 2026",
        "text": "Vos commentaires sur la version 2 du plan.",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + closes_in,
    }
    values.update(fields)
    table = table or world.table_a
    by = world.coordinator if table == world.table_a else world.coordinator_b
    return services.consultation_open(table=table, by=by, **values)


def today():
    return timezone.localdate()


def answer(consultation, delegation):
    return services.consultation_answer(
        consultation=consultation,
        membership=delegation.membership,
        by=delegation.person,
        comment="D'accord avec le plan.",
    )


def test_the_silent_organisations_people_are_reminded_and_no_one_else(world):
    # given a consultation of table A that org_a has not answered, and another member has
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    answered = DelegationFactory(membership=MembershipFactory(table=world.table_a))
    asked = consultation(world)
    answer(asked, answered)

    # when the reminders go out
    reminders_send(today=today())

    # then org_a's delegate and substitute are told, with the link to answer
    assert told() == sorted([world.delegate_a.email, substitute.email])
    assert answered.person.email not in told()
    assert world.delegate_b.email not in told()
    notification = Notification.objects.get(kind=Kind.CONSULTATION_CLOSING, recipient=world.delegate_a)
    assert notification.url == asked.get_absolute_url()
    assert world.org_a.name in notification.text
    assert "Avis sur le plan d'action « Accueil » 2026" in notification.title


def test_a_run_again_the_same_day_or_the_next_tells_nobody_twice(world):
    consultation(world)

    first = reminders_send(today=today())
    second = reminders_send(today=today())
    third = reminders_send(today=today() + timedelta(days=1))

    assert [planned.person for planned in first] == [world.delegate_a.email]
    assert second == [] and third == []
    assert told() == [world.delegate_a.email]
    assert ReminderSent.objects.filter(kind=Kind.CONSULTATION_CLOSING).count() == 1


def test_an_organisation_that_answered_is_not_reminded(world):
    answer(consultation(world), world.delegation_a)

    reminders_send(today=today())

    assert told() == []


def test_a_consultation_closing_later_than_n_days_is_not_reminded_yet(world):
    consultation(world, closes_in=timedelta(days=5))

    reminders_send(today=today())
    assert told() == []

    ReminderSettings.objects.create(table=world.table_a, consultation_unanswered_days=6)
    reminders_send(today=today())
    assert told() == [world.delegate_a.email]


def test_a_consultation_opened_today_is_not_chased_today(world):
    consultation(world, opens_at=timezone.now() - timedelta(minutes=5))

    reminders_send(today=today())

    assert told() == []


def test_a_closed_consultation_is_not_reminded(world):
    services.consultation_close(consultation=consultation(world), by=world.coordinator)

    reminders_send(today=today())

    assert told() == []


def test_a_proposal_waiting_for_the_coordination_or_declined_is_not_reminded(world):
    # given the rules let members propose, and two proposals of org_a
    services.rules_amend(
        table=world.table_a,
        by=world.coordinator,
        effective_from=today() - timedelta(days=1),
        members_may_propose=True,
    )
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person
    now = timezone.now()
    proposed = [
        services.consultation_propose(
            table=world.table_a,
            membership=world.membership_a,
            by=world.delegate_a,
            kind=Consultation.Kind.AVIS,
            title=f"Proposition {n}",
            text="Recueillir l'avis des membres sur la politique régionale.",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
        )
        for n in (1, 2)
    ]
    services.consultation_decline(
        consultation=proposed[1], by=world.coordinator, reason="Déjà à l'ordre du jour."
    )

    # when
    reminders_send(today=today())

    # then
    assert told() == []
    assert other.email not in told()


def test_a_table_that_turned_the_reminder_off_sends_none(world):
    ReminderSettings.objects.create(table=world.table_a, consultation_unanswered=False)
    consultation(world)

    reminders_send(today=today())

    assert told() == []


def test_a_vote_reminds_the_voting_members_that_did_not_vote(world):
    # given the rules allow votes between meetings, and an observer sits at the table
    services.rules_amend(
        table=world.table_a,
        by=world.coordinator,
        effective_from=today() - timedelta(days=1),
        e_votes_allowed=True,
        e_vote_min_days=1,
    )
    observer = DelegationFactory(membership=MembershipFactory(table=world.table_a, status="observer")).person
    vote = consultation(
        world,
        kind=Consultation.Kind.VOTE,
        title="Adhésion au réseau provincial",
        text="Il est résolu que la table adhère au réseau provincial.",
    )

    reminders_send(today=today())

    assert told() == [world.delegate_a.email]
    assert observer.email not in told()
    notification = Notification.objects.get(kind=Kind.CONSULTATION_CLOSING)
    assert notification.url == vote.get_absolute_url()


# Query count -----------------------------------------------------------------------------------


def add_members(world, count):
    for _ in range(count):
        membership = MembershipFactory(table=world.table_a)
        DelegationFactory(membership=membership)
        DelegationFactory(membership=membership, role="substitute")


def queries_of_a_run():
    ReminderSent.objects.all().delete()
    Notification.objects.filter(kind=Kind.CONSULTATION_CLOSING).delete()
    with without_email(), CaptureQueriesContext(connection) as queries:
        planned = reminders_send(today=today())
    return len(queries), len(planned)


def test_the_query_count_grows_by_a_constant_per_consultation_not_with_organisations(world):
    # given one consultation of a table with a few members
    add_members(world, 2)
    consultation(world, title="Premier avis")
    one, told_one = queries_of_a_run()

    # when three times as many organisations sit at the table
    add_members(world, 6)
    one_many, told_one_many = queries_of_a_run()

    # and when there are two, then three consultations
    consultation(world, title="Deuxième avis", audience=Consultation.Audience.VOTING)
    two, _told = queries_of_a_run()
    consultation(world, title="Troisième avis")
    three, told_three = queries_of_a_run()

    # then more people are told, organisations cost nothing, consultations a constant each
    assert told_one_many > told_one and told_three > told_one_many
    assert one_many == one, (one, one_many)
    assert three - two == two - one, (one, two, three)


# As it arrives ---------------------------------------------------------------------------------


def test_the_reminder_arrives_readable_with_its_link_and_unsubscribe(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    # given a delegate who reads English
    settings.SITE_URL = SITE
    world.delegate_a.language = "en"
    world.delegate_a.save(update_fields=["language"])
    asked = consultation(world)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=today())

    # then
    (message,) = smtp_server.to(world.delegate_a.email)
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    subject = " ".join(str(message["Subject"]).split())
    assert subject.startswith(
        "Reminder: answer the consultation “Avis sur le plan d'action « Accueil » 2026”"
    )
    text = parts(message)["text/plain"][0].get_content()
    assert f"{world.org_a.name} has not yet answered the consultation" in text
    with translation.override("en"):
        closes = date_long(asked.closes_at)
    assert f"It closes on {closes} at " in text
    assert f"{SITE}{asked.get_absolute_url()}" in text
    html = parts(message)["text/html"][0].get_content()
    assert f"{SITE}{asked.get_absolute_url()}" in html
