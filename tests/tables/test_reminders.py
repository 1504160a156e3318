"""Reminders between meetings: who is told of what, on which day, once, as each table chose."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Notification
from members.services.notifications import without_email
from tables.models import (
    Action,
    ActionPlan,
    Attendance,
    Axis,
    FollowUp,
    Meeting,
    Minutes,
    MinutesComment,
    Objective,
    ReminderSent,
    ReminderSettings,
)
from tables.services.reminders import reminders_send
from tests.factories import DelegationFactory, MembershipFactory
from tests.helpers import assert_reads_well

Kind = Notification.Kind


def told(kind):
    """Who was notified of `kind`, by email address."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def convened(meeting, days_ago=10):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CONVENED, convened_at=timezone.now() - timedelta(days=days_ago)
    )
    meeting.refresh_from_db()
    return meeting


def follow_up(world, organisation, due, table=None):
    table = table or world.table_a
    return FollowUp.objects.create(
        table=table,
        meeting=world.past_meeting_a if table == world.table_a else world.meeting_b,
        description="Transmettre la liste des places disponibles",
        organisation=organisation,
        due=due,
    )


# Unanswered convocation --------------------------------------------------------------------------


def test_unanswered_convocation_reminds_the_silent_organisations_people_only(world):
    # given a convened meeting of table A: org_a has not answered, another member has
    meeting = convened(world.meeting_a)
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    answered = MembershipFactory(table=world.table_a)
    answered_delegate = DelegationFactory(membership=answered).person
    Attendance.objects.create(meeting=meeting, membership=answered, response=Attendance.Response.PRESENT)
    world.meeting_b  # noqa: B018 (table B has a meeting too, not convened)

    # when the reminders go out three days before
    reminders_send(today=meeting.date - timedelta(days=3))

    # then only org_a's delegate and substitute are told, with the link to answer
    assert told(Kind.CONVOCATION_UNANSWERED) == sorted([world.delegate_a.email, substitute.email])
    assert answered_delegate.email not in told(Kind.CONVOCATION_UNANSWERED)
    assert world.delegate_b.email not in told(Kind.CONVOCATION_UNANSWERED)
    notification = Notification.objects.get(recipient=world.delegate_a)
    assert notification.url == meeting.get_absolute_url()
    assert world.org_a.name in notification.text


def test_unanswered_convocation_waits_for_n_days_before_the_meeting(world):
    meeting = convened(world.meeting_a)

    reminders_send(today=meeting.date - timedelta(days=4))
    assert told(Kind.CONVOCATION_UNANSWERED) == []

    reminders_send(today=meeting.date - timedelta(days=3))
    assert told(Kind.CONVOCATION_UNANSWERED) == [world.delegate_a.email]


def test_a_reminder_run_twice_the_same_day_tells_each_person_once(world):
    meeting = convened(world.meeting_a)
    today = meeting.date - timedelta(days=2)

    first = reminders_send(today=today)
    second = reminders_send(today=today)
    reminders_send(today=today + timedelta(days=1))

    assert [p.person for p in first] == [world.delegate_a.email]
    assert second == []
    assert told(Kind.CONVOCATION_UNANSWERED) == [world.delegate_a.email]
    assert ReminderSent.objects.filter(kind=Kind.CONVOCATION_UNANSWERED).count() == 1


def test_a_table_that_turned_a_reminder_off_sends_none(world):
    meeting = convened(world.meeting_a)
    ReminderSettings.objects.create(table=world.table_a, convocation_unanswered=False)

    reminders_send(today=meeting.date - timedelta(days=1))

    assert told(Kind.CONVOCATION_UNANSWERED) == []


def test_a_table_that_asked_for_more_days_is_reminded_earlier(world):
    meeting = convened(world.meeting_a, days_ago=20)
    ReminderSettings.objects.create(table=world.table_a, convocation_unanswered_days=7)

    reminders_send(today=meeting.date - timedelta(days=7))

    assert told(Kind.CONVOCATION_UNANSWERED) == [world.delegate_a.email]


# Proposal deadline ------------------------------------------------------------------------------


def test_proposal_deadline_reminds_everyone_invited_n_days_before_it(world):
    meeting = world.meeting_a
    other_member = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person
    deadline = timezone.localtime(meeting.proposals_deadline).date()

    reminders_send(today=deadline - timedelta(days=3))
    assert told(Kind.PROPOSAL_DEADLINE) == []

    reminders_send(today=deadline - timedelta(days=2))
    assert told(Kind.PROPOSAL_DEADLINE) == sorted([world.delegate_a.email, other_member.email])
    assert Notification.objects.filter(kind=Kind.PROPOSAL_DEADLINE).first().url == reverse(
        "tables:item-propose", args=[world.table_a.slug, meeting.pk]
    )


def test_a_private_tables_reminders_reach_its_members_and_no_outsider(world):
    meeting = world.meeting_b
    deadline = timezone.localtime(meeting.proposals_deadline).date()

    reminders_send(today=deadline - timedelta(days=1))

    assert world.delegate_b.email in told(Kind.PROPOSAL_DEADLINE)
    assert not Notification.objects.filter(recipient__in=[world.outsider, world.delegate_a]).exists()


# Follow-ups --------------------------------------------------------------------------------------


def test_follow_up_due_reminds_the_responsible_organisation_n_days_before(world):
    today = date(2026, 3, 10)
    other = MembershipFactory(table=world.table_a)
    other_delegate = DelegationFactory(membership=other).person
    follow_up(world, world.org_a, due=today + timedelta(days=3))
    follow_up(world, other.organisation, due=today + timedelta(days=4))
    follow_up(world, world.org_b, due=today + timedelta(days=3), table=world.table_b)

    reminders_send(today=today)

    assert told(Kind.FOLLOW_UP_DUE) == sorted([world.delegate_a.email, world.delegate_b.email])
    assert other_delegate.email not in told(Kind.FOLLOW_UP_DUE)
    notification = Notification.objects.get(recipient=world.delegate_a)
    assert "Transmettre la liste des places disponibles" in notification.text
    assert notification.url == reverse("tables:follow-up-list", args=[world.table_a.slug])


def test_a_follow_up_done_is_not_reminded(world):
    today = date(2026, 3, 10)
    done = follow_up(world, world.org_a, due=today + timedelta(days=1))
    FollowUp.objects.filter(pk=done.pk).update(status=FollowUp.Status.DONE)

    reminders_send(today=today)

    assert told(Kind.FOLLOW_UP_DUE) == []


def test_an_overdue_follow_up_is_reminded_the_day_after_then_every_n_days(world):
    due = date(2026, 3, 10)
    follow_up(world, world.org_a, due=due)

    sent_on = []
    for day in range(0, 16):
        today = due + timedelta(days=day)
        if any(p.kind == Kind.FOLLOW_UP_OVERDUE for p in reminders_send(today=today)):
            sent_on.append(day)

    assert sent_on == [1, 8, 15]
    assert told(Kind.FOLLOW_UP_OVERDUE) == [world.delegate_a.email] * 3
    # an overdue follow-up waits for the daily digest unless the person chose otherwise
    overdue = Notification.objects.filter(kind=Kind.FOLLOW_UP_OVERDUE)
    assert set(overdue.values_list("email", flat=True)) == {Notification.Email.DAILY}


# Draft minutes ---------------------------------------------------------------------------------


def test_draft_minutes_remind_the_organisations_that_did_not_comment_before_the_next_meeting(world):
    # given circulated minutes of last month's meeting, commented by another member
    held = world.past_meeting_a
    minutes = Minutes.objects.create(meeting=held, status=Minutes.Status.CIRCULATED)
    commenting = MembershipFactory(table=world.table_a)
    commenting_delegate = DelegationFactory(membership=commenting).person
    MinutesComment.objects.create(
        minutes=minutes,
        author=commenting_delegate,
        organisation=commenting.organisation,
        text="Coquille au point 3",
    )
    following = world.meeting_a

    # when
    reminders_send(today=following.date - timedelta(days=3))
    assert told(Kind.MINUTES_COMMENTS_CLOSING) == []
    reminders_send(today=following.date - timedelta(days=2))

    # then
    assert told(Kind.MINUTES_COMMENTS_CLOSING) == [world.delegate_a.email]
    assert Notification.objects.get(kind=Kind.MINUTES_COMMENTS_CLOSING).url == reverse(
        "tables:minutes-detail", args=[world.table_a.slug, held.pk]
    )


# Progress reports --------------------------------------------------------------------------------


def adopted_action(world, lead, adopted):
    plan = ActionPlan.objects.create(
        table=world.table_a,
        title="Plan d'action 2026-2028",
        starts=date(2026, 1, 1),
        ends=date(2028, 12, 31),
        status=ActionPlan.Status.ADOPTED,
        adopted_at=timezone.make_aware(timezone.datetime.combine(adopted, timezone.datetime.min.time())),
    )
    axis = Axis.objects.create(plan=plan, number=1, title="Accueil")
    objective = Objective.objects.create(axis=axis, number="1.1", title="Mieux accueillir")
    return Action.objects.create(objective=objective, title="Guichet unique", lead=lead)


def test_progress_report_is_asked_of_the_lead_after_n_days_without_one(world):
    adopted = date(2026, 2, 1)
    action = adopted_action(world, world.org_a, adopted)
    adopted_action(world, world.other_org, adopted)

    reminders_send(today=adopted + timedelta(days=89))
    assert told(Kind.PROGRESS_REPORT_DUE) == []
    reminders_send(today=adopted + timedelta(days=90))

    assert told(Kind.PROGRESS_REPORT_DUE) == [world.delegate_a.email]
    assert Notification.objects.get(kind=Kind.PROGRESS_REPORT_DUE).url == reverse(
        "tables:action-detail", args=[world.table_a.slug, action.objective.axis.plan_id, action.pk]
    )


# The settings page -------------------------------------------------------------------------------


def settings_data(**changes):
    data = {
        "convocation_unanswered": "on",
        "convocation_unanswered_days": "3",
        "proposal_deadline": "on",
        "proposal_deadline_days": "2",
        "follow_up_due": "on",
        "follow_up_due_days": "3",
        "follow_up_overdue": "on",
        "follow_up_overdue_days": "7",
        "minutes_comments": "on",
        "minutes_comments_days": "2",
        "progress_report": "on",
        "progress_report_days": "90",
        "consultation_unanswered": "on",
        "consultation_unanswered_days": "2",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_coordinator_saves_the_tables_reminders(world, client_for):
    url = reverse("tables:reminder-settings", args=[world.table_a.slug])

    response = client_for("coordinator").post(
        url, settings_data(convocation_unanswered_days="5", follow_up_overdue=None)
    )

    assert response.status_code == 302
    saved = ReminderSettings.objects.get(table=world.table_a)
    assert saved.convocation_unanswered_days == 5
    assert saved.follow_up_overdue is False
    assert saved.updated_by == world.coordinator


def test_coordinator_chooses_when_consultations_closing_unanswered_are_reminded(world, client_for):
    url = reverse("tables:reminder-settings", args=[world.table_a.slug])
    client = client_for("coordinator")

    page = client.get(url).content.decode()
    response = client.post(url, settings_data(consultation_unanswered=None, consultation_unanswered_days="4"))

    assert 'name="consultation_unanswered_days" value="2"' in page
    assert response.status_code == 302
    saved = ReminderSettings.objects.get(table=world.table_a)
    assert saved.consultation_unanswered is False
    assert saved.consultation_unanswered_days == 4


def test_reading_the_settings_page_writes_nothing(world, client_for):
    response = client_for("coordinator").get(reverse("tables:reminder-settings", args=[world.table_a.slug]))

    assert response.status_code == 200
    assert 'value="3"' in response.content.decode()
    assert not ReminderSettings.objects.exists()


def test_negative_days_are_refused_in_french_and_what_was_typed_stays(world, client_for):
    response = client_for("coordinator").post(
        reverse("tables:reminder-settings", args=[world.table_a.slug]),
        settings_data(follow_up_due_days="-2"),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Assurez-vous que cette valeur est supérieure ou égale à 1." in page
    assert 'name="follow_up_due_days" value="-2"' in page
    assert not ReminderSettings.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("delegate_a", 403), ("outsider", 403), ("delegate_b", 403)])
def test_only_the_coordination_opens_the_reminders_page(world, client_for, role, status):
    url = reverse("tables:reminder-settings", args=[world.table_a.slug])

    assert client_for(role).get(url).status_code == status
    assert client_for(role).post(url, settings_data()).status_code == status
    assert not ReminderSettings.objects.exists()


def test_anonymous_is_sent_to_sign_in_and_a_private_tables_page_is_not_found_for_outsiders(world, client_for):
    response = client_for("anonymous").get(reverse("tables:reminder-settings", args=[world.table_a.slug]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]

    private = reverse("tables:reminder-settings", args=[world.table_b.slug])
    assert client_for("outsider").get(private).status_code == 404
    assert client_for("coordinator").get(private).status_code == 404


def test_the_table_page_links_its_coordination_to_the_reminders(world, client_for):
    url = reverse("tables:reminder-settings", args=[world.table_a.slug])

    assert url in client_for("coordinator").get(world.table_a.get_absolute_url()).content.decode()
    assert url not in client_for("delegate_a").get(world.table_a.get_absolute_url()).content.decode()


# The command -----------------------------------------------------------------------------------


def test_dry_run_prints_one_line_per_person_and_reminder_and_writes_nothing(world):
    meeting = convened(world.meeting_a)
    substitute = DelegationFactory(membership=world.membership_a, role="substitute").person
    today = meeting.date - timedelta(days=1)
    out = StringIO()

    call_command("send_reminders", "--dry-run", "--date", today.isoformat(), stdout=out)

    lines = out.getvalue().splitlines()
    reminded = [line for line in lines if "convocation_unanswered" in line]
    assert len(reminded) == 2
    assert any(world.delegate_a.email in line and world.table_a.slug in line for line in reminded)
    assert any(substitute.email in line for line in reminded)
    assert lines[-1].endswith("would be reminded.")
    assert not Notification.objects.exists()
    assert not ReminderSent.objects.exists()


def test_the_command_sends_what_the_dry_run_printed(world):
    meeting = convened(world.meeting_a)
    today = meeting.date - timedelta(days=1)

    call_command("send_reminders", "--date", today.isoformat(), stdout=StringIO())

    assert told(Kind.CONVOCATION_UNANSWERED) == [world.delegate_a.email]


# Query count -----------------------------------------------------------------------------------


def add_members(world, count, due):
    for _ in range(count):
        membership = MembershipFactory(table=world.table_a)
        DelegationFactory(membership=membership)
        DelegationFactory(membership=membership, role="substitute")
        follow_up(world, membership.organisation, due=due)
        follow_up(world, membership.organisation, due=due - timedelta(days=10))


def queries_of_a_run(today):
    ReminderSent.objects.all().delete()
    with without_email(), CaptureQueriesContext(connection) as queries:
        planned = reminders_send(today=today)
    return len(queries), len(planned)


def test_the_query_count_of_a_run_does_not_grow_with_people_and_organisations(world):
    # given a convened meeting and follow-ups due and overdue for several members
    meeting = convened(world.meeting_a)
    today = meeting.date - timedelta(days=2)
    world.past_meeting_a  # noqa: B018 (made before counting)
    add_members(world, 2, due=today + timedelta(days=1))
    few, told_few = queries_of_a_run(today)

    # when three times as many members sit at the table
    add_members(world, 6, due=today + timedelta(days=1))
    many, told_many = queries_of_a_run(today)

    # then more people are told with the same number of queries
    assert told_many > told_few
    assert many == few, (few, many)


# As it arrives --------------------------------------------------------------------------------


def test_a_reminder_arrives_readable_with_its_unsubscribe_link(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://concertation.example.org"
    meeting = convened(world.meeting_a)

    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=meeting.date - timedelta(days=1))

    (message,) = smtp_server.to(world.delegate_a.email)
    assert_reads_well(message, domain="concertation.example.org", unsubscribe=True)
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_content()
    assert f"https://concertation.example.org{meeting.get_absolute_url()}" in text
