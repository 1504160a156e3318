"""Communiqués: the coordination writes to the members between meetings."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from members.models import Notification
from tables import services
from tables.models import Committee, Communique
from tables.tasks import send_communique
from tests.factories import DelegationFactory, MembershipFactory, OrganisationFactory
from tests.helpers import assert_reads_well

pytestmark = pytest.mark.django_db


def told(communique):
    return set(
        Notification.objects.filter(
            kind="communique", url__endswith=communique.get_absolute_url()
        ).values_list("recipient_id", flat=True)
    )


def write(world, callbacks, **fields):
    values = {"subject": "Rappel : bilan d'étape", "body": "Merci d'envoyer vos données d'ici vendredi."}
    values.update(fields)
    with callbacks(execute=True):
        return services.communique_send(table=world.table_a, by=world.coordinator, **values)


def test_every_delegate_and_substitute_is_told_once_with_the_coordinator_to_answer(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://concertation.example.org"
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person

    communique = write(world, django_capture_on_commit_callbacks)

    communique.refresh_from_db()
    assert (communique.status, communique.recipients, communique.done) == ("sent", 3, 3)
    assert told(communique) == {world.delegate_a.pk, substitute.pk, other.pk}
    assert world.delegate_b.pk not in told(communique)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [world.delegate_a.email, substitute.email, other.email]
    )
    message = smtp_server.messages[0]
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    assert "bilan d'étape" in str(message["Subject"])
    assert str(message["Reply-To"]) == world.coordinator.email


def test_a_sector_or_a_committee_only(world, django_capture_on_commit_callbacks):
    public = MembershipFactory(table=world.table_a, organisation=OrganisationFactory(sector="municipal"))
    mayor_office = DelegationFactory(membership=public).person
    committee = Committee.objects.create(table=world.table_a, name="Comité emploi")
    committee.members.add(world.membership_a)

    by_sector = write(world, django_capture_on_commit_callbacks, audience="sector", sector="municipal")
    by_committee = write(world, django_capture_on_commit_callbacks, audience="committee", committee=committee)

    assert told(by_sector) == {mayor_office.pk}
    assert told(by_committee) == {world.delegate_a.pk}


@translation.override("en")
def test_refusals_say_why_and_save_nothing(world):
    other_table_committee = Committee.objects.create(table=world.table_b, name="Comité B")
    with pytest.raises(ValidationError, match="subject and a message"):
        services.communique_send(table=world.table_a, by=world.coordinator, subject=" ", body="Texte")
    with pytest.raises(ValidationError, match="Choose the sector"):
        services.communique_send(
            table=world.table_a, by=world.coordinator, subject="S", body="B", audience="sector"
        )
    with pytest.raises(ValidationError, match="this table's committees"):
        services.communique_send(
            table=world.table_a,
            by=world.coordinator,
            subject="S",
            body="B",
            audience="committee",
            committee=other_table_committee,
        )
    with pytest.raises(ValidationError, match="Nobody would receive"):
        services.communique_send(
            table=world.table_a,
            by=world.coordinator,
            subject="S",
            body="B",
            audience="sector",
            sector="private",
        )
    assert not Communique.objects.exists()


def test_sending_again_tells_nobody_twice_and_a_dead_worker_is_resumed(
    world, django_capture_on_commit_callbacks
):
    people = [DelegationFactory(membership=MembershipFactory(table=world.table_a)).person for _ in range(3)]
    # given a communiqué whose worker died after telling the first two people (by id)
    communique = services.communique_send(table=world.table_a, by=world.coordinator, subject="S", body="B")
    everyone = sorted([world.delegate_a.pk, *(p.pk for p in people)])
    Communique.objects.filter(pk=communique.pk).update(status="sending", done=2, last_person_id=everyone[1])

    # when the task runs again, twice
    assert send_communique(communique.pk) == 2
    assert send_communique(communique.pk) == 0

    # then only the last two were told by this run, and the count adds up
    assert told(communique) == set(everyone[2:])
    communique.refresh_from_db()
    assert (communique.status, communique.done) == ("sent", 4)


def test_the_coordinator_writes_from_the_page_and_follows_the_sending(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    url = reverse("tables:communique-list", args=[world.table_a.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"audience": "all", "subject": "Rappel", "body": "Texte du rappel"})
    communique = Communique.objects.get()
    assert response.status_code == 302 and response.url == communique.get_absolute_url()
    page = client.get(communique.get_absolute_url()).content.decode()
    assert "Texte du rappel" in page and "Envoyé à 1 personne" in page
    assert "hx-trigger" not in page  # done: no more polling

    Communique.objects.filter(pk=communique.pk).update(status="sending", done=0)
    status = client.get(reverse("tables:communique-status", args=[world.table_a.slug, communique.pk]))
    assert 'hx-trigger="every 2s"' in status.content.decode()
    assert "0 sur 1" in status.content.decode()


def test_a_bad_form_keeps_what_was_typed_and_says_why_in_french(world, client):
    client.force_login(world.coordinator)
    url = reverse("tables:communique-list", args=[world.table_a.slug])
    response = client.post(
        url, {"audience": "sector", "subject": "Rappel aux municipalités", "body": "Texte gardé"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez le secteur" in page
    assert "Rappel aux municipalités" in page and "Texte gardé" in page
    assert not Communique.objects.exists()


def test_a_delegate_reads_what_was_written_to_their_organisation_only(
    world, client, django_capture_on_commit_callbacks
):
    committee = Committee.objects.create(table=world.table_a, name="Comité logement")
    committee.members.add(MembershipFactory(table=world.table_a))
    DelegationFactory(membership=committee.members.get())
    to_all = write(world, django_capture_on_commit_callbacks, subject="À tous")
    to_committee = write(
        world,
        django_capture_on_commit_callbacks,
        subject="Au comité",
        audience="committee",
        committee=committee,
    )

    client.force_login(world.delegate_a)
    page = client.get(reverse("tables:communique-list", args=[world.table_a.slug])).content.decode()
    assert "À tous" in page and "Au comité" not in page
    assert client.get(to_all.get_absolute_url()).status_code == 200
    assert client.get(to_committee.get_absolute_url()).status_code == 404
    table_page = client.get(world.table_a.get_absolute_url()).content.decode()
    assert "À tous" in table_page  # archived on the table page


def test_the_list_costs_the_same_queries_with_more_communiques(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.delegate_a)
    url = reverse("tables:communique-list", args=[world.table_a.slug])
    write(world, django_capture_on_commit_callbacks)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(15):
        write(world, django_capture_on_commit_callbacks, subject=f"Communiqué {n}")
    assert queries() == few
