"""Every email of the platform besides convocations (tests/tables/test_convocation_emails.py),
triggered as a person triggers it and read as it arrives at a real SMTP server on loopback:
readable in any mail program, one recipient a message, answered to whoever acted, in the
reader's language, French names intact, and, unless it keeps a person's access to their
account, one click away from never coming again (RFC 8058)."""

import email
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funding import services as funding
from funding.models import Status
from members.documents.email import unsubscribe_token
from members.models import Delegation, EmailKind, EmailOptOut, Sector
from projects import services as projects
from tables import services as tables
from tables.models import Activity, Meeting, Membership
from tables.regional import activity_declare
from tests.factories import CoordinatorFactory, DelegationFactory, meeting_with_agenda
from tests.funding.factories import application_in, call_on, manager_of, member, ready_application, submit
from tests.helpers import assert_reads_well, parts, unsubscribe_path

pytestmark = pytest.mark.django_db

SITE = "https://concertation.example.org"
DOMAIN = "concertation.example.org"

# Apostrophes and guillemets in every title and name: HTML-escaped text would show
# « d&#x27;immigration » instead.
TABLE = "Table régionale d'immigration « Capitale-Nationale »"
MEETING = "Bilan du plan d'action « Accueil »"
GUEST = "L'Atelier « Portes ouvertes »"
PROJECT = "Jumelage « Premier emploi » d'été"
CALL = "Appel de projets d'immigration « Horizon 2027 »"
PLACE = "L'Assomption"
PASSWORD = "un-mot-de-passe-solide-42"


@pytest.fixture
def people(world, settings):
    """The `world` on the site's own domain, table A named with an apostrophe, with a
    substitute beside delegate A, a second coordinator, and a member organisation (the
    guest) whose delegate and substitute answer for it in joint projects."""
    settings.SITE_URL = SITE
    world.table_a.name = TABLE
    world.table_a.save(update_fields=["name"])
    world.substitute_a = DelegationFactory(membership=world.membership_a, role="substitute").person
    world.coordinator_2 = CoordinatorFactory(table=world.table_a).person
    world.guest, world.guest_delegate = member(world.table_a, sector=Sector.PRIVATE, name=GUEST)
    world.guest_substitute = DelegationFactory(
        membership=Membership.objects.get(table=world.table_a, organisation=world.guest), role="substitute"
    ).person
    return world


@dataclass
class Sent:
    """What one action must have sent: one message to each of `to` (the first is the
    address that unsubscribes in the round-trip tests), answered to `reply_to`, the person
    who acted, when there is one."""

    to: list[str]
    reply_to: str | None
    subject_says: str | None
    text_says: tuple[str, ...]
    unsubscribe: bool = True


def seated_at_table_a(people) -> list[str]:
    """The addresses of the delegates and substitutes of table A's members, delegate A first."""
    seated = [people.delegate_a, people.substitute_a, people.guest_delegate, people.guest_substitute]
    return [person.email for person in seated]


# How each email is set off: the service or page a person uses, its emails handed over
# when the transaction commits. Each may run again and reach the same people again.


def minutes_circulated(people, commit) -> Sent:
    meeting = meeting_with_agenda(people.table_a, days_ahead=-30, status=Meeting.Status.HELD, title=MEETING)
    minutes = tables.minutes_start(meeting=meeting, by=people.coordinator)
    with commit(execute=True):
        tables.minutes_circulate(minutes=minutes, by=people.coordinator)
    return Sent(
        to=seated_at_table_a(people),
        reply_to=people.coordinator.email,
        subject_says=MEETING,
        text_says=(MEETING, TABLE),
    )


def follow_up_assigned(people, commit) -> Sent:
    meeting = meeting_with_agenda(people.table_a, days_ahead=-30, status=Meeting.Status.HELD, title=MEETING)
    with commit(execute=True):
        tables.followup_create(
            meeting=meeting,
            by=people.coordinator,
            description="Transmettre la liste d'attente « Accueil »",
            organisation=people.org_a,
        )
    return Sent(
        to=[people.delegate_a.email, people.substitute_a.email],
        reply_to=people.coordinator.email,
        subject_says=TABLE,
        text_says=(MEETING, TABLE, "Transmettre la liste d'attente « Accueil »"),
    )


def table_invitation(people, commit) -> Sent:
    client = Client()
    client.force_login(people.coordinator)
    url = reverse("tables:invitation-create", args=[people.table_a.slug, people.membership_a.pk])
    invited = ["nadia.belanger@example.org", "remi.oconnor@example.org"]
    with commit(execute=True):
        for address in invited:
            response = client.post(
                url, {"email": address, "role": "substitute", "message": "Bienvenue à l'équipe « Accueil »"}
            )
            assert response.status_code == 302
    return Sent(
        to=invited,
        reply_to=people.coordinator.email,
        subject_says=TABLE,
        text_says=(TABLE, "Bienvenue à l'équipe « Accueil »"),
    )


def _draft_project(people):
    """A new draft project of org A (delegate A) on a call of table A."""
    project = ready_application(
        call_on(people.table_a), lead=people.org_a, lead_delegate=people.delegate_a
    ).project
    project.title = PROJECT
    project.save(update_fields=["title"])
    return project


def _invite_guest(people, project):
    return projects.partner_invite(
        project=project, organisation=people.guest, by=people.delegate_a, cash=Decimal("1000")
    )


def _confirmed_by_guest(people, partnership):
    partnership.refresh_from_db()
    return projects.partner_answer(
        partnership=partnership,
        by=people.guest_delegate,
        confirm=True,
        expected_version=partnership.version,
        note="Avec plaisir : c'est « notre » projet.",
    )


def partner_invited(people, commit) -> Sent:
    project = _draft_project(people)
    with commit(execute=True):
        _invite_guest(people, project)
    return Sent(
        to=[people.guest_delegate.email, people.guest_substitute.email],
        reply_to=people.delegate_a.email,
        subject_says=PROJECT,
        text_says=(GUEST, PROJECT),
    )


def partner_answered(people, commit) -> Sent:
    partnership = _invite_guest(people, _draft_project(people))
    with commit(execute=True):
        _confirmed_by_guest(people, partnership)
    return Sent(
        to=[people.delegate_a.email, people.substitute_a.email],
        reply_to=people.guest_delegate.email,
        subject_says=f"{GUEST} confirme sa participation au projet « {PROJECT} »",
        text_says=(GUEST, "Avec plaisir : c'est « notre » projet."),
    )


def partner_asked_to_reconfirm(people, commit) -> Sent:
    confirmed = _confirmed_by_guest(people, _invite_guest(people, _draft_project(people)))
    with commit(execute=True):
        projects.partner_update_terms(
            partnership=confirmed,
            expected_version=confirmed.version,
            by=people.delegate_a,
            cash=Decimal("3000"),
        )
    return Sent(
        to=[people.guest_delegate.email, people.guest_substitute.email],
        reply_to=people.delegate_a.email,
        subject_says=PROJECT,
        text_says=(GUEST, PROJECT),
    )


def call_published(people, commit) -> Sent:
    coordinator = people.coordinator
    call = funding.call_create(
        table=people.table_a,
        by=coordinator,
        title=CALL,
        description="Des projets en partenariat pour l'accueil.",
        envelope=Decimal("100000"),
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    funding.call_set_shares(call=call, shares=[(people.funder, Decimal("100000"))], by=coordinator)
    funding.call_set_criteria(
        call=call, criteria=[{"title": "Partenariat", "guidance": "", "weight": 100}], by=coordinator
    )
    with commit(execute=True):
        funding.call_publish(call=call, by=coordinator)
    return Sent(
        to=seated_at_table_a(people),
        reply_to=coordinator.email,
        subject_says=CALL,
        text_says=(TABLE, CALL),
    )


def application_submitted(people, commit) -> Sent:
    application = ready_application(call_on(people.table_a, title=CALL))
    application.project.title = PROJECT
    application.project.save(update_fields=["title"])
    with commit(execute=True):
        submit(application)
    return Sent(
        to=[people.coordinator.email, people.coordinator_2.email],
        reply_to=application.lead_delegate.email,
        subject_says=PROJECT,
        text_says=(PROJECT, CALL),
    )


def funding_decision(people, commit) -> Sent:
    call = call_on(people.table_a, title=CALL)
    manager = manager_of(call)
    application = application_in(
        Status.RECOMMENDED, call, manager=manager, lead=people.org_a, lead_delegate=people.delegate_a
    )
    application.project.title = PROJECT
    application.project.save(update_fields=["title"])
    partners = [p.organisation_id for p in application.project.partnerships.all()]
    with commit(execute=True):
        funding.application_decide(application=application, by=manager, funded=True, amount=Decimal("20000"))
    return Sent(
        to=[
            people.delegate_a.email,
            people.substitute_a.email,
            *sorted(
                Delegation.objects.filter(membership__organisation_id__in=partners).values_list(
                    "person__email", flat=True
                )
            ),
        ],
        reply_to=manager.email,
        subject_says=PROJECT,
        text_says=(PROJECT, CALL),
    )


def review_assigned(people, commit) -> Sent:
    call = call_on(people.table_a, title=CALL, funders=[people.funder])
    manager = manager_of(call)
    application = application_in(Status.ELIGIBILITY, call, manager=manager)
    application.project.title = PROJECT
    application.project.save(update_fields=["title"])
    funding.reviewer_add(call=call, person=people.evaluator, by=manager)
    with commit(execute=True):
        funding.application_transition(application=application, to=Status.IN_REVIEW, by=manager)
    return Sent(
        to=[people.evaluator.email],
        reply_to=manager.email,
        subject_says=PROJECT,
        text_says=(PROJECT, CALL),
    )


def activity_conflict(people, commit) -> Sent:
    # each round on later days, so that it does not conflict with the rounds before
    starts = timezone.localdate() + timedelta(days=30 + 10 * Activity.objects.count())
    fields = {
        "kind": Activity.Kind.RECRUITMENT_MISSION,
        "audience": "Infirmières formées à l'étranger",
        "place": PLACE,
        "starts": starts,
        "ends": starts + timedelta(days=1),
    }
    with commit(execute=True):
        activity_declare(by=people.delegate_a, organisation=people.org_a, title="Mission d'automne", **fields)
        activity_declare(by=people.delegate_b, organisation=people.org_b, title="Mission « Soins »", **fields)
    return Sent(
        to=[people.delegate_a.email, people.delegate_b.email],
        reply_to=None,
        subject_says=f"Deux activités en même temps à {PLACE}",
        text_says=("Mission d'automne", PLACE, "Infirmières formées à l'étranger"),
    )


def signup_confirmation(people, commit) -> Sent:
    with commit(execute=True):
        response = Client().post(
            reverse("account_signup"),
            {
                "email": "zoe.damours@example.org",
                "first_name": "Zoé",
                "last_name": "D'Amours",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    return Sent(
        to=["zoe.damours@example.org"],
        reply_to=None,
        subject_says=None,
        text_says=("Zoé D'Amours",),
        unsubscribe=False,
    )


def password_reset(people, commit) -> Sent:
    with commit(execute=True):
        response = Client().post(reverse("account_reset_password"), {"email": people.delegate_a.email})
    assert response.status_code == 302
    return Sent(
        to=[people.delegate_a.email],
        reply_to=None,
        subject_says=None,
        text_says=("quelqu'un d'autre",),
        unsubscribe=False,
    )


EMAILS = [
    minutes_circulated,
    follow_up_assigned,
    table_invitation,
    partner_invited,
    partner_answered,
    partner_asked_to_reconfirm,
    call_published,
    application_submitted,
    funding_decision,
    review_assigned,
    activity_conflict,
    signup_confirmation,
    password_reset,
]
OPTIONAL = {
    EmailKind.MINUTES: minutes_circulated,
    EmailKind.INVITATION: table_invitation,
    EmailKind.PROJECTS: partner_invited,
    EmailKind.FUNDING: call_published,
    EmailKind.REGIONAL: activity_conflict,
}
by_kind = pytest.mark.parametrize("send", list(OPTIONAL.values()), ids=list(OPTIONAL))


def one_line(header) -> str:
    """A header as a mail program shows it: Python's parser keeps the whitespace of a
    folded encoded header (a leading space, a double one where it folded)."""
    return " ".join(str(header).split())


def on_the_wire(smtp_server, message: EmailMessage, name: str) -> str:
    """A header of `message` as the SMTP server received it, unfolded, not decoded."""
    raw = smtp_server.raw[next(i for i, m in enumerate(smtp_server.messages) if m is message)]
    return " ".join(email.message_from_bytes(raw, policy=policy.compat32)[name].split())


def text_of(message: EmailMessage) -> str:
    """The text part with its line ends as a mail program shows them (SMTP sends CRLF)."""
    return parts(message)["text/plain"][0].get_content().replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    return parts(message)["text/html"][0].get_content()


def delivered_to(smtp_server) -> list[str]:
    return sorted(address for _sender, addresses in smtp_server.envelopes for address in addresses)


# Every email reads well -------------------------------------------------------------------------


@pytest.mark.parametrize("send", EMAILS, ids=[send.__name__ for send in EMAILS])
def test_each_email_arrives_readable_one_per_recipient_answered_to_who_acted(
    send, people, smtp_server, django_capture_on_commit_callbacks
):
    # when
    sent = send(people, django_capture_on_commit_callbacks)

    # then each recipient has their own message, and no one else has one
    assert delivered_to(smtp_server) == sorted(sent.to)
    for address in sent.to:
        (message,) = smtp_server.to(address)
        assert_reads_well(message, domain=DOMAIN, unsubscribe=sent.unsubscribe)
        if sent.unsubscribe:
            # a plain link in angle brackets (RFC 2369), never an RFC 2047 encoded word
            assert (
                on_the_wire(smtp_server, message, "List-Unsubscribe")
                == str(message["List-Unsubscribe"]).strip()
            )
            assert on_the_wire(smtp_server, message, "List-Unsubscribe").startswith(f"<{SITE}/unsubscribe/")
        assert [found for _name, found in getaddresses([str(message["To"])])] == [address]
        if sent.reply_to:
            assert parseaddr(str(message["Reply-To"]))[1] == sent.reply_to
        if sent.subject_says:
            assert sent.subject_says in one_line(message["Subject"])
        assert all(says in text_of(message) for says in sent.text_says), text_of(message)


def test_a_required_account_email_carries_no_unsubscribe_link_even_to_an_address_that_turned_all_off(
    people, smtp_server, django_capture_on_commit_callbacks
):
    # given delegate A turned off every kind of email that may be turned off
    for kind in OPTIONAL:
        EmailOptOut.objects.create(address=people.delegate_a.email.upper(), kind=kind)

    # when they ask to reset their password
    password_reset(people, django_capture_on_commit_callbacks)

    # then it reaches them, with no way to turn it off
    (message,) = smtp_server.to(people.delegate_a.email)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "/unsubscribe/" not in text_of(message) and "/unsubscribe/" not in html_of(message)


def test_an_account_kind_cannot_be_turned_off_even_with_a_well_signed_link(people, client):
    token = unsubscribe_token(people.delegate_a.email, EmailKind.ACCOUNT)
    response = client.post(reverse("members:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert not EmailOptOut.objects.exists()


# Languages --------------------------------------------------------------------------------------


def test_each_reader_gets_the_minutes_in_their_own_language(
    people, smtp_server, django_capture_on_commit_callbacks
):
    # given delegate A reads French and their substitute English
    people.delegate_a.language = "fr-ca"
    people.delegate_a.save(update_fields=["language"])
    people.substitute_a.language = "en"
    people.substitute_a.save(update_fields=["language"])

    # when
    minutes_circulated(people, django_capture_on_commit_callbacks)

    # then
    (french,) = smtp_server.to(people.delegate_a.email)
    (english,) = smtp_server.to(people.substitute_a.email)
    assert one_line(french["Subject"]).startswith(f"Projet de procès-verbal pour commentaires : {MEETING}")
    assert one_line(english["Subject"]).startswith(f"Draft minutes for your comments: {MEETING}")
    assert text_of(french).startswith(f"Bonjour {people.delegate_a.first_name},")
    assert text_of(english).startswith(f"Hello {people.substitute_a.first_name},")
    assert "are circulated to members for comments" in text_of(english)
    assert '<html lang="fr-CA">' in html_of(french) and '<html lang="en">' in html_of(english)


def test_a_french_reader_gets_the_unsubscribe_footer_in_french(
    people, smtp_server, django_capture_on_commit_callbacks
):
    people.delegate_a.language = "fr-ca"
    people.delegate_a.save(update_fields=["language"])

    minutes_circulated(people, django_capture_on_commit_callbacks)

    (message,) = smtp_server.to(people.delegate_a.email)
    footer = text_of(message).rsplit("\n-- \n", 1)[1]
    assert "You receive this email" not in footer and "Minutes circulated" not in footer
    assert "Stop receiving emails of this kind" not in html_of(message)


def test_a_bilingual_invitation_subject_reads_as_one_line(
    people, smtp_server, django_capture_on_commit_callbacks
):
    sent = table_invitation(people, django_capture_on_commit_callbacks)

    (message,) = smtp_server.to(sent.to[0])
    subject = one_line(message["Subject"])
    assert f"Invitation to {TABLE}" in subject
    assert "―" not in subject


# Unsubscribing in one click ---------------------------------------------------------------------


def one_click_to(path: str):
    """What a mail program sends for RFC 8058: a POST without cookies or CSRF token."""
    return Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})


def one_click(message: EmailMessage):
    return one_click_to(unsubscribe_path(message))


@by_kind
def test_one_click_unsubscribe_stops_that_kind_for_that_address_only(
    send: Callable, people, smtp_server, django_capture_on_commit_callbacks
):
    # given an email of this kind
    watched = send(people, django_capture_on_commit_callbacks).to[0]
    (message,) = smtp_server.to(watched)

    # when its reader unsubscribes from the mail program
    response = one_click(message)

    # then the same kind of email again reaches everyone else, and not them
    assert response.status_code == 200
    smtp_server.clear()
    again = send(people, django_capture_on_commit_callbacks)
    assert smtp_server.to(watched) == []
    assert delivered_to(smtp_server) == sorted(set(again.to) - {watched}) != []


def test_unsubscribing_from_minutes_keeps_the_calls_coming(
    people, smtp_server, django_capture_on_commit_callbacks
):
    minutes_circulated(people, django_capture_on_commit_callbacks)
    (minutes,) = smtp_server.to(people.delegate_a.email)
    assert one_click(minutes).status_code == 200
    smtp_server.clear()

    call_published(people, django_capture_on_commit_callbacks)

    (call,) = smtp_server.to(people.delegate_a.email)
    assert CALL in one_line(call["Subject"])


@by_kind
def test_opening_the_link_asks_and_unsubscribes_nobody(
    send: Callable, people, smtp_server, django_capture_on_commit_callbacks
):
    watched = send(people, django_capture_on_commit_callbacks).to[0]
    (message,) = smtp_server.to(watched)

    response = Client().get(unsubscribe_path(message))

    assert response.status_code == 200
    assert 'name="action" value="unsubscribe"' in response.text
    assert not EmailOptOut.objects.exists()


@by_kind
def test_the_link_opened_after_unsubscribing_offers_to_receive_them_again(
    send: Callable, people, smtp_server, django_capture_on_commit_callbacks
):
    watched = send(people, django_capture_on_commit_callbacks).to[0]
    (message,) = smtp_server.to(watched)
    one_click(message)

    response = Client().get(unsubscribe_path(message))

    assert response.status_code == 200
    assert watched in response.text
    assert 'name="action" value="resubscribe"' in response.text


def test_receiving_them_again_brings_the_next_one(people, smtp_server, django_capture_on_commit_callbacks):
    # given delegate A unsubscribed from minutes, then asked for them again on the page
    minutes_circulated(people, django_capture_on_commit_callbacks)
    (message,) = smtp_server.to(people.delegate_a.email)
    one_click(message)
    response = Client().post(unsubscribe_path(message), {"action": "resubscribe"})
    assert response.status_code == 200
    smtp_server.clear()

    # when minutes are circulated again
    minutes_circulated(people, django_capture_on_commit_callbacks)

    # then they arrive
    assert len(smtp_server.to(people.delegate_a.email)) == 1


@by_kind
def test_a_tampered_unsubscribe_link_is_not_found(
    send: Callable, people, smtp_server, django_capture_on_commit_callbacks
):
    watched = send(people, django_capture_on_commit_callbacks).to[0]
    (message,) = smtp_server.to(watched)
    path = unsubscribe_path(message)
    # one character of the signature changed
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    responses = [Client().get(tampered), one_click_to(tampered)]

    assert [r.status_code for r in responses] == [404, 404]
    assert not EmailOptOut.objects.exists()
