"""Electronic votes between meetings, under the table's rules: one vote per voting member
organisation, the result computed at closing under the rules in force, an adopted vote
recorded in the register and ratified at the next meeting."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Notification
from members.todo import todo_for
from tables import services
from tables.models import (
    AgendaItem,
    Consultation,
    ConsultationAnswer,
    EVoteMajority,
    Meeting,
    Resolution,
    StandardItem,
)
from tests.conftest import client_as
from tests.factories import DelegationFactory, MembershipFactory
from tests.helpers import assert_reads_well
from tests.site.test_query_counts import queries

pytestmark = pytest.mark.django_db

SITE = "https://concertation.example.org"
PROPOSAL = "Que la Table appuie la démarche de la municipalité auprès du ministère."


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def allow(world, table=None, **rules):
    values = {"e_votes_allowed": True, "e_vote_participation_percent": 50, "e_vote_objections": 2}
    values.update(rules)
    return services.rules_amend(
        table=table or world.table_a,
        by=world.coordinator,
        effective_from=timezone.localdate() - timedelta(days=30),
        **values,
    )


def open_vote(world, table=None, **fields):
    now = timezone.now()
    values = {
        "kind": Consultation.Kind.VOTE,
        "title": "Appui à la démarche municipale",
        "text": PROPOSAL,
        # Open for longer than the rules' shortest vote, so that it may be closed now.
        "opens_at": now - timedelta(days=4),
        "closes_at": now + timedelta(days=5),
    }
    values.update(fields)
    return services.consultation_open(table=table or world.table_a, by=world.coordinator, **values)


def voters(world, n):
    """`n` more voting organisations at table A, each with its delegate."""
    return [DelegationFactory(membership=MembershipFactory(table=world.table_a)) for _ in range(n)]


def vote(consultation, delegation, choice="for", **kwargs):
    return services.consultation_vote(
        consultation=consultation,
        membership=delegation.membership,
        by=delegation.person,
        vote=choice,
        **kwargs,
    )


def speaking(world, role, language):
    client = client_as(world, role)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def close(world, consultation):
    return services.consultation_close(consultation=consultation, by=world.coordinator)


def next_meeting(world, days=20):
    start = timezone.now() + timedelta(days=days)
    return services.meeting_create(
        table=world.table_a,
        by=world.coordinator,
        title="Rencontre régulière",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


# Opening under the rules --------------------------------------------------------------------


def test_rules_that_do_not_allow_decisions_between_meetings_refuse_the_vote(world):
    with pytest.raises(ValidationError, match="do not allow decisions between meetings"):
        open_vote(world)
    assert not Consultation.objects.exists()


def test_the_form_says_why_a_vote_is_refused_and_keeps_what_was_typed(world):
    client = speaking(world, "coordinator", "en")
    now = timezone.localtime()
    response = client.post(
        reverse("tables:consultation-create", args=[world.table_a.slug]),
        {
            "kind": "vote",
            "title": "Appui à la démarche",
            "text": PROPOSAL,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "audience": "all",
            "slots-TOTAL_FORMS": "0",
            "slots-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "do not allow decisions between meetings" in response.content.decode()
    assert PROPOSAL in response.content.decode()
    assert not Consultation.objects.exists()


def test_a_vote_shorter_than_the_rules_allow_is_refused(world):
    allow(world, e_vote_min_days=5)
    with pytest.raises(ValidationError, match="stays open 5 days at least"):
        open_vote(world, opens_at=timezone.now(), closes_at=timezone.now() + timedelta(days=3))


def test_a_vote_consults_the_voting_members_whatever_audience_was_chosen(world):
    allow(world)
    observer = DelegationFactory(membership=MembershipFactory(table=world.table_a, status="observer"))

    consultation = open_vote(world, audience=Consultation.Audience.ALL)

    assert consultation.audience == Consultation.Audience.VOTING
    told = set(
        Notification.objects.filter(kind=Notification.Kind.CONSULTATION_OPENED).values_list(
            "recipient", flat=True
        )
    )
    assert told == {world.delegate_a.pk}
    with pytest.raises(ValidationError, match="Only voting members vote"):
        vote(consultation, observer)


def test_the_vote_email_gives_the_proposal_and_reads_well(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    allow(world)
    with django_capture_on_commit_callbacks(execute=True):
        consultation = open_vote(world)

    (message,) = smtp_server.to(world.delegate_a.email)
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    assert "vote électronique" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()
    assert PROPOSAL in text
    assert SITE + consultation.get_absolute_url() in text


# One vote per organisation ------------------------------------------------------------------


def test_an_organisation_votes_once(world):
    allow(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a, "for")

    with pytest.raises(ValidationError, match="already voted"):
        vote(consultation, world.delegation_a, "against")

    assert list(ConsultationAnswer.objects.values_list("vote", flat=True)) == ["for"]


def test_the_substitute_votes_when_the_delegate_has_not_and_the_delegate_may_replace_it(world):
    allow(world)
    substitute = DelegationFactory(membership=world.membership_a, role="substitute")
    consultation = open_vote(world)

    cast, replaced = vote(consultation, substitute, "abstain")
    assert cast.as_substitute and replaced is None
    cast, replaced = vote(consultation, world.delegation_a, "for")

    assert replaced == substitute.person
    assert ConsultationAnswer.objects.get().vote == "for"
    with pytest.raises(ValidationError, match="already voted"):
        vote(consultation, substitute, "against")


def test_a_substitute_does_not_vote_where_the_rules_say_only_the_delegate_does(world):
    allow(world, substitutes_may_vote=False)
    substitute = DelegationFactory(membership=world.membership_a, role="substitute")
    consultation = open_vote(world)

    with pytest.raises(ValidationError, match="only the delegate votes"):
        vote(consultation, substitute)


def test_an_organisation_that_left_the_table_no_longer_votes(world):
    allow(world)
    (other,) = voters(world, 1)
    consultation = open_vote(world)
    other.membership.left = timezone.localdate() - timedelta(days=1)
    other.membership.save()

    with pytest.raises(ValidationError, match="not a member of the table"):
        vote(consultation, other)


def test_nobody_votes_for_another_organisation(world):
    allow(world)
    (other,) = voters(world, 1)
    consultation = open_vote(world)

    with pytest.raises(ValidationError, match="do not represent this organisation"):
        services.consultation_vote(
            consultation=consultation, membership=other.membership, by=world.delegate_a, vote="for"
        )
    response = client_as(world, "delegate_a").post(
        reverse("tables:consultation-answer", args=[world.table_a.slug, consultation.pk]),
        {"membership": other.membership.pk, "vote": "for"},
    )
    assert response.status_code == 403
    assert not ConsultationAnswer.objects.exists()


def test_a_vote_after_closing_is_refused_and_not_counted(world):
    allow(world)
    (other,) = voters(world, 1)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)
    close(world, consultation)

    with pytest.raises(ValidationError, match="closed"):
        vote(consultation, other)
    consultation.refresh_from_db()
    assert consultation.votes_for == 1 and ConsultationAnswer.objects.count() == 1


def test_an_unknown_vote_is_refused_with_the_form_kept(world):
    allow(world)
    consultation = open_vote(world)
    response = speaking(world, "delegate_a", "en").post(
        reverse("tables:consultation-answer", args=[world.table_a.slug, consultation.pk]),
        {"membership": world.membership_a.pk, "vote": "peut-être", "comment": "Notre avis détaillé"},
    )
    assert response.status_code == 200
    assert "Notre avis détaillé" in response.content.decode()
    assert not ConsultationAnswer.objects.exists()


# The result under the rules -----------------------------------------------------------------


def test_an_adopted_vote_enters_the_register_and_awaits_ratification(world):
    allow(world)
    others = voters(world, 3)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a, "for")
    vote(consultation, others[0], "for")
    vote(consultation, others[1], "against")

    consultation = close(world, consultation)

    assert consultation.outcome == Consultation.Outcome.ADOPTED
    resolution = consultation.resolution
    day = timezone.localdate()
    assert resolution.number == f"{day:%Y-%m}-01"
    assert resolution.meeting is None and resolution.is_electronic
    assert (resolution.votes_for, resolution.votes_against, resolution.abstentions) == (2, 1, 0)
    assert resolution.result == Resolution.Result.MAJORITY
    assert resolution.voting_members == 4 and resolution.quorum_present == 3
    assert resolution.text == PROPOSAL
    assert resolution.ratification_meeting is None and not resolution.is_ratified
    assert "2 for, 1 against, 0 abstentions: adopted" in consultation.outcome_reason()


def test_closing_twice_records_one_resolution_and_tells_nobody_again(world):
    allow(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)
    close(world, consultation)
    told = Notification.objects.filter(kind=Notification.Kind.CONSULTATION_CLOSED).count()

    close(world, consultation)

    assert Resolution.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.CONSULTATION_CLOSED).count() == told


def test_a_vote_is_not_closed_before_the_rules_shortest_duration(world):
    allow(world, e_vote_min_days=3)
    voters(world, 1)
    consultation = open_vote(world, opens_at=timezone.now() - timedelta(hours=1))
    vote(consultation, world.delegation_a)

    with pytest.raises(ValidationError, match="stays open 3 days unless every voting member has voted"):
        close(world, consultation)
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.OPEN and not Resolution.objects.exists()


def test_a_vote_every_voting_member_answered_may_close_at_once(world):
    allow(world, e_vote_min_days=3)
    consultation = open_vote(world, opens_at=timezone.now() - timedelta(hours=1))
    vote(consultation, world.delegation_a)

    assert close(world, consultation).outcome == Consultation.Outcome.ADOPTED


def test_a_vote_too_few_answered_fails_with_its_reason(world):
    allow(world, e_vote_participation_percent=60)
    voters(world, 4)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a, "for")

    consultation = close(world, consultation)

    assert consultation.outcome == Consultation.Outcome.NO_PARTICIPATION
    assert consultation.resolution is None and not Resolution.objects.exists()
    assert consultation.outcome_reason() == (
        "1 of 5 voting members answered; the rules (version 2) ask for 3 at least."
    )


def test_objections_send_the_proposal_to_the_next_meeting(world):
    allow(world, e_vote_objections=2)
    others = voters(world, 2)
    meeting = next_meeting(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a, "for")
    vote(consultation, others[0], "for", objection=True)
    vote(consultation, others[1], "against", objection=True)

    consultation = close(world, consultation)

    assert consultation.outcome == Consultation.Outcome.TO_MEETING
    assert not Resolution.objects.exists()
    item = consultation.agenda_item
    assert item.meeting == meeting and item.title == consultation.title and item.kind == "decision"
    assert "2 organisations asked for a debate at a meeting" in consultation.outcome_reason()


@pytest.mark.parametrize(
    ("majority", "percent", "votes", "outcome"),
    [
        # 2 for, 1 against, 1 abstention of 5 voting members.
        (EVoteMajority.CAST, 50, ["for", "for", "against", "abstain"], "adopted"),
        (EVoteMajority.CAST, 66, ["for", "for", "against", "abstain"], "adopted"),
        (EVoteMajority.MEMBERS, 50, ["for", "for", "against", "abstain"], "rejected"),
        (EVoteMajority.UNANIMITY, 50, ["for", "for", "against", "abstain"], "rejected"),
        (EVoteMajority.UNANIMITY, 50, ["for", "for", "abstain", "abstain"], "adopted"),
        (EVoteMajority.MEMBERS, 50, ["for", "for", "for", "against"], "adopted"),
    ],
)
def test_the_majority_is_the_one_the_rules_require(world, majority, percent, votes, outcome):
    allow(world, e_vote_majority=majority, e_vote_majority_percent=percent)
    others = voters(world, 4)
    consultation = open_vote(world)
    for delegation, choice in zip([world.delegation_a, *others], votes, strict=False):
        vote(consultation, delegation, choice)

    assert close(world, consultation).outcome == outcome


def test_the_result_follows_the_rules_in_force_on_the_day_it_closes(world):
    allow(world, e_vote_majority=EVoteMajority.CAST)
    others = voters(world, 2)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a, "for")
    vote(consultation, others[0], "for")
    vote(consultation, others[1], "against")
    services.rules_amend(
        table=world.table_a,
        by=world.coordinator,
        effective_from=timezone.localdate(),
        e_votes_allowed=True,
        e_vote_majority=EVoteMajority.UNANIMITY,
    )

    consultation = close(world, consultation)

    assert consultation.outcome == Consultation.Outcome.REJECTED
    assert consultation.rules.version == 3


# Ratification at the next meeting -----------------------------------------------------------


def test_the_next_meeting_already_planned_gets_the_ratification_item(world):
    allow(world)
    meeting = next_meeting(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)

    resolution = close(world, consultation).resolution

    resolution.refresh_from_db()
    assert resolution.ratification_meeting == meeting
    items = list(meeting.items.retained().order_by("position").values_list("standard", flat=True))
    assert items.index(StandardItem.RATIFICATION) == items.index(StandardItem.BUSINESS_ARISING) + 1


def test_a_meeting_planned_after_the_vote_takes_the_decisions_waiting(world):
    allow(world)
    for title in ("Appui à la démarche", "Lettre au ministère"):
        consultation = open_vote(world, title=title)
        vote(consultation, world.delegation_a)
        close(world, consultation)

    meeting = next_meeting(world)
    later = next_meeting(world, days=60)

    assert set(Resolution.objects.values_list("ratification_meeting", flat=True)) == {meeting.pk}
    assert meeting.items.filter(standard=StandardItem.RATIFICATION).count() == 1
    assert not later.items.filter(standard=StandardItem.RATIFICATION).exists()


def test_a_committee_meeting_does_not_ratify_the_tables_decisions(world):
    allow(world)
    committee = world.table_a.committees.create(name="Comité emploi")
    start = timezone.now() + timedelta(days=5)
    services.meeting_create(
        table=world.table_a,
        by=world.coordinator,
        title="Comité",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        committee=committee,
    )
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)

    resolution = close(world, consultation).resolution

    resolution.refresh_from_db()
    assert resolution.ratification_meeting is None
    assert not AgendaItem.objects.filter(standard=StandardItem.RATIFICATION).exists()


def test_the_agenda_and_the_register_show_the_decision_awaiting_ratification(world):
    allow(world)
    meeting = next_meeting(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)
    resolution = close(world, consultation).resolution
    client = speaking(world, "coordinator", "en")

    agenda = client.get(meeting.get_absolute_url()).content.decode()
    register = client.get(reverse("tables:resolution-list", args=[world.table_a.slug])).content.decode()

    assert "Ratification of the decisions taken between meetings" in agenda
    assert f"Resolution {resolution.number}" in agenda and PROPOSAL in agenda
    assert resolution.number in register and "Awaiting ratification" in register
    assert "Adopted by electronic vote on" in register


def test_the_public_sees_neither_the_decision_nor_its_text_before_ratification(world):
    world.table_a.publish_minutes = True
    world.table_a.save()
    allow(world)
    meeting = next_meeting(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)
    resolution = close(world, consultation).resolution
    client = client_as(world, "anonymous")

    agenda = client.get(meeting.get_absolute_url()).content.decode()
    register = client.get(reverse("tables:resolution-list", args=[world.table_a.slug]))

    assert PROPOSAL not in agenda
    assert register.status_code != 200 or resolution.number not in register.content.decode()


def test_an_electronic_resolution_is_not_edited_through_minutes(world):
    allow(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)
    resolution = close(world, consultation).resolution

    with pytest.raises(ValidationError, match="adopted by electronic vote"):
        services.resolution_update(resolution=resolution, by=world.coordinator, text="Autre texte")
    with pytest.raises(ValidationError, match="adopted by electronic vote"):
        services.resolution_delete(resolution=resolution, by=world.coordinator)


# Pages --------------------------------------------------------------------------------------


def test_the_delegate_votes_in_the_browser_and_sees_the_vote_recorded(world):
    allow(world)
    consultation = open_vote(world)
    client = speaking(world, "delegate_a", "fr-ca")
    url = reverse("tables:consultation-answer", args=[world.table_a.slug, consultation.pk])

    response = client.post(
        url,
        {"membership": world.membership_a.pk, "vote": "against", "objection": "on"},
        follow=True,
    )

    page = response.content.decode()
    assert "Le vote de votre organisation a été enregistré." in page
    cast = ConsultationAnswer.objects.get()
    assert cast.vote == "against" and cast.objection and cast.person == world.delegate_a
    assert "Envoyer le vote" not in page


def test_the_vote_page_is_french_and_english(world):
    allow(world)
    consultation = open_vote(world)
    french = speaking(world, "delegate_a", "fr-ca").get(consultation.get_absolute_url()).content.decode()
    english = speaking(world, "delegate_a", "en").get(consultation.get_absolute_url()).content.decode()

    assert "Résolution proposée" in french and "Pour" in french and "Abstention" in french
    assert "Proposed resolution" in english and "Abstention" in english


def test_the_delegate_is_asked_to_vote_on_the_home_page_until_the_organisation_does(world):
    allow(world)
    consultation = open_vote(world)

    labels = [item.label for item in todo_for(world.delegate_a)]
    assert any(consultation.title in label and label.startswith("Vote on") for label in labels)
    vote(consultation, world.delegation_a)
    assert not any(consultation.title in item.label for item in todo_for(world.delegate_a))


def test_the_vote_page_costs_the_same_queries_with_many_votes(world):
    allow(world)
    consultation = open_vote(world)
    client = client_as(world, "coordinator")
    vote(consultation, world.delegation_a)
    small = queries(client, consultation.get_absolute_url())

    for delegation in voters(world, 12):
        vote(consultation, delegation, "against", objection=True)
    large = queries(client, consultation.get_absolute_url())

    assert large == small


def test_closing_in_the_browser_says_the_result(world):
    allow(world)
    consultation = open_vote(world)
    vote(consultation, world.delegation_a)

    response = speaking(world, "coordinator", "en").post(
        reverse("tables:consultation-close", args=[world.table_a.slug, consultation.pk]),
        follow=True,
    )

    page = response.content.decode()
    assert "The vote is closed: proposal adopted." in page
    assert "Recorded in the register as resolution" in page
    assert Meeting.objects.count() == 0
