"""The « À faire » list of the home page: each person sees what waits on them at their own
tables, and nothing of the others; the page costs the same queries whatever the data."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from members import todo as todo_registry
from members.todo import TodoItem, todo_for
from tables import services
from tables.models import AgendaItem, Attendance, Committee, FollowUp, Meeting, Minutes
from tests.conftest import client_as
from tests.factories import (
    AgendaItemFactory,
    CoordinatorFactory,
    DelegationFactory,
    MembershipFactory,
    TableFactory,
    meeting_with_agenda,
)
from tests.site.test_query_counts import queries

pytestmark = pytest.mark.django_db


def todo(person) -> list[TodoItem]:
    """The list as a new request sees it (roles are cached on the user object)."""
    return todo_for(get_user_model().objects.get(pk=person.pk))


def propose(meeting, organisation, n=1):
    for _ in range(n):
        AgendaItemFactory(
            meeting=meeting, status=AgendaItem.Status.PROPOSED, proposed_by_organisation=organisation
        )


def follow_up(table, meeting, organisation, *, days, status=FollowUp.Status.OPEN):
    return FollowUp.objects.create(
        table=table,
        meeting=meeting,
        description="Transmettre la liste des ressources",
        organisation=organisation,
        due=timezone.localdate() + timedelta(days=days),
        status=status,
    )


def held_meeting(table, *, days_ago=30, minutes=None):
    meeting = meeting_with_agenda(table, days_ahead=-days_ago, status=Meeting.Status.HELD)
    if minutes:
        Minutes.objects.create(meeting=meeting, status=minutes)
    return meeting


def todo_section(response) -> str:
    text = response.content.decode()
    start = text.index('<section aria-labelledby="todo-title"')
    return text[start : text.index("</section>", start)]


# The coordination -------------------------------------------------------------------------


def test_coordinator_sees_the_proposals_to_decide_for_each_upcoming_meeting(world):
    # given two proposals for the next meeting of A, one already decided
    propose(world.meeting_a, world.org_a, n=2)
    AgendaItemFactory(meeting=world.meeting_a, status=AgendaItem.Status.DECLINED)
    # when
    items = todo(world.coordinator)
    # then
    assert [(i.count, i.url, i.table, i.urgency) for i in items] == [
        (
            2,
            reverse("tables:meeting-detail", args=[world.table_a.slug, world.meeting_a.pk])
            + "#proposals-title",
            "Table A",
            "normal",
        )
    ]
    assert items[0].label.startswith("2 ")


def test_proposals_for_a_meeting_within_the_week_are_marked_soon(world):
    meeting = meeting_with_agenda(world.table_a, days_ahead=3)
    propose(meeting, world.org_a)
    assert [i.urgency for i in todo(world.coordinator)] == ["soon"]


def test_proposals_of_a_held_meeting_no_longer_wait(world):
    propose(held_meeting(world.table_a), world.org_a)
    assert todo(world.coordinator) == []


def test_coordinator_sees_minutes_to_circulate_and_to_adopt(world):
    # given a draft of a held meeting, and two circulated minutes
    draft_of = held_meeting(world.table_a, days_ago=10, minutes=Minutes.Status.DRAFT)
    held_meeting(world.table_a, days_ago=40, minutes=Minutes.Status.CIRCULATED)
    held_meeting(world.table_a, days_ago=70, minutes=Minutes.Status.CIRCULATED)
    held_meeting(world.table_a, days_ago=100, minutes=Minutes.Status.ADOPTED)
    # when
    items = todo(world.coordinator)
    # then one draft opens directly, two circulated minutes open from the list of meetings
    assert sorted((i.count, i.url) for i in items) == [
        (1, reverse("tables:minutes-detail", args=[world.table_a.slug, draft_of.pk])),
        (2, reverse("tables:meeting-list", args=[world.table_a.slug])),
    ]


def test_coordinator_sees_the_overdue_follow_ups_of_the_table_filtered(world):
    meeting = held_meeting(world.table_a)
    for organisation in (world.org_a, world.other_org, None):
        follow_up(world.table_a, meeting, organisation, days=-2)
    follow_up(world.table_a, meeting, world.org_a, days=5)
    follow_up(world.table_a, meeting, world.org_a, days=-5, status=FollowUp.Status.DONE)
    items = todo(world.coordinator)
    assert [(i.count, i.url, i.urgency) for i in items] == [
        (3, reverse("tables:follow-up-list", args=[world.table_a.slug]) + "?state=overdue", "overdue")
    ]


def test_coordinator_sees_the_answers_missing_to_a_convocation(world):
    # given a convened meeting of A, to which org A and two more organisations are called
    meeting = meeting_with_agenda(world.table_a, days_ahead=20, status=Meeting.Status.CONVENED)
    MembershipFactory(table=world.table_a)
    answered = MembershipFactory(table=world.table_a)
    services.rsvp_record(
        meeting=meeting, membership=answered, response=Attendance.Response.ABSENT, by=None, via="web"
    )
    # an attendance row without an answer still counts as missing
    Attendance.objects.create(meeting=meeting, membership=world.membership_a)
    # when
    items = todo(world.coordinator)
    # then
    assert [(i.count, i.url) for i in items] == [
        (2, reverse("tables:meeting-detail", args=[world.table_a.slug, meeting.pk]))
    ]


def test_a_committee_meeting_waits_only_on_the_committees_members(world):
    committee = Committee.objects.create(table=world.table_a, name="Comité emploi")
    in_committee = MembershipFactory(table=world.table_a)
    committee.members.add(in_committee)
    meeting_with_agenda(world.table_a, days_ahead=20, status=Meeting.Status.CONVENED, committee=committee)
    assert [i.count for i in todo(world.coordinator)] == [1]
    assert todo(world.delegate_a) == []


def test_a_planned_meeting_waits_on_no_answer(world):
    meeting_with_agenda(world.table_a, days_ahead=20)
    assert todo(world.coordinator) == []


# Delegates --------------------------------------------------------------------------------


def test_delegate_is_asked_to_answer_the_convocation_until_they_do(world):
    meeting = meeting_with_agenda(world.table_a, days_ahead=5, status=Meeting.Status.CONVENED)
    MembershipFactory(table=world.table_a)  # another organisation's answer is not theirs
    items = todo(world.delegate_a)
    assert [(i.count, i.url, i.urgency) for i in items] == [
        (1, reverse("tables:meeting-detail", args=[world.table_a.slug, meeting.pk]), "soon")
    ]
    services.rsvp_record(
        meeting=meeting,
        membership=world.membership_a,
        response=Attendance.Response.PRESENT,
        by=world.delegate_a,
        via="web",
    )
    assert todo(world.delegate_a) == []


def test_delegate_sees_the_open_follow_ups_of_their_organisation_linked_to_the_filtered_list(world):
    # given three open follow-ups of org A (one late), one done, one of another organisation
    meeting = held_meeting(world.table_a)
    mine = [follow_up(world.table_a, meeting, world.org_a, days=days) for days in (-1, 20, 40)]
    follow_up(world.table_a, meeting, world.org_a, days=-3, status=FollowUp.Status.DONE)
    follow_up(world.table_a, meeting, world.other_org, days=-3)
    # when
    items = todo(world.delegate_a)
    # then
    query = urlencode({"state": "open", "organisation": world.org_a.pk})
    assert [(i.count, i.url, i.urgency) for i in items] == [
        (3, reverse("tables:follow-up-list", args=[world.table_a.slug]) + "?" + query, "overdue")
    ]
    # and the page it opens lets the delegate mark them done (with a note, on the next page)
    page = client_as(world, "delegate_a").get(items[0].url).content.decode()
    for open_follow_up in mine:
        assert reverse("tables:follow-up-complete", args=[world.table_a.slug, open_follow_up.pk]) in page


def test_follow_ups_due_within_the_week_are_marked_soon(world):
    follow_up(world.table_a, held_meeting(world.table_a), world.org_a, days=3)
    assert [i.urgency for i in todo(world.delegate_a)] == ["soon"]


# Nothing of the others' tables -------------------------------------------------------------


def fill_table_b(world):
    """Something of every kind waiting at the private table B."""
    meeting = meeting_with_agenda(world.table_b, days_ahead=5, status=Meeting.Status.CONVENED)
    propose(meeting, world.org_b, n=2)
    held = held_meeting(world.table_b, minutes=Minutes.Status.DRAFT)
    follow_up(world.table_b, held, world.org_b, days=-4)


def test_coordinator_and_delegate_of_b_see_the_items_of_b(world):
    fill_table_b(world)
    assert {i.table for i in todo(world.coordinator_b)} == {"Table B"}
    assert len(todo(world.coordinator_b)) == 4
    assert {i.table for i in todo(world.delegate_b)} == {"Table B"}
    assert len(todo(world.delegate_b)) == 2


@pytest.mark.parametrize("role", ["coordinator", "delegate_a", "evaluator", "outsider"])
def test_nothing_of_the_private_table_b_reaches_others(world, role):
    fill_table_b(world)
    assert todo(getattr(world, role)) == []


def test_delegate_of_b_sees_nothing_of_table_a(world):
    propose(world.meeting_a, world.org_a)
    Meeting.objects.filter(pk=world.meeting_a.pk).update(status=Meeting.Status.CONVENED)
    follow_up(world.table_a, held_meeting(world.table_a, minutes=Minutes.Status.DRAFT), world.org_a, days=-1)
    assert todo(world.delegate_b) == []
    assert todo(world.coordinator_b) == []


def test_an_organisation_at_two_tables_is_asked_only_where_the_person_represents_it(world):
    # given org A also sits at B, where delegate_a does not represent it
    membership = MembershipFactory(table=world.table_b, organisation=world.org_a)
    meeting = meeting_with_agenda(world.table_b, days_ahead=20, status=Meeting.Status.CONVENED)
    follow_up(world.table_b, held_meeting(world.table_b), world.org_a, days=-1)
    # then
    assert todo(world.delegate_a) == []
    # and once they do, they are
    DelegationFactory(membership=membership, person=world.delegate_a)
    assert {i.url.split("?")[0] for i in todo(world.delegate_a)} == {
        reverse("tables:meeting-detail", args=[world.table_b.slug, meeting.pk]),
        reverse("tables:follow-up-list", args=[world.table_b.slug]),
    }


# The page ----------------------------------------------------------------------------------


def test_the_home_page_lists_the_items_as_links_with_a_text_badge(world):
    follow_up(world.table_a, held_meeting(world.table_a), world.org_a, days=-1)
    section = todo_section(client_as(world, "coordinator").get(reverse("home")))
    item = todo(world.coordinator)[0]
    assert f'<a href="{item.url.replace("&", "&amp;")}">{item.label}</a>' in section
    assert 'class="badge badge-error"' in section
    assert 'class="empty"' not in section


@pytest.mark.parametrize("role", ["outsider", "delegate_a", "coordinator"])
def test_the_home_page_says_when_nothing_waits(world, role):
    section = todo_section(client_as(world, role).get(reverse("home")))
    assert 'class="empty"' in section
    assert "<li>" not in section


def test_anonymous_visitors_have_no_list(world):
    from django.contrib.auth.models import AnonymousUser

    assert todo_for(AnonymousUser()) == []
    assert 'id="todo-title"' not in client_as(world, "anonymous").get(reverse("home")).content.decode()


# The registry ------------------------------------------------------------------------------


@pytest.fixture
def providers(monkeypatch):
    """The registry with only the providers a test adds."""
    monkeypatch.setattr(todo_registry, "_providers", [])
    return todo_registry


def test_a_later_app_adds_its_items_by_registering_a_provider(world, providers):
    # given consultations, once they exist, register their provider
    def consultations(user):
        return [
            TodoItem(label="1 consultation à fermer", count=1, url="/c/1/", table="Table A"),
            TodoItem(label="0 vote", count=0, url="/v/"),
            TodoItem(label="1 consultation en retard", count=1, url="/c/2/", urgency="overdue"),
        ]

    providers.register(consultations)
    providers.register(consultations)
    # then its items are listed once, the late ones first, the empty ones left out
    assert [i.url for i in todo_for(world.coordinator)] == ["/c/2/", "/c/1/"]


def test_the_tables_provider_is_registered_at_start_up():
    from tables.selectors.todo import todo_items

    assert todo_items in todo_registry.providers()


def test_an_unknown_urgency_is_refused():
    with pytest.raises(ValueError, match="unknown urgency"):
        TodoItem(label="x", count=1, url="/", urgency="urgent")


# Query count ------------------------------------------------------------------------------


def grow(world, n):
    """n more tables coordinated by `coordinator` where delegate_a represents org A, each
    with a convened meeting, proposals, minutes of every status and follow-ups."""
    for _ in range(n):
        table = TableFactory(visibility="private")
        CoordinatorFactory(table=table, person=world.coordinator)
        membership = MembershipFactory(table=table, organisation=world.org_a)
        DelegationFactory(membership=membership, person=world.delegate_a)
        MembershipFactory(table=table)
        meeting = meeting_with_agenda(table, days_ahead=4, status=Meeting.Status.CONVENED)
        propose(meeting, world.org_a, n=2)
        for status in (Minutes.Status.DRAFT, Minutes.Status.CIRCULATED):
            held = held_meeting(table, minutes=status)
            follow_up(table, held, world.org_a, days=-3)
            follow_up(table, held, world.org_a, days=10)


@pytest.mark.parametrize("role", ["coordinator", "delegate_a"])
def test_the_home_page_costs_the_same_queries_whatever_the_number_of_items(world, role):
    client = client_as(world, role)
    grow(world, 1)
    small = queries(client, reverse("home"))
    small_items = len(todo(getattr(world, role)))
    grow(world, 4)
    large = queries(client, reverse("home"))
    assert len(todo(getattr(world, role))) > small_items
    assert large == small, f"{large} queries with more data against {small}"
