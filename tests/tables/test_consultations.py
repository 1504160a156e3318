"""Consultations between meetings: the coordination asks, each organisation consulted
answers once, the count is live, and a poll's chosen slot becomes a planned meeting."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Notification
from members.todo import todo_for
from tables import services
from tables.models import Committee, Consultation, ConsultationAnswer, Meeting
from tables.selectors.consultations import consultation_counts
from tests.conftest import client_as
from tests.factories import DelegationFactory, MembershipFactory
from tests.helpers import assert_reads_well
from tests.site.test_query_counts import queries

pytestmark = pytest.mark.django_db

SITE = "https://concertation.example.org"


@pytest.fixture(autouse=True)
def _in_english():
    """Refusals are matched by their English text, whatever the catalogue says; pages are
    requested in the language each test chooses."""
    with translation.override("en"):
        yield


def avis(world, table=None, **fields):
    now = timezone.now()
    values = {
        "kind": Consultation.Kind.AVIS,
        "title": "Avis sur le plan d'action 2026",
        "text": "Vos commentaires sur la version 2 du plan.",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=3),
    }
    values.update(fields)
    return services.consultation_open(table=table or world.table_a, by=world.coordinator, **values)


def slots(n=2, days=10):
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return [(start + timedelta(days=i), start + timedelta(days=i, hours=2)) for i in range(n)]


def poll(world, **fields):
    return avis(world, kind=Consultation.Kind.POLL, title="Prochaine rencontre", slots=slots(), **fields)


def answer(consultation, delegation, comment="D'accord, avec une réserve sur l'axe 2.", **kwargs):
    return services.consultation_answer(
        consultation=consultation,
        membership=delegation.membership,
        by=delegation.person,
        comment=comment,
        **kwargs,
    )


def told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def fresh(person):
    return get_user_model().objects.get(pk=person.pk)


# Opening ------------------------------------------------------------------------------------


def test_opening_tells_the_delegates_and_substitutes_consulted_when_it_opens(world):
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    later = timezone.now() + timedelta(days=2)

    consultation = avis(world, opens_at=later, closes_at=later + timedelta(days=5))

    assert told(Notification.Kind.CONSULTATION_OPENED) == {world.delegate_a.pk, substitute.pk}
    notification = Notification.objects.get(recipient=world.delegate_a)
    assert consultation.is_upcoming
    assert consultation.title in notification.title
    assert notification.url == consultation.get_absolute_url()


def test_the_opening_email_reads_well_at_a_real_smtp_server(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    with django_capture_on_commit_callbacks(execute=True):
        consultation = avis(world)

    (message,) = smtp_server.to(world.delegate_a.email)
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    assert consultation.title in str(message["Subject"])
    assert SITE + consultation.get_absolute_url() in message.get_body(("plain",)).get_content()


def test_a_consultation_of_voting_members_does_not_tell_the_observers(world):
    observer = DelegationFactory(membership=MembershipFactory(table=world.table_a, status="observer")).person

    avis(world, audience=Consultation.Audience.VOTING)

    assert told(Notification.Kind.CONSULTATION_OPENED) == {world.delegate_a.pk}
    assert observer.pk not in told(Notification.Kind.CONSULTATION_OPENED)


def test_a_committee_consultation_asks_only_the_committees_members(world):
    committee = Committee.objects.create(table=world.table_a, name="Comité emploi")
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a))
    committee.members.add(other.membership)

    consultation = avis(world, audience=Consultation.Audience.COMMITTEE, committee=committee)

    assert told(Notification.Kind.CONSULTATION_OPENED) == {other.person.pk}
    with pytest.raises(ValidationError, match="not among the members consulted"):
        answer(consultation, world.delegation_a)


def test_closing_less_than_a_day_after_opening_is_refused(world):
    now = timezone.now()
    with pytest.raises(ValidationError, match="one day at least"):
        avis(world, opens_at=now, closes_at=now + timedelta(hours=5))


def test_a_poll_needs_two_slots_in_the_future(world):
    with pytest.raises(ValidationError, match="at least 2 slots"):
        avis(world, kind=Consultation.Kind.POLL, slots=slots(1))
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError, match="in the future"):
        avis(world, kind=Consultation.Kind.POLL, slots=[*slots(1), (past, past + timedelta(hours=1))])
    assert not Consultation.objects.exists()


def test_a_renamed_executable_is_refused_as_the_document(world):
    upload = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="does not match its type") as refused:
        avis(world, attachment=upload)
    assert refused.value.code == "content"


def test_the_document_is_served_to_insiders_only(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 le plan", content_type="application/pdf")
    consultation = avis(world, attachment=upload)
    url = reverse("tables:consultation-attachment", args=[world.table_a.slug, consultation.pk])

    response = client_as(world, "delegate_a").get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 le plan"
    assert client_as(world, "delegate_b").get(url).status_code == 403


# Answering ----------------------------------------------------------------------------------


def test_a_delegate_answers_for_the_organisation_and_the_count_goes_up(world):
    consultation = avis(world)
    DelegationFactory(membership=MembershipFactory(table=world.table_a))

    saved, previous = answer(consultation, world.delegation_a)

    assert previous is None
    assert (saved.membership, saved.person) == (world.membership_a, world.delegate_a)
    assert consultation_counts(consultation) | {"slots": None} == {
        "consulted": 2,
        "answered": 1,
        "slots": None,
    }


def test_the_substitute_changes_the_organisations_answer_and_is_named_as_its_author(world, client):
    consultation = avis(world)
    answer(consultation, world.delegation_a, comment="Premier avis")
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    client.force_login(substitute)

    response = client.post(
        reverse("tables:consultation-answer", args=[world.table_a.slug, consultation.pk]),
        {"membership": world.membership_a.pk, "comment": "Avis révisé"},
        follow=True,
    )

    only = ConsultationAnswer.objects.get()
    assert (only.comment, only.person) == ("Avis révisé", substitute)
    assert consultation_counts(consultation)["answered"] == 1
    assert world.delegate_a.display_name in response.content.decode()


def test_an_answer_after_closing_time_is_refused(world):
    consultation = avis(world)
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="closed: answers are no longer accepted"):
        answer(consultation, world.delegation_a)
    assert not ConsultationAnswer.objects.exists()


def test_an_answer_after_the_coordination_closed_it_is_refused(world):
    consultation = avis(world)
    services.consultation_close(consultation=consultation, by=world.coordinator)
    with pytest.raises(ValidationError, match="closed: answers are no longer accepted"):
        answer(consultation, world.delegation_a)


def test_an_answer_before_opening_is_refused(world):
    later = timezone.now() + timedelta(days=1)
    consultation = avis(world, opens_at=later, closes_at=later + timedelta(days=2))
    with pytest.raises(ValidationError, match="answers are not accepted yet"):
        answer(consultation, world.delegation_a)


def test_an_observer_is_refused_a_consultation_of_voting_members(world):
    observer = DelegationFactory(membership=MembershipFactory(table=world.table_a, status="observer"))
    consultation = avis(world, audience=Consultation.Audience.VOTING)
    with pytest.raises(ValidationError, match="not among the members consulted"):
        answer(consultation, observer)


def test_an_organisation_that_left_the_table_is_refused(world):
    consultation = avis(world)
    world.membership_a.left = timezone.localdate()
    world.membership_a.save()
    with pytest.raises(ValidationError, match="not a member of the table"):
        answer(consultation, world.delegation_a)


def test_a_person_whose_delegation_ended_is_refused(world):
    consultation = avis(world)
    world.delegation_a.end = timezone.localdate()
    world.delegation_a.save()
    with pytest.raises(ValidationError, match="do not represent this organisation"):
        answer(consultation, world.delegation_a)


def test_a_delegate_cannot_answer_for_another_organisation(world, client):
    other = MembershipFactory(table=world.table_a)
    consultation = avis(world)
    with pytest.raises(ValidationError, match="do not represent this organisation"):
        services.consultation_answer(
            consultation=consultation, membership=other, by=world.delegate_a, comment="Pour les autres"
        )
    client.force_login(world.delegate_a)
    response = client.post(
        reverse("tables:consultation-answer", args=[world.table_a.slug, consultation.pk]),
        {"membership": other.pk, "comment": "Pour les autres"},
    )
    assert response.status_code == 403
    assert not ConsultationAnswer.objects.exists()


def test_an_empty_opinion_is_refused_in_the_form_keeping_the_organisation(world):
    consultation = avis(world)
    response = client_as(world, "delegate_a").post(
        reverse("tables:consultation-answer", args=[world.table_a.slug, consultation.pk]),
        {"membership": world.membership_a.pk, "comment": "  "},
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not ConsultationAnswer.objects.exists()


def test_a_poll_answer_must_say_something_of_every_slot(world):
    consultation = poll(world)
    first, _second = consultation.slots.all()
    with pytest.raises(ValidationError, match="every proposed slot"):
        answer(consultation, world.delegation_a, choices={first.pk: "yes"})
    assert not ConsultationAnswer.objects.exists()


# The coordination's count, anonymity, closing ------------------------------------------------


def test_the_poll_count_gives_each_slots_availabilities(world):
    consultation = poll(world)
    first, second = consultation.slots.all()
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a))
    answer(consultation, world.delegation_a, choices={first.pk: "yes", second.pk: "no"})
    answer(consultation, other, choices={first.pk: "if_needed", second.pk: "no"})
    # the same organisation answering again changes its answer, it is not counted twice
    answer(consultation, other, choices={first.pk: "yes", second.pk: "no"})

    counts = consultation_counts(consultation)

    assert (counts["consulted"], counts["answered"]) == (2, 2)
    assert [(s.yes, s.if_needed, s.no) for s in counts["slots"]] == [(2, 0, 0), (0, 0, 2)]


def test_named_answers_show_the_organisation_to_the_coordination(world):
    consultation = avis(world)
    answer(consultation, world.delegation_a, comment="Un avis signé")

    page = client_as(world, "coordinator").get(consultation.get_absolute_url()).content.decode()

    assert "Un avis signé" in page and world.org_a.name in page


def test_anonymous_answers_hide_the_organisation_even_from_the_coordination(world):
    consultation = avis(world, anonymous=True)
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a))
    answer(consultation, world.delegation_a, comment="Un avis sans nom")
    services.consultation_close(consultation=consultation, by=world.coordinator)

    for role, person in (("coordinator", world.coordinator), ("other", other.person)):
        client = client_as(world, "coordinator") if role == "coordinator" else client_as(world, "anonymous")
        if role == "other":
            client.force_login(person)
        page = client.get(consultation.get_absolute_url()).content.decode()
        assert "Un avis sans nom" in page, role
        assert world.org_a.name not in page, role
        assert world.delegate_a.display_name not in page, role


def test_members_see_the_results_only_once_it_is_closed(world):
    consultation = avis(world)
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a))
    answer(consultation, other, comment="Un avis venu du voisin")
    client = client_as(world, "delegate_a")

    assert "Un avis venu du voisin" not in client.get(consultation.get_absolute_url()).content.decode()
    services.consultation_close(consultation=consultation, by=world.coordinator)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Un avis venu du voisin" in page


def test_closing_twice_changes_nothing_and_tells_once(world):
    consultation = avis(world)
    first = services.consultation_close(consultation=consultation, by=world.coordinator)
    told_once = Notification.objects.filter(kind=Notification.Kind.CONSULTATION_CLOSED).count()

    again = services.consultation_close(consultation=consultation, by=world.coordinator)
    response = client_as(world, "coordinator").post(
        reverse("tables:consultation-close", args=[world.table_a.slug, consultation.pk])
    )

    assert response.status_code == 302
    assert told_once == 1
    assert Notification.objects.filter(kind=Notification.Kind.CONSULTATION_CLOSED).count() == 1
    assert again.closed_at == first.closed_at
    assert again.status == Consultation.Status.CLOSED


def test_choosing_a_slot_plans_the_meeting_at_its_times(world):
    consultation = poll(world)
    first, second = consultation.slots.all()

    response = client_as(world, "coordinator").post(
        reverse("tables:consultation-choose", args=[world.table_a.slug, consultation.pk]), {"slot": second.pk}
    )

    consultation.refresh_from_db()
    meeting = consultation.meeting
    assert response.url == meeting.get_absolute_url()
    assert (meeting.starts_at, meeting.ends_at, meeting.status) == (
        second.starts_at,
        second.ends_at,
        Meeting.Status.PLANNED,
    )
    assert (consultation.chosen_slot, consultation.status) == (second, Consultation.Status.CLOSED)
    assert meeting.items.exists(), "planned through meeting_create, with the standard items"
    # choosing the same slot again is harmless; another one is refused
    assert services.poll_choose_slot(consultation=consultation, slot=second, by=world.coordinator) == meeting
    # (the request above switched the thread to the page's language: back to English)
    with translation.override("en"), pytest.raises(ValidationError, match="already chosen"):
        services.poll_choose_slot(consultation=consultation, slot=first, by=world.coordinator)
    assert Meeting.objects.filter(title=consultation.title).count() == 1


def test_an_avis_has_no_slot_to_choose(world):
    consultation = avis(world)
    other = poll(world)
    with pytest.raises(ValidationError, match="Only an availability poll"):
        services.poll_choose_slot(consultation=consultation, slot=other.slots.first(), by=world.coordinator)


# Forms -------------------------------------------------------------------------------------


def creation(**fields):
    now = timezone.localtime() + timedelta(hours=1)
    data = {
        "kind": "avis",
        "title": "Avis sur la démarche",
        "text": "Le texte à commenter",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "audience": "all",
        "slots-TOTAL_FORMS": "5",
        "slots-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_the_coordinator_opens_a_poll_from_the_form(world):
    response = client_as(world, "coordinator").post(
        reverse("tables:consultation-create", args=[world.table_a.slug]),
        creation(
            kind="poll",
            **{
                f"slots-{i}-{name}": (start if name == "starts_at" else end).strftime("%Y-%m-%dT%H:%M")
                for i, (start, end) in enumerate(slots(2))
                for name in ("starts_at", "ends_at")
            },
        ),
    )
    consultation = Consultation.objects.get()
    assert response.url == consultation.get_absolute_url()
    assert consultation.slots.count() == 2


def test_form_errors_are_in_french_and_keep_what_was_typed(world):
    client = client_as(world, "coordinator")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr-ca"

    response = client.post(
        reverse("tables:consultation-create", args=[world.table_a.slug]),
        creation(title="", text="Mon texte soigneusement rédigé", kind="poll"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in page
    assert "Mon texte soigneusement rédigé" in page
    assert not Consultation.objects.exists()


def test_a_poll_without_enough_slots_is_refused_beside_the_slots(world):
    client = client_as(world, "coordinator")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("tables:consultation-create", args=[world.table_a.slug]), creation(kind="poll")
    )

    assert "Propose at least 2 slots" in response.content.decode()
    assert not Consultation.objects.exists()


# « À faire » and query counts ----------------------------------------------------------------


def test_the_delegate_is_asked_to_answer_until_the_organisation_does(world):
    consultation = avis(world)

    (item,) = [i for i in todo_for(fresh(world.delegate_a)) if "consultation" in i.url]
    assert consultation.title in item.label
    assert item.url == consultation.get_absolute_url()
    assert not [i for i in todo_for(fresh(world.delegate_b)) if "consultation" in i.url]

    answer(consultation, world.delegation_a)
    assert not [i for i in todo_for(fresh(world.delegate_a)) if "consultation" in i.url]


def test_the_coordinator_is_asked_to_close_the_consultations_past_their_time(world):
    for _ in range(2):
        consultation = avis(world)
    Consultation.objects.update(closes_at=timezone.now() - timedelta(minutes=5))

    (item,) = [i for i in todo_for(fresh(world.coordinator)) if "consultations" in i.url]
    assert (item.count, item.urgency, item.url) == (
        2,
        "overdue",
        reverse("tables:consultation-list", args=[world.table_a.slug]),
    )
    services.consultation_close(consultation=consultation, by=world.coordinator)
    (item,) = [i for i in todo_for(fresh(world.coordinator)) if "consultations" in i.url]
    assert item.count == 1


@pytest.mark.parametrize("role", ["coordinator", "delegate_a"])
def test_the_home_page_costs_the_same_queries_whatever_the_number_of_consultations(world, role):
    client = client_as(world, role)
    avis(world)
    small = queries(client, reverse("home"))
    for _ in range(5):
        avis(world)
        Consultation.objects.filter(pk=avis(world).pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    large = queries(client, reverse("home"))
    assert large == small, f"{large} queries with more consultations against {small}"


def organisations_answer(world, consultation, n):
    first, second = consultation.slots.all()
    for _ in range(n):
        delegation = DelegationFactory(membership=MembershipFactory(table=world.table_a))
        answer(
            consultation,
            delegation,
            choices={first.pk: "yes", second.pk: "if_needed"},
            comment="Merci, disponible",
        )


def test_the_coordinators_page_costs_the_same_queries_whatever_the_number_of_answers(world):
    consultation = poll(world)
    client = client_as(world, "coordinator")
    url = consultation.get_absolute_url()
    organisations_answer(world, consultation, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    organisations_answer(world, consultation, 18)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)

    assert response.content.decode().count("Merci, disponible") == 20
    assert len(large) == len(small), f"{len(large)} queries for 20 answers against {len(small)} for 2"
