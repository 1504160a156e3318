"""Every side channel answers as the page does (issue 14, point 3).

On the whole demo, for every demo role and for a person whose delegation ended, each
derived channel — generated PDFs and spreadsheets, calendar feeds of every scope, the
shared calendar's feed, signed RSVP links, exports and the links of a digest email — is
walked and compared with what the page of the same object answers that person. A channel
that shows or accepts what the page refuses is a leak, and is listed in the failure."""

import csv
import io
from datetime import date, timedelta

import icalendar
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from funding.models import DECIDED, Application, Declaration, Funder, FundingCall, Reviewer
from members.models import Delegation, Notification, User
from members.permissions import may_see
from members.services.notifications import digest_send
from tables.demo import DEMO_ACCOUNTS, MAIN_SLUG
from tables.models import ActionPlan, Bilan, CalendarFeed, Document, Meeting, Minutes, Table
from tables.rsvp import rsvp_token
from tables.services.documents import KINDS
from tests.pages import DEMO_ROLES, seed_whole_demo

FORMER = "former_delegate"
ROLES = [*DEMO_ROLES, FORMER]
OK = 200


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def _former_delegate() -> User:
    """The demo delegate's colleague, who sat for the same organisation at the main table
    until yesterday: every channel must now treat them as an outsider to it."""
    delegate = User.objects.get(email=DEMO_ACCOUNTS["delegate"][0])
    seat = Delegation.objects.filter(person=delegate, membership__table__slug=MAIN_SLUG).first()
    person = User.objects.create_user(
        email="ancienne.deleguee@demo.concertation.test",
        password="x",
        first_name="Ancienne",
        last_name="Déléguée",
    )
    Delegation.objects.create(
        membership=seat.membership,
        person=person,
        role=Delegation.Role.SUBSTITUTE,
        start=date(2020, 1, 1),
        end=timezone.localdate(),
    )
    return person


def _people() -> dict:
    people = {
        role: User.objects.get(email=DEMO_ACCOUNTS[role][0]) for role in DEMO_ROLES if role != "anonymous"
    }
    people["anonymous"] = None
    people[FORMER] = _former_delegate()
    return people


def _client(person) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr-ca"
    if person is not None:
        client.force_login(person)
    return client


def _ready_documents(sources_by_kind) -> dict:
    """A finished document of each kind for each source, so that downloading it is the
    channel under test (not the rendering)."""
    made = {}
    for kind, sources in sources_by_kind.items():
        spec = KINDS[kind]
        for source in sources:
            document = Document.objects.create(
                kind=kind,
                language="fr",
                content_type=ContentType.objects.get_for_model(spec.model),
                object_id=source.pk,
                source_version="x" * 40,
                status=Document.Status.READY,
            )
            document.file.save(
                f"{kind}-{source.pk}.{spec.extension}", ContentFile(b"%PDF-1.7 test"), save=True
            )
            made[(kind, source.pk)] = document
    return made


def _status(client, url) -> int:
    return client.get(url).status_code


def _feed_meeting_ids(response) -> set[int]:
    calendar = icalendar.Calendar.from_ical(response.content)
    ids = set()
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        if uid.startswith("meeting-"):
            ids.add(int(uid.split("-")[1].split("@")[0]))
    return ids


def _exported(client, **filters) -> int | None:
    """How many projects the dashboard's export gives this reader (None if refused)."""
    response = client.get(reverse("funding:dashboard-export"), filters)
    if response.status_code != OK:
        return None
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";")
    return len(list(rows)) - 1


@pytest.mark.django_db
def test_every_side_channel_answers_as_the_page(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_whole_demo()
    people = _people()
    meetings = list(Meeting.objects.select_related("table"))
    minutes_all = list(Minutes.objects.select_related("meeting__table"))
    plans = list(ActionPlan.objects.select_related("table"))
    bilans = list(Bilan.objects.select_related("table"))
    tables = list(Table.objects.all())
    decided = list(Application.objects.filter(status__in=DECIDED).select_related("call"))
    calls = list(FundingCall.objects.filter(applications__isnull=False).distinct())
    funders = list(Funder.objects.all())
    documents = _ready_documents(
        {
            "agenda": meetings,
            "minutes": minutes_all,
            "register": tables,
            "plan": plans,
            "plan_xlsx": plans,
            "plan_csv": plans,
            "bilan": bilans,
            "decision_letter": decided,
            "call_summary": calls,
            "funder_summary": funders,
        }
    )
    assert len(meetings) > 10 and minutes_all and plans and bilans and decided and calls and funders

    def download(client, kind, source) -> int:
        return _status(client, reverse("tables:document-download", args=[documents[(kind, source.pk)].pk]))

    # The demo's evaluator declared a conflict on one application of a call they review:
    # the dashboard hides it from them, so no summary drawn for everyone may reach them.
    evaluator = people["funder_evaluator"]
    reviewer = Reviewer.objects.filter(person=evaluator).select_related("call").first()
    conflicted = reviewer.call.applications.exclude(status="draft").order_by("pk").first()
    Declaration.objects.update_or_create(
        reviewer=reviewer,
        application=conflicted,
        defaults={"has_conflict": True, "details": "Ma sœur y travaille."},
    )

    leaks = []
    compared = 0

    def compare(role, channel, obj, channel_ok, page_ok, *, exact=True):
        nonlocal compared
        compared += 1
        if channel_ok and not page_ok:
            leaks.append(f"{role}: {channel} gives {obj} that the page refuses")
        elif exact and page_ok and not channel_ok:
            leaks.append(f"{role}: {channel} refuses {obj} that the page shows")

    for role, person in people.items():
        client = _client(person)
        viewer = person or AnonymousUser()
        insider = {
            table.pk: _status(client, reverse("tables:follow-up-list", args=[table.slug])) == OK
            for table in tables
        }
        meeting_page = {meeting.pk: _status(client, meeting.get_absolute_url()) == OK for meeting in meetings}

        # Meetings: the agenda PDF (it lists open follow-ups and decisions between
        # meetings, so it is the insiders' page), and the one permission.
        for meeting in meetings:
            channel_ok = download(client, "agenda", meeting) == OK
            compare(
                role,
                "agenda PDF",
                meeting,
                channel_ok,
                meeting_page[meeting.pk] and insider[meeting.table_id],
            )
            compare(role, "may_see", meeting, may_see(viewer, meeting), meeting_page[meeting.pk])

        # Minutes: their page and their PDF.
        for minutes in minutes_all:
            meeting = minutes.meeting
            page_ok = (
                _status(client, reverse("tables:minutes-detail", args=[meeting.table.slug, meeting.pk])) == OK
            )
            compare(role, "minutes PDF", minutes, download(client, "minutes", minutes) == OK, page_ok)
            compare(role, "may_see", minutes, may_see(viewer, minutes), page_ok)

        # The whole register (drafts included) is the insiders'.
        for table in tables:
            compare(role, "register PDF", table, download(client, "register", table) == OK, insider[table.pk])
            page_ok = _status(client, reverse("tables:table-detail", args=[table.slug])) == OK
            compare(role, "may_see", table, may_see(viewer, table), page_ok)

        for plan in plans:
            page_ok = _status(client, plan.get_absolute_url()) == OK
            for kind in ("plan", "plan_xlsx", "plan_csv"):
                compare(role, f"{kind} download", plan, download(client, kind, plan) == OK, page_ok)
            compare(role, "may_see", plan, may_see(viewer, plan), page_ok)

        for bilan in bilans:
            page_ok = _status(client, reverse("tables:bilan-detail", args=[bilan.table.slug, bilan.pk])) == OK
            compare(role, "bilan PDF", bilan, download(client, "bilan", bilan) == OK, page_ok)

        # Funding: a decision letter goes to whoever sees the application or its project.
        for application in decided:
            page_ok = (
                _status(
                    client, reverse("funding:application-detail", args=[application.call_id, application.pk])
                )
                == OK
                or _status(client, reverse("projects:project-detail", args=[application.project_id])) == OK
            )
            compare(
                role,
                "decision letter",
                application,
                download(client, "decision_letter", application) == OK,
                page_ok,
            )

        # Summaries are drawn once for all their readers: whoever reads one must see, in
        # the dashboard's export, every application it covers.
        for call in calls:
            covered = call.applications.exclude(status="draft").count()
            if download(client, "call_summary", call) == OK:
                compare(
                    role,
                    "call summary PDF",
                    call,
                    True,
                    _exported(client, call=call.pk) == covered,
                    exact=False,
                )
            reviews_ok = _status(client, reverse("funding:call-reviews-export", args=[call.pk])) == OK
            manage_ok = _status(client, reverse("funding:call-manage", args=[call.pk])) == OK
            compare(role, "reviews export", call, reviews_ok, manage_ok)
        for funder in funders:
            covered = (
                Application.objects.filter(call__shares__funder=funder)
                .exclude(status="draft")
                .distinct()
                .count()
            )
            if covered and download(client, "funder_summary", funder) == OK:
                compare(
                    role,
                    "funder summary PDF",
                    funder,
                    True,
                    _exported(client, funder=funder.pk) == covered,
                    exact=False,
                )

        # Calendar feeds of every scope, read with their secret address (no session).
        if person is not None:
            feeds = [CalendarFeed.objects.create(owner=person, scope=CalendarFeed.Scope.PERSON)]
            feeds.append(CalendarFeed.objects.create(owner=person, scope=CalendarFeed.Scope.ORGANISATION))
            feeds += [
                CalendarFeed.objects.create(owner=person, scope=CalendarFeed.Scope.TABLE, table=table)
                for table in tables
            ]
            for feed in feeds:
                response = Client().get(reverse("tables:calendar-feed", args=[f"{feed.token}.ics"]))
                if feed.scope == CalendarFeed.Scope.TABLE:
                    table_ok = _status(client, reverse("tables:table-detail", args=[feed.table.slug])) == OK
                    compare(role, "table calendar feed", feed.table, response.status_code == OK, table_ok)
                if response.status_code != OK:
                    continue
                for meeting_id in _feed_meeting_ids(response):
                    compare(
                        role,
                        f"{feed.scope} feed",
                        f"meeting {meeting_id}",
                        True,
                        meeting_page[meeting_id],
                        exact=False,
                    )

        # Signed RSVP links: only for a person who sits for the organisation today.
        if person is not None:
            seats = Delegation.objects.filter(person=person).select_related("membership")
            for seat in seats:
                for meeting in [m for m in meetings if m.table_id == seat.membership.table_id][:3]:
                    token = rsvp_token(meeting, seat.membership, person)
                    response = Client().get(reverse("tables:rsvp-signed", args=[token]))
                    compare(
                        role,
                        "signed RSVP link",
                        meeting,
                        response.status_code == OK and b'name="response"' in response.content,
                        meeting_page[meeting.pk] and insider[meeting.table_id],
                        exact=False,
                    )

    # The shared calendar's public feed: what the anonymous public may open.
    anonymous = _client(None)
    feed = anonymous.get(reverse("tables:activity-feed"))
    assert feed.status_code == OK
    for meeting_id in _feed_meeting_ids(feed):
        page_ok = _status(anonymous, Meeting.objects.get(pk=meeting_id).get_absolute_url()) == OK
        compare("anonymous", "shared calendar feed", f"meeting {meeting_id}", True, page_ok, exact=False)

    assert leaks == [], "\n".join(leaks)
    assert compared > 2000, compared


@pytest.mark.django_db
def test_a_digest_holds_only_what_each_person_may_still_open(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """Every link of every demo person's digest opens for them; what was about a table
    they have since left is not in it."""
    settings.MEDIA_ROOT = tmp_path
    seed_whole_demo()
    # Each notification of the demo names what it is about, so that a digest can leave it
    # out later; only reminders, which gather several subjects, name none.
    kind = Notification.Kind
    reminders = {
        kind.CONVOCATION_UNANSWERED,
        kind.PROPOSAL_DEADLINE,
        kind.FOLLOW_UP_DUE,
        kind.FOLLOW_UP_OVERDUE,
        kind.MINUTES_COMMENTS_CLOSING,
        kind.PROGRESS_REPORT_DUE,
        kind.CONSULTATION_CLOSING,
    }
    about_something = Notification.objects.exclude(kind__in=reminders)
    assert about_something.filter(kind__in=[kind.PARTNER_INVITED, kind.APPLICATION_SUBMITTED]).exists()
    assert set(about_something.filter(subject_type__isnull=True).values_list("kind", flat=True)) == set()
    people = _people()
    former = people[FORMER]
    # While they sat, they were told of the draft minutes; their seat ends today.
    minutes = Minutes.objects.filter(meeting__table__slug=MAIN_SLUG).select_related("meeting__table").first()
    Notification.objects.create(
        recipient=former,
        kind=Notification.Kind.MINUTES_CIRCULATED,
        title="Projet de procès-verbal en circulation",
        url=reverse("tables:minutes-detail", args=[MAIN_SLUG, minutes.meeting_id]),
        subject_type=ContentType.objects.get_for_model(Minutes),
        subject_id=minutes.pk,
        email=Notification.Email.DAILY,
    )
    Notification.objects.filter(recipient__in=[p for p in people.values() if p]).update(
        email=Notification.Email.DAILY, read_at=None
    )
    today = timezone.localdate() + timedelta(days=1)
    site = settings.SITE_URL
    opened = 0
    told_by_role = {}
    for role, person in people.items():
        if person is None:
            continue
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            told = digest_send(person=person, today=today)
        told_by_role[role] = told
        client = _client(person)
        for message in mail.outbox:
            body = message.body
            links = [word for word in body.split() if word.startswith(site)]
            for link in links:
                path = link.removeprefix(site)
                if path.startswith("/notifications") or "unsubscribe" in path or "desabonnement" in path:
                    continue
                assert client.get(path).status_code == OK, (role, path)
                opened += 1
        if role == FORMER:
            assert not any("procès-verbal" in m.body for m in mail.outbox), (
                "the former delegate was told of the minutes"
            )
    assert opened > 0, told_by_role
