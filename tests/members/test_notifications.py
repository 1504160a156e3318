"""Notifications between meetings: in each person's list, by email as they chose, and
gathered in daily and weekly digests sent once."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from members.models import EmailKind, EmailOptOut, Notification, NotificationPreference
from members.services import digest_send, digests_due, notify, preferences_of
from tables import services
from tests.factories import DelegationFactory, UserFactory
from tests.helpers import assert_reads_well

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
CONTEXT = {"url": "/tables/table-a/"}


def tell(people, kind=Notification.Kind.MINUTES_CIRCULATED, callbacks=None):
    """A notification through a real template (the minutes circulated one)."""
    from tests.factories import TableFactory, meeting_with_agenda

    table = TableFactory(name="Table d'immigration")
    meeting = meeting_with_agenda(table, title="Rencontre d'automne")
    return notify(
        people=people,
        kind=kind,
        template="tables/email/minutes_circulated",
        context={"meeting": meeting, "table": table, "minutes": None, "url": f"/tables/{table.slug}/"},
        email_kind=EmailKind.MINUTES,
    )


def prefer(person, delivery, kind=Notification.Kind.MINUTES_CIRCULATED):
    NotificationPreference.objects.create(person=person, kind=kind, delivery=delivery)


def test_at_once_by_default_in_the_list_and_by_email(django_capture_on_commit_callbacks):
    person = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert tell([person]) == 1
    notification = Notification.objects.get(recipient=person)
    assert notification.email == "sent" and notification.read_at is None
    assert "Rencontre d'automne" in notification.title  # written in the person's language, unescaped
    assert [m.to for m in mail.outbox] == [[person.email]]


@pytest.mark.parametrize(("delivery", "state"), [("daily", "daily"), ("weekly", "weekly"), ("never", "")])
def test_a_chosen_delivery_keeps_the_email_for_the_digest_or_not_at_all(
    delivery, state, django_capture_on_commit_callbacks
):
    person = UserFactory()
    prefer(person, delivery)
    with django_capture_on_commit_callbacks(execute=True):
        tell([person])
    assert Notification.objects.get(recipient=person).email == state
    assert mail.outbox == []


def test_preferences_default_per_kind_and_follow_the_persons_choice():
    person = UserFactory()
    prefer(person, "weekly", Notification.Kind.CALL_PUBLISHED)
    choices = preferences_of(person)
    assert choices[Notification.Kind.CALL_PUBLISHED] == "weekly"
    assert choices[Notification.Kind.PROPOSAL_DECIDED] == "immediate"
    assert set(choices) == set(Notification.Kind.values)


def test_the_daily_digest_gathers_everything_in_one_email_once(django_capture_on_commit_callbacks):
    # given three items waiting for the daily digest of an English-speaking person
    person = UserFactory(language="en")
    prefer(person, "daily")
    for _ in range(3):
        tell([person])
    assert digests_due(today=MONDAY) == [person.pk]

    # when the digest runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = digest_send(person=person, today=MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        again = digest_send(person=person, today=MONDAY)

    # then one email holds the three, and nothing is sent a second time
    assert (first, again) == (3, 0)
    (message,) = mail.outbox
    assert message.subject == "Today at your tables: 3 new items"
    assert message.body.count("Rencontre d'automne") == 3
    assert {mimetype: content for content, mimetype in message.alternatives}["text/html"].count("<li") == 3
    assert "List-Unsubscribe" in message.extra_headers
    assert set(Notification.objects.values_list("email", flat=True)) == {"sent"}
    assert digests_due(today=MONDAY) == []


def test_the_weekly_digest_waits_for_the_chosen_day(django_capture_on_commit_callbacks):
    person = UserFactory(digest_weekday=3)  # Thursday
    prefer(person, "weekly")
    tell([person])
    assert digests_due(today=MONDAY) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(person=person, today=MONDAY) == 0
    thursday = MONDAY + timedelta(days=3)
    assert digests_due(today=thursday) == [person.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(person=person, today=thursday) == 1
    assert mail.outbox[0].subject.startswith("Votre semaine à vos tables")


def test_nothing_new_sends_nothing_and_what_was_read_is_not_news(django_capture_on_commit_callbacks):
    person = UserFactory()
    prefer(person, "daily")
    tell([person])
    Notification.objects.update(read_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(person=person, today=MONDAY) == 0
    assert mail.outbox == []
    assert digests_due(today=MONDAY) == []


def test_an_address_that_turned_digests_off_gets_none(django_capture_on_commit_callbacks):
    person = UserFactory()
    prefer(person, "daily")
    tell([person])
    EmailOptOut.objects.create(address=person.email, kind=EmailKind.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(person=person, today=MONDAY) == 0
    assert mail.outbox == []
    assert digests_due(today=MONDAY) == []  # not tried again every morning


def test_send_digests_dry_run_lists_recipients_and_sends_nothing():
    busy, quiet = UserFactory(email="occupee@example.org"), UserFactory()
    prefer(busy, "daily")
    prefer(quiet, "daily")
    tell([busy])
    tell([busy])
    out = StringIO()
    call_command("send_digests", "--dry-run", "--date", MONDAY.isoformat(), stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == ["occupee@example.org\t2"]
    assert mail.outbox == []
    assert set(Notification.objects.values_list("email", flat=True)) == {"daily"}


def test_send_digests_sends_each_person_one_email(django_capture_on_commit_callbacks):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        prefer(person, "daily")
        tell([person])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--date", MONDAY.isoformat(), stdout=StringIO(), stderr=StringIO())
        call_command("send_digests", "--date", MONDAY.isoformat(), stdout=StringIO(), stderr=StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_the_celery_task_batches_the_digests(django_capture_on_commit_callbacks):
    from members.tasks import send_digests

    people = [UserFactory() for _ in range(3)]
    for person in people:
        prefer(person, "daily")
        tell([person])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(MONDAY.isoformat()) == 3
    assert len(mail.outbox) == 3
    assert send_digests(MONDAY.isoformat()) == 0


# The pages -----------------------------------------------------------------------------------


def test_the_list_shows_ones_own_notifications_and_opening_marks_read(client):
    person, other = UserFactory(), UserFactory()
    tell([person, other])
    mine = Notification.objects.get(recipient=person)
    client.force_login(person)

    page = client.get(reverse("members:notification-list")).content.decode()
    assert (
        escape(mine.title) in page and page.count(reverse("members:notification-open", args=[mine.pk])) == 1
    )

    response = client.get(reverse("members:notification-open", args=[mine.pk]))
    assert response.status_code == 302 and response.url == mine.url
    mine.refresh_from_db()
    assert mine.read_at is not None
    theirs = Notification.objects.get(recipient=other)
    assert client.get(reverse("members:notification-open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_never_leaves_the_site(client):
    person = UserFactory()
    notification = Notification.objects.create(
        recipient=person, kind=Notification.Kind.CALL_PUBLISHED, title="x", url="https://evil.example/"
    )
    client.force_login(person)
    response = client.get(reverse("members:notification-open", args=[notification.pk]))
    assert response.url == reverse("members:notification-list")


def test_mark_all_read(client):
    person, other = UserFactory(), UserFactory()
    tell([person, other])
    tell([person])
    client.force_login(person)
    client.post(reverse("members:notification-read-all"))
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_the_list_costs_the_same_queries_with_more_notifications(client):
    person = UserFactory()
    client.force_login(person)
    tell([person])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("members:notification-list")).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(40):
        tell([person])
    assert queries() == few


def test_preferences_are_saved_and_a_bad_choice_is_refused_in_french(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("members:notification-preferences")
    data = {f"kind_{kind}": "immediate" for kind in Notification.Kind.values} | {"digest_weekday": "4"}
    data["kind_minutes_circulated"] = "weekly"

    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.digest_weekday == 4
    assert preferences_of(person)["minutes_circulated"] == "weekly"

    data["kind_call_published"] = "hourly"
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "Sélectionnez un choix valide" in page
    assert 'value="weekly" selected' in page  # what was chosen is kept
    assert preferences_of(person)["call_published"] == "immediate"


# What happens that is notified ---------------------------------------------------------------


def test_the_proposer_learns_that_their_item_was_declined(world, django_capture_on_commit_callbacks):
    colleague = DelegationFactory(membership=world.membership_a, role="substitute").person
    item = services.item_propose(
        meeting=world.meeting_a,
        by=world.delegate_a,
        organisation=world.org_a,
        title="Logement des nouveaux arrivants",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(
            item=item, by=world.coordinator, decision="declined", reason="Déjà traité en comité"
        )
    told = Notification.objects.filter(kind="proposal_decided")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([world.delegate_a.pk, colleague.pk])
    assert all("Logement des nouveaux arrivants" in n.title for n in told)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.delegate_a.email, colleague.email])
    assert "Déjà traité en comité" in mail.outbox[0].body


def test_the_digest_and_a_proposal_decision_read_well_at_a_real_smtp_server(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://concertation.example.org"
    prefer(world.delegate_a, "daily")
    item = services.item_propose(
        meeting=world.meeting_a, by=world.delegate_a, organisation=world.org_a, title="Accès à l'emploi"
    )
    with django_capture_on_commit_callbacks(execute=True):
        tell([world.delegate_a])
        services.proposal_decide(item=item, by=world.coordinator, decision="retained")
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(person=world.delegate_a, today=MONDAY)

    decision, digest = smtp_server.to(world.delegate_a.email)
    for message in (decision, digest):
        assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    assert "Accès à l'emploi" in str(decision["Subject"])
    assert "Rencontre d'automne" in digest.get_body(("plain",)).get_content()
