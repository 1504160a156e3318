from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tables import services
from tables.models import AgendaItem, Attendance, ConvocationDelivery, Meeting, StandardItem, number_items
from tables.quorum import meeting_quorum
from tables.services.meetings import notice_warning
from tests.factories import (
    DelegationFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
    meeting_with_agenda,
)

pytestmark = pytest.mark.django_db


def retained(meeting):
    return number_items(list(meeting.items.retained()))


def test_a_new_meeting_has_the_standard_items_in_order():
    meeting = meeting_with_agenda(TableFactory())
    assert [item.standard for item in retained(meeting)] == [
        StandardItem.OPENING,
        StandardItem.AGENDA_ADOPTION,
        StandardItem.MINUTES_ADOPTION,
        StandardItem.BUSINESS_ARISING,
        StandardItem.VARIA,
        StandardItem.CLOSING,
    ]


def test_the_proposals_deadline_defaults_to_before_the_notice_period():
    table = TableFactory(rules__notice_days=10)
    meeting = meeting_with_agenda(table, days_ahead=40)
    assert meeting.starts_at - meeting.proposals_deadline == timedelta(days=13)


def test_an_added_item_goes_before_other_business_and_closing():
    meeting = meeting_with_agenda(TableFactory())
    services.item_add(meeting=meeting, by=None, title="Portrait de l'immigration 2026", kind="information")
    titles = [item.display_title for item in retained(meeting)]
    assert titles.index("Portrait de l'immigration 2026") == 4
    assert [item.number for item in retained(meeting)] == ["1", "2", "3", "4", "5", "6", "7"]


def test_sub_items_are_numbered_under_their_parent():
    meeting = meeting_with_agenda(TableFactory())
    parent = services.item_add(meeting=meeting, by=None, title="Plan d'action", kind="discussion")
    services.item_add(meeting=meeting, by=None, parent=parent, title="Axe 1", kind="discussion")
    services.item_add(meeting=meeting, by=None, parent=parent, title="Axe 2", kind="discussion")
    numbers = {item.display_title: item.number for item in retained(meeting)}
    assert numbers["Axe 1"] == "5.1" and numbers["Axe 2"] == "5.2"


def test_a_sub_item_cannot_go_under_a_sub_item_or_another_meeting():
    meeting = meeting_with_agenda(TableFactory())
    parent = services.item_add(meeting=meeting, by=None, title="A", kind="discussion")
    child = services.item_add(meeting=meeting, by=None, parent=parent, title="A.1", kind="discussion")
    with pytest.raises(ValidationError):
        services.item_add(meeting=meeting, by=None, parent=child, title="A.1.1", kind="discussion")
    other = meeting_with_agenda(meeting.table, days_ahead=60)
    with pytest.raises(ValidationError):
        services.item_add(meeting=other, by=None, parent=parent, title="B", kind="discussion")


def test_a_member_proposal_waits_for_the_coordination():
    membership = MembershipFactory()
    meeting = meeting_with_agenda(membership.table)
    item = services.item_propose(
        meeting=meeting,
        by=UserFactory(),
        organisation=membership.organisation,
        title="Projet commun",
        kind="decision",
    )
    assert item.status == AgendaItem.Status.PROPOSED
    assert item.presenter == membership.organisation
    assert item not in meeting.items.retained()


def test_proposals_are_refused_after_the_deadline():
    membership = MembershipFactory()
    meeting = meeting_with_agenda(membership.table)
    meeting.proposals_deadline = timezone.now() - timedelta(hours=1)
    meeting.save()
    with pytest.raises(ValidationError):
        services.item_propose(
            meeting=meeting, by=UserFactory(), organisation=membership.organisation, title="Trop tard"
        )


def test_an_organisation_that_is_not_a_member_cannot_propose():
    meeting = meeting_with_agenda(TableFactory())
    with pytest.raises(ValidationError):
        services.item_propose(
            meeting=meeting, by=UserFactory(), organisation=OrganisationFactory(), title="X"
        )


def test_retaining_a_proposal_puts_it_on_the_agenda_and_counts_as_member_owned():
    from tables.ownership import agenda_ownership

    membership = MembershipFactory()
    meeting = meeting_with_agenda(membership.table)
    services.item_add(
        meeting=meeting, by=None, title="Point de la coordination", kind="information", duration_minutes=30
    )
    item = services.item_propose(
        meeting=meeting,
        by=UserFactory(),
        organisation=membership.organisation,
        title="Projet",
        duration_minutes=10,
    )
    services.proposal_decide(item=item, by=UserFactory(), decision=AgendaItem.Status.RETAINED)
    ownership = agenda_ownership([meeting])[meeting.pk]
    assert (ownership.items, ownership.member_items, ownership.item_share) == (2, 1, 50)
    assert (ownership.minutes, ownership.member_minutes, ownership.minute_share) == (40, 10, 25)


def test_declining_needs_a_reason_that_the_proposer_sees():
    membership = MembershipFactory()
    meeting = meeting_with_agenda(membership.table)
    item = services.item_propose(
        meeting=meeting, by=UserFactory(), organisation=membership.organisation, title="X"
    )
    with pytest.raises(ValidationError):
        services.proposal_decide(item=item, by=UserFactory(), decision=AgendaItem.Status.DECLINED)
    item = services.proposal_decide(
        item=item, by=UserFactory(), decision=AgendaItem.Status.DECLINED, reason="Déjà traité en comité"
    )
    assert item.status == AgendaItem.Status.DECLINED and item.decision_reason == "Déjà traité en comité"


def test_deferring_moves_the_proposal_to_a_later_meeting_of_the_same_table():
    membership = MembershipFactory()
    meeting = meeting_with_agenda(membership.table, days_ahead=30)
    later = meeting_with_agenda(membership.table, days_ahead=60)
    other_table = meeting_with_agenda(TableFactory(), days_ahead=50)
    item = services.item_propose(
        meeting=meeting, by=UserFactory(), organisation=membership.organisation, title="X"
    )
    with pytest.raises(ValidationError):
        services.proposal_decide(item=item, by=UserFactory(), decision="deferred", defer_to=other_table)
    item = services.proposal_decide(item=item, by=UserFactory(), decision="deferred", defer_to=later)
    assert (
        item.meeting == later and item.deferred_from == meeting and item.status == AgendaItem.Status.PROPOSED
    )


def test_reordering_requires_exactly_the_items_of_the_agenda():
    meeting = meeting_with_agenda(TableFactory())
    ids = [item.pk for item in retained(meeting)]
    services.items_reorder(meeting=meeting, ordered_ids=list(reversed(ids)))
    assert [item.pk for item in retained(meeting)] == list(reversed(ids))
    other = meeting_with_agenda(TableFactory())
    with pytest.raises(ValidationError):
        services.items_reorder(meeting=meeting, ordered_ids=[*ids[:-1], other.items.first().pk])
    with pytest.raises(ValidationError):
        services.items_reorder(meeting=meeting, ordered_ids=ids[:-1])


def test_moving_an_item_up_and_down():
    meeting = meeting_with_agenda(TableFactory())
    item = services.item_add(meeting=meeting, by=None, title="Mobile", kind="information")
    services.item_move(item=item, direction=-1)
    assert [i.display_title for i in retained(meeting)].index("Mobile") == 3
    services.item_move(item=AgendaItem.objects.get(pk=item.pk), direction=1)
    assert [i.display_title for i in retained(meeting)].index("Mobile") == 4


def test_standard_items_cannot_be_deleted():
    meeting = meeting_with_agenda(TableFactory())
    with pytest.raises(ValidationError):
        services.item_delete(item=meeting.items.get(standard=StandardItem.VARIA))


def test_the_agenda_of_a_held_meeting_is_frozen():
    meeting = meeting_with_agenda(TableFactory(), status=Meeting.Status.HELD)
    with pytest.raises(ValidationError):
        services.item_add(meeting=meeting, by=None, title="Trop tard", kind="information")


def test_convening_emails_every_delegate_and_substitute_once(django_capture_on_commit_callbacks):
    # given a table with two members, one with a substitute, and a person who sits for both
    delegate = DelegationFactory()
    table = delegate.membership.table
    DelegationFactory(membership=delegate.membership, role="substitute")
    other = MembershipFactory(table=table)
    DelegationFactory(membership=other, person=delegate.person)
    meeting = meeting_with_agenda(table, days_ahead=30)
    # when the coordinator convenes
    with django_capture_on_commit_callbacks(execute=True):
        count = services.meeting_convene(meeting=meeting, by=UserFactory(), message="Bienvenue à tous")
    # then each person gets one email with the calendar invitation and answer links
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED and meeting.convened_at
    assert count == 2 and len(mail.outbox) == 2
    message = mail.outbox[0]
    assert "Bienvenue à tous" in message.body
    assert "/rsvp/" in message.body
    assert any(name == "invitation.ics" for name, _content, _mime in message.attachments)
    assert set(ConvocationDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_convocation_email_is_in_the_person_s_language(django_capture_on_commit_callbacks):
    delegate = DelegationFactory(person__language="en")
    meeting = meeting_with_agenda(delegate.membership.table)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=UserFactory())
    assert mail.outbox[0].subject.startswith("Convocation:")
    assert "Adoption of the agenda" in mail.outbox[0].body


def test_sending_the_emails_twice_sends_each_once():
    from tables.tasks import send_meeting_emails

    delegate = DelegationFactory()
    meeting = meeting_with_agenda(delegate.membership.table)
    services.meeting_convene(meeting=meeting, by=UserFactory())
    send_meeting_emails(meeting.pk, "convocation", 1)
    send_meeting_emails(meeting.pk, "convocation", 1)
    assert len(mail.outbox) == 1


def test_notice_warning_when_the_convocation_is_late():
    table = TableFactory(rules__notice_days=10)
    soon = meeting_with_agenda(table, days_ahead=5)
    later = meeting_with_agenda(table, days_ahead=20)
    assert "10" in notice_warning(soon)
    assert notice_warning(later) == ""


def test_cancelling_a_convened_meeting_tells_everyone_why(django_capture_on_commit_callbacks):
    delegate = DelegationFactory()
    meeting = meeting_with_agenda(delegate.membership.table)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting, by=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=UserFactory(), reason="Tempête de neige")
    assert len(mail.outbox) == 2
    assert "Tempête de neige" in mail.outbox[1].body
    ics = {name: content for name, content, _mime in mail.outbox[1].attachments}["invitation.ics"].decode()
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics


def test_cancelling_needs_a_reason():
    meeting = meeting_with_agenda(TableFactory())
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, by=UserFactory(), reason="  ")


def test_a_cancelled_meeting_cannot_be_convened():
    meeting = meeting_with_agenda(TableFactory())
    services.meeting_cancel(meeting=meeting, by=UserFactory(), reason="Report")
    with pytest.raises(ValidationError):
        services.meeting_convene(meeting=meeting, by=UserFactory())


def test_changing_the_time_bumps_the_calendar_sequence():
    meeting = meeting_with_agenda(TableFactory())
    services.meeting_update(meeting=meeting, title="Autre titre")
    assert meeting.sequence == 0
    services.meeting_update(
        meeting=meeting,
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )
    assert meeting.sequence == 1


def test_quorum_forecast_counts_voting_members_who_confirmed():
    # given 5 voting members and an observer, quorum 50 % + 1 → 3
    table = TableFactory(rules__quorum_percent=50, rules__quorum_strictly_more=True)
    voting = MembershipFactory.create_batch(5, table=table)
    MembershipFactory(table=table, status="observer")
    meeting = meeting_with_agenda(table)
    for membership, answer in zip(voting, ["present", "substitute", "absent"], strict=False):
        services.rsvp_record(meeting=meeting, membership=membership, response=answer, by=None, via="web")
    quorum = meeting_quorum(meeting)
    assert (quorum.voting_members, quorum.required, quorum.confirmed, quorum.declined, quorum.unanswered) == (
        5,
        3,
        2,
        1,
        2,
    )
    assert not quorum.forecast_reached and quorum.forecast_possible


def test_quorum_uses_the_rules_in_force_on_the_meeting_day():
    table = TableFactory(rules__quorum_percent=50)
    MembershipFactory.create_batch(10, table=table)
    meeting = meeting_with_agenda(table, days_ahead=30)
    services.rules_amend(
        table=table, by=None, effective_from=(meeting.starts_at + timedelta(days=1)).date(), quorum_percent=30
    )
    assert meeting_quorum(meeting).required == 6
    later = meeting_with_agenda(table, days_ahead=60)
    assert meeting_quorum(later).required == 4


def test_substitutes_do_not_count_for_quorum_when_the_rules_say_so():
    table = TableFactory(rules__substitutes_may_vote=False)
    membership = MembershipFactory(table=table)
    meeting = meeting_with_agenda(table, days_ahead=-1, status=Meeting.Status.HELD)
    services.attendance_save(
        meeting=meeting,
        rows=[
            {
                "membership": membership,
                "present": True,
                "attendee": UserFactory(),
                "attendee_role": "substitute",
            }
        ],
    )
    assert meeting_quorum(meeting).present == 0


def test_attendance_of_an_organisation_not_called_is_refused():
    meeting = meeting_with_agenda(TableFactory(), days_ahead=-1)
    with pytest.raises(ValidationError):
        services.attendance_save(meeting=meeting, rows=[{"membership": MembershipFactory(), "present": True}])


def test_committee_meetings_call_only_the_committee_members():
    from tables.models import Committee

    table = TableFactory()
    inside, outside = MembershipFactory(table=table), MembershipFactory(table=table)
    committee = Committee.objects.create(table=table, name="Comité emploi")
    committee.members.add(inside)
    meeting = meeting_with_agenda(table, committee=committee)
    assert list(meeting.invited_memberships()) == [inside]
    assert meeting_quorum(meeting).voting_members == 1
    assert outside not in meeting.invited_memberships()


def test_answers_are_closed_once_the_meeting_is_over():
    membership = MembershipFactory()
    meeting = meeting_with_agenda(membership.table, days_ahead=-2)
    with pytest.raises(ValidationError):
        services.rsvp_record(meeting=meeting, membership=membership, response="present", by=None, via="web")
    assert not Attendance.objects.exists()
