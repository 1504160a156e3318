"""Consultations proposed by member organisations, where the table's rules allow it: the
coordination is told, accepts (the consultation opens) or declines with a reason; nobody
else sees a proposal."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Notification
from members.todo import todo_for
from tables import services
from tables.models import Consultation
from tests.conftest import client_as
from tests.factories import CoordinatorFactory, DelegationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def allow(world, **rules):
    values = {"members_may_propose": True}
    values.update(rules)
    services.rules_amend(
        table=world.table_a,
        by=world.coordinator,
        effective_from=timezone.localdate() - timedelta(days=1),
        **values,
    )


def propose(world, **fields):
    now = timezone.now()
    values = {
        "kind": Consultation.Kind.AVIS,
        "title": "Avis sur la politique régionale d'immigration",
        "text": "Nous proposons de recueillir l'avis des membres sur le projet de politique.",
        "opens_at": now + timedelta(hours=2),
        "closes_at": now + timedelta(days=7),
    }
    values.update(fields)
    return services.consultation_propose(
        table=world.table_a, membership=world.membership_a, by=world.delegate_a, **values
    )


def recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_rules_that_do_not_let_members_propose_refuse_the_proposal(world):
    with pytest.raises(ValidationError, match="do not let member organisations propose"):
        propose(world)
    response = client_as(world, "delegate_a").get(
        reverse("tables:consultation-propose", args=[world.table_a.slug])
    )
    assert response.status_code == 403
    assert not Consultation.objects.exists()


def test_a_proposal_tells_the_coordination_and_nobody_else(world):
    allow(world)
    second = CoordinatorFactory(table=world.table_a).person
    colleague = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person

    consultation = propose(world)

    assert consultation.is_proposed and consultation.proposed_by == world.membership_a
    assert recipients(Notification.Kind.CONSULTATION_PROPOSED) == {world.coordinator.pk, second.pk}
    assert colleague.pk not in recipients(Notification.Kind.CONSULTATION_OPENED)


def test_another_member_neither_sees_nor_opens_a_proposal(world):
    allow(world)
    colleague = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person
    consultation = propose(world)
    client = client_as(world, "outsider")
    client.force_login(colleague)

    listing = client.get(reverse("tables:consultation-list", args=[world.table_a.slug]))
    detail = client.get(consultation.get_absolute_url())

    assert listing.status_code == 200 and "Avis sur la politique régionale" not in listing.content.decode()
    assert detail.status_code == 404


def test_the_proposer_sees_it_waiting_for_the_coordination(world):
    allow(world)
    consultation = propose(world)

    page = client_as(world, "delegate_a").get(consultation.get_absolute_url()).content.decode()

    assert "Avis sur la politique régionale" in page
    assert "Send the answer" not in page and "Envoyer la réponse" not in page


def test_a_member_cannot_propose_an_availability_poll(world):
    allow(world)
    with pytest.raises(ValidationError, match="opinion on a text or an electronic vote"):
        propose(world, kind=Consultation.Kind.POLL)


def test_a_proposed_vote_needs_rules_that_allow_votes(world):
    allow(world, e_votes_allowed=False)
    with pytest.raises(ValidationError, match="do not allow decisions between meetings"):
        propose(world, kind=Consultation.Kind.VOTE, text="Que la Table appuie la démarche.")


def test_accepting_opens_it_and_tells_those_consulted(world):
    allow(world)
    colleague = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person
    consultation = propose(world)

    opened = services.consultation_accept(consultation=consultation, by=world.coordinator)

    assert opened.status == Consultation.Status.OPEN
    assert {world.delegate_a.pk, colleague.pk} <= recipients(Notification.Kind.CONSULTATION_OPENED)


def test_accepting_a_proposal_whose_opening_is_past_opens_it_now(world):
    allow(world)
    consultation = propose(world)
    Consultation.objects.filter(pk=consultation.pk).update(opens_at=timezone.now() - timedelta(days=1))
    consultation.refresh_from_db()

    opened = services.consultation_accept(consultation=consultation, by=world.coordinator)

    assert opened.opens_at >= timezone.now() - timedelta(minutes=1)
    assert opened.accepts_answers


def test_accepting_twice_is_refused(world):
    allow(world)
    consultation = propose(world)
    services.consultation_accept(consultation=consultation, by=world.coordinator)

    with pytest.raises(ValidationError, match="not a proposal awaiting a decision"):
        services.consultation_accept(consultation=consultation, by=world.coordinator)


def test_declining_needs_a_reason_and_tells_the_proposer_why(world):
    allow(world)
    consultation = propose(world)
    client = client_as(world, "coordinator")
    url = reverse("tables:consultation-decline", args=[world.table_a.slug, consultation.pk])

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    consultation.refresh_from_db()
    assert consultation.is_proposed

    client.post(url, {"reason": "Le sujet sera traité à la rencontre de janvier."})

    consultation.refresh_from_db()
    assert consultation.is_declined
    assert recipients(Notification.Kind.PROPOSAL_DECIDED) == {world.delegate_a.pk}
    notification = Notification.objects.get(kind=Notification.Kind.PROPOSAL_DECIDED)
    assert "declined" in notification.title.lower() or "refus" in notification.title.lower()


def test_a_proposal_cannot_be_closed_before_it_is_accepted(world):
    allow(world)
    consultation = propose(world)

    response = client_as(world, "coordinator").post(
        reverse("tables:consultation-close", args=[world.table_a.slug, consultation.pk])
    )

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.is_proposed


def test_the_coordinator_is_asked_to_decide_on_the_home_page(world):
    allow(world)
    propose(world)

    labels = [item.label for item in todo_for(world.coordinator)]

    assert "1 consultation proposed by members to accept or decline" in labels


def test_the_proposal_form_keeps_what_was_typed_when_refused(world):
    allow(world)
    client = client_as(world, "delegate_a")
    response = client.post(
        reverse("tables:consultation-propose", args=[world.table_a.slug]),
        {
            "membership": world.membership_a.pk,
            "kind": "avis",
            "title": "Avis sur la politique",
            "text": "Un texte à commenter",
            "opens_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "closes_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "audience": "all",
        },
    )
    assert response.status_code == 200
    assert "Un texte à commenter" in response.content.decode()
    assert not Consultation.objects.exists()
