"""Meeting clashes: meetings of tables that share member organisations, at overlapping
times — found in a fixed number of queries, shown to the coordinator planning a meeting
(without blocking), on the shared calendar, in the regional view, and to a delegate for
the organisation they represent; never naming a private table to those who may not see it.

The world: table A (public) and B (private) are in Capitale-Nationale; here table C
(public) shares org_a and `other_org` with A.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tables.models import Committee, Meeting, Membership
from tables.selectors.clashes import (
    DEFAULT_DURATION,
    clashes_between,
    detect_clashes,
    organisation_clashes,
    slot_clashes,
    upcoming_clashes,
)
from tests.conftest import client_as
from tests.factories import MembershipFactory, OrganisationFactory, TableFactory
from tests.funding.test_review_assignments import assert_valid_html

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() + timedelta(days=10)
REGION = "capitale-nationale"


@pytest.fixture(autouse=True)
def _in_french():
    with translation.override("fr-ca"):
        yield


def at(hour, minute=0, day=DAY):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def meeting(table, starts, hours=2.0, **fields):
    fields.setdefault("title", f"Rencontre de {table.name}")
    return Meeting.objects.create(
        table=table, starts_at=starts, ends_at=starts + timedelta(hours=hours), place="Québec", **fields
    )


@pytest.fixture
def table_c(world):
    """A public table sharing org_a and other_org with table A (other_org joins A too)."""
    MembershipFactory(table=world.table_a, organisation=world.other_org)
    table = TableFactory(name="Table C", slug="table-c", acronym="TC")
    for organisation in (world.org_a, world.other_org, OrganisationFactory()):
        MembershipFactory(table=table, organisation=organisation)
    return table


def upcoming(region=None):
    cache.clear()
    return upcoming_clashes(region)


def pairs(report):
    return {(clash.first.id, clash.second.id): clash.organisation_ids for clash in report.clashes}


# Detection -------------------------------------------------------------------------------------


def test_overlapping_meetings_of_tables_sharing_members_clash(world, table_c):
    first = meeting(world.table_a, at(9))
    second = meeting(table_c, at(10), hours=1)

    assert pairs(upcoming()) == {(first.pk, second.pk): {world.org_a.pk, world.other_org.pk}}


def test_meetings_that_only_touch_do_not_clash(world, table_c):
    meeting(world.table_a, at(9), hours=2)
    meeting(table_c, at(11), hours=2)

    assert upcoming().clashes == []


def test_meetings_of_tables_without_a_shared_member_do_not_clash(world):
    other = TableFactory()
    MembershipFactory(table=other)
    meeting(world.table_a, at(9))
    meeting(other, at(9))

    assert upcoming().clashes == []


def test_two_meetings_of_the_same_table_are_not_a_clash(world):
    meeting(world.table_a, at(9))
    meeting(world.table_a, at(10))

    assert upcoming().clashes == []


@pytest.mark.parametrize("status", [Meeting.Status.CANCELLED, Meeting.Status.HELD, Meeting.Status.CLOSED])
def test_cancelled_or_held_meetings_do_not_clash(world, table_c, status):
    meeting(world.table_a, at(9))
    meeting(table_c, at(9), status=status)

    assert upcoming().clashes == []


def test_a_convened_meeting_clashes_like_a_planned_one(world, table_c):
    meeting(world.table_a, at(9), status=Meeting.Status.CONVENED)
    meeting(table_c, at(9))

    assert len(upcoming().clashes) == 1


@pytest.mark.parametrize(
    ("joined", "left", "counted"),
    [
        (date(2020, 1, 1), timezone.localdate() - timedelta(days=30), False),  # left last month
        (date(2020, 1, 1), DAY, False),  # leaves on the day of the meeting
        (date(2020, 1, 1), DAY + timedelta(days=1), True),  # still a member that day
        (DAY + timedelta(days=1), None, False),  # joins after the meeting
    ],
    ids=["ended", "leaves-that-day", "leaves-after", "joins-after"],
)
def test_only_memberships_active_on_the_meetings_day_count(world, joined, left, counted):
    # given org_a's seat at table D, open or closed
    table_d = TableFactory()
    Membership.objects.create(table=table_d, organisation=world.org_a, joined=joined, left=left)
    meeting(world.table_a, at(9))
    meeting(table_d, at(9))

    # then
    assert bool(upcoming().clashes) is counted


def test_a_committee_meeting_calls_only_the_committees_members(world, table_c):
    committee = Committee.objects.create(table=table_c, name="Comité emploi")
    meeting(world.table_a, at(9))
    meeting(table_c, at(9), committee=committee)
    assert upcoming().clashes == []

    committee.members.add(Membership.objects.get(table=table_c, organisation=world.other_org))

    assert [set(c.organisation_ids) for c in upcoming().clashes] == [{world.other_org.pk}]


def test_linked_clashes_form_one_group_with_every_organisation_called_twice(world, table_c):
    # given A clashes with C (org_a, other_org) and C with D (org_d), D not with A
    org_d = OrganisationFactory()
    MembershipFactory(table=table_c, organisation=org_d)
    table_d = TableFactory()
    MembershipFactory(table=table_d, organisation=org_d)
    meeting(world.table_a, at(9), hours=1)
    meeting(table_c, at(9, 30), hours=1)
    meeting(table_d, at(10, 15), hours=1)

    # when
    groups = upcoming().groups()

    # then
    assert len(groups) == 1
    assert groups[0].organisation_ids == {world.org_a.pk, world.other_org.pk, org_d.pk}
    assert [slot.table_id for slot in groups[0].slots] == [world.table_a.pk, table_c.pk, table_d.pk]


def test_the_regional_report_keeps_to_the_tables_of_the_region(world, table_c):
    elsewhere = TableFactory(region=_region("06"))
    MembershipFactory(table=elsewhere, organisation=world.org_a)
    meeting(world.table_a, at(9))
    meeting(elsewhere, at(9))

    assert upcoming(world.table_a.region).clashes == []
    assert len(upcoming(None).clashes) == 1
    assert len(organisation_clashes([world.org_a.pk]).clashes) == 1


def test_a_typed_slot_without_an_end_lasts_the_default_duration(world, table_c):
    other = meeting(table_c, at(9) + DEFAULT_DURATION - timedelta(minutes=30))

    report = slot_clashes(table=world.table_a, starts_at=at(9), ends_at=None)

    assert [clash.second.id for clash in report.clashes] == [other.pk]
    assert report.clashes[0].organisation_ids == {world.org_a.pk, world.other_org.pk}


def test_the_calendars_month_leaves_out_meetings_that_are_over(world, table_c):
    # given two meetings of yesterday nobody marked as held, and two of tomorrow
    for days in (-1, 1):
        for table in (world.table_a, table_c):
            meeting(table, at(9, day=timezone.localdate() + timedelta(days=days)))
    today = timezone.localdate()

    # when
    report = clashes_between(today - timedelta(days=3), today + timedelta(days=3))

    # then
    assert [clash.first.day for clash in report.clashes] == [today + timedelta(days=1)]


def _region(code):
    from members.regions import ensure_regions

    return ensure_regions()[code]


# Fixed cost and cache --------------------------------------------------------------------------


def crowd(world, n):
    """n tables sharing org_a with table A, each meeting at the same time as A, plus a
    committee meeting each."""
    for _ in range(n):
        table = TableFactory()
        seat = MembershipFactory(table=table, organisation=world.org_a)
        committee = Committee.objects.create(table=table, name="Comité")
        committee.members.add(seat)
        meeting(table, at(9))
        meeting(table, at(14), committee=committee)
        meeting(world.table_a, at(14))


def detection_queries():
    since = timezone.now()
    with CaptureQueriesContext(connection) as context:
        report = detect_clashes(Meeting.objects.all(), since=since, until=since + timedelta(weeks=8))
    return len(context.captured_queries), len(report.clashes)


def test_detection_costs_the_same_queries_whatever_the_number_of_meetings(world):
    meeting(world.table_a, at(9))
    crowd(world, 2)
    small, few = detection_queries()
    crowd(world, 12)
    large, many = detection_queries()

    assert many > few
    assert large == small <= 3


def test_the_regional_clashes_are_cached_until_a_meeting_changes(world, table_c):
    meeting(world.table_a, at(9))
    region = world.table_a.region
    assert upcoming(region).clashes == []
    with CaptureQueriesContext(connection) as context:
        upcoming_clashes(region)
    assert len(context.captured_queries) == 0

    meeting(table_c, at(9))

    assert len(upcoming_clashes(region).clashes) == 1


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("admin", lambda w, m: reverse("tables:regional-overview", args=[REGION])),
        ("admin", lambda w, m: reverse("tables:regional-overview", args=["quebec"])),
        ("delegate_a", lambda w, m: reverse("tables:activity-calendar") + f"?month={DAY:%Y-%m}"),
        ("delegate_a", lambda w, m: reverse("tables:regional-mine")),
        ("coordinator", lambda w, m: reverse("tables:meeting-update", args=[w.table_a.slug, m.pk])),
    ],
    ids=["overview", "all-of-quebec", "calendar", "mine", "meeting-form"],
)
def test_pages_cost_the_same_queries_whatever_the_number_of_clashes(world, role, url):
    mine = meeting(world.table_a, at(9))
    client = client_as(world, role)

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            response = client.get(url(world, mine))
        assert response.status_code == 200
        return len(context.captured_queries)

    crowd(world, 2)
    small = count()
    crowd(world, 10)
    large = count()

    assert large == small


# The coordinator planning a meeting ------------------------------------------------------------


def form_data(starts, hours=2, **changes):
    data = {
        "title": "Rencontre de planification",
        "committee": "",
        "starts_at": timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(starts + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Québec",
        "online_url": "",
        "proposals_deadline": "",
        "secretary": "",
    }
    data.update(changes)
    return data


def test_the_meeting_form_lists_the_clashing_meetings_in_french(world, table_c):
    # given a meeting of A at the time of one of C
    mine = meeting(world.table_a, at(9))
    meeting(table_c, at(10), title="Comité des partenaires")

    # when the coordinator opens its form
    response = client_as(world, "coordinator").get(
        reverse("tables:meeting-update", args=[world.table_a.slug, mine.pk])
    )

    # then
    text = response.content.decode()
    assert "Rencontres d’autres tables au même moment" in text
    assert "Comité des partenaires" in text
    assert "2 organisations membres de cette table y siègent" in text
    assert world.org_a.name in text and world.other_org.name in text
    assert "Vous pouvez tout de même enregistrer la rencontre." in text


def test_saving_a_clashing_meeting_warns_without_blocking(world, table_c):
    meeting(table_c, at(9, 30), title="Comité des partenaires")

    response = client_as(world, "coordinator").post(
        reverse("tables:meeting-create", args=[world.table_a.slug]), form_data(at(9)), follow=True
    )

    planned = Meeting.objects.get(table=world.table_a, title="Rencontre de planification")
    assert response.redirect_chain[-1][0] == planned.get_absolute_url()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith("Cette rencontre chevauche une rencontre d’une autre table\u00a0:")
    assert "Comité des partenaires – TC" in warnings[0]
    assert "2 organisations membres de la table" in warnings[0]


def test_a_meeting_without_clash_is_saved_without_a_warning(world, table_c):
    meeting(table_c, at(14))

    response = client_as(world, "coordinator").post(
        reverse("tables:meeting-create", args=[world.table_a.slug]), form_data(at(9)), follow=True
    )

    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_checking_for_clashes_saves_nothing_and_keeps_what_was_typed(world, table_c):
    meeting(table_c, at(9), title="Comité des partenaires")
    url = reverse("tables:meeting-create", args=[world.table_a.slug])

    response = client_as(world, "coordinator").post(url, {**form_data(at(9)), "check": "1"})

    assert response.status_code == 200
    assert not Meeting.objects.filter(title="Rencontre de planification").exists()
    assert 'value="Rencontre de planification"' in response.content.decode()
    assert [line.count for line in response.context["clashes"]] == [2]


def test_checking_a_free_time_says_so(world, table_c):
    url = reverse("tables:meeting-create", args=[world.table_a.slug])

    response = client_as(world, "coordinator").post(url, {**form_data(at(9)), "check": "1"})

    assert "Aucune rencontre d’une autre table ne convoque" in response.content.decode()


def test_a_bad_form_still_shows_the_clashes_of_the_typed_time(world, table_c):
    meeting(table_c, at(9))
    url = reverse("tables:meeting-create", args=[world.table_a.slug])

    response = client_as(world, "coordinator").post(url, form_data(at(9), place="", online_url=""))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert len(response.context["clashes"]) == 1
    assert not Meeting.objects.filter(title="Rencontre de planification").exists()


# A private table is never named -----------------------------------------------------------------


@pytest.fixture
def secret(world):
    """org_a also sits on the private table B, which meets at 9 h 00 under a telling title."""
    MembershipFactory(table=world.table_b, organisation=world.org_a)
    return meeting(world.table_b, at(9), title="Restructuration confidentielle")


def test_the_coordinator_is_not_told_what_a_private_tables_meeting_is(world, secret):
    # given the coordinator of A (not of B) moves a meeting of A to 9 h 00
    mine = meeting(world.table_a, at(8), hours=0.5)
    client = client_as(world, "coordinator")
    url = reverse("tables:meeting-update", args=[world.table_a.slug, mine.pk])

    # when
    saved = client.post(url, form_data(at(9)), follow=True)
    page = client.get(url).content.decode()

    # then the clash is counted, the meeting is "another table's", nothing more
    section = page.split('id="meeting-clashes-heading"', 1)[1].split("</section>")[0]
    assert "Une rencontre d’une autre table" in section
    assert "1 organisation membre de cette table y siège" in section
    assert "Restructuration confidentielle" not in page
    for leak in ("Table B", world.table_b.slug, world.org_a.name):
        assert leak not in section
    warning = next(str(m) for m in saved.context["messages"] if m.level_tag == "warning")
    assert "Une rencontre d’une autre table" in warning
    assert "Restructuration" not in warning and "Table B" not in warning and world.org_a.name not in warning


def test_the_coordinator_of_both_tables_sees_the_private_meeting(world, secret):
    from tests.factories import CoordinatorFactory

    CoordinatorFactory(table=world.table_b, person=world.coordinator)
    mine = meeting(world.table_a, at(9))

    page = client_as(world, "coordinator").get(
        reverse("tables:meeting-update", args=[world.table_a.slug, mine.pk])
    )

    assert "Restructuration confidentielle" in page.content.decode()


@pytest.mark.parametrize("role", ["outsider", "delegate_a", "coordinator", "evaluator"])
def test_no_page_names_a_private_tables_meeting_to_those_who_may_not_see_it(world, secret, role):
    meeting(world.table_a, at(9))
    client = client_as(world, role)
    pages = [reverse("tables:activity-calendar") + f"?month={DAY:%Y-%m}"]
    if role in ("coordinator", "evaluator"):
        pages.append(reverse("tables:regional-overview", args=[REGION]))
    if role == "delegate_a":
        pages.append(reverse("tables:regional-mine"))

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Restructuration confidentielle" not in text
        assert 'data-clash-organisations="1"' in text, url


def test_insiders_of_the_private_table_see_its_meeting(world, secret):
    meeting(world.table_a, at(9))

    text = client_as(world, "admin").get(reverse("tables:regional-overview", args=[REGION])).content.decode()

    assert "Restructuration confidentielle" in text


# The shared calendar and the regional view ----------------------------------------------------


def test_the_shared_calendar_marks_each_clashing_meeting(world, table_c):
    mine = meeting(world.table_a, at(9))
    theirs = meeting(table_c, at(10), title="Comité des partenaires")
    free = meeting(table_c, at(15), title="Après-midi libre")

    response = client_as(world, "delegate_a").get(
        reverse("tables:activity-calendar"), {"month": f"{DAY:%Y-%m}"}
    )

    lines = {item.pk: item for _day, what, item in response.context["entries"] if what == "meeting"}
    assert lines[mine.pk].clash.count == lines[theirs.pk].clash.count == 2
    assert [slot.slot.id for slot in lines[mine.pk].clash.shown] == [theirs.pk]
    assert lines[free.pk].clash is None
    assert response.context["clash_count"] == 2
    assert "2 rencontres ce mois-ci chevauchent" in response.content.decode()


def test_the_regional_view_has_a_meeting_clashes_section(world, table_c):
    meeting(world.table_a, at(9))
    meeting(table_c, at(9), title="Comité des partenaires")

    response = client_as(world, "coordinator").get(reverse("tables:regional-overview", args=[REGION]))

    [line] = response.context["clash_groups"]
    assert line.count == 2
    assert line.shown.names == sorted([world.org_a.short_name, world.other_org.short_name], key=str.casefold)
    text = response.content.decode()
    assert "Conflits d’horaire entre rencontres" in text
    assert "2 organisations sont touchées." in text


# The delegate's own organisation --------------------------------------------------------------


def test_a_delegate_sees_the_load_and_clashes_of_the_organisation_they_represent(world, table_c):
    # given org_a sits at A and C, met at A last month, and is called to both at 9 h 00
    assert world.past_meeting_a.status == Meeting.Status.HELD
    meeting(world.table_a, at(9))
    meeting(table_c, at(9, 30))
    MembershipFactory(table=world.table_b, organisation=world.org_a)

    # when
    response = client_as(world, "delegate_a").get(reverse("tables:regional-mine"))

    # then
    [section] = response.context["sections"]
    assert section.organisation == world.org_a
    assert [t.name for t in section.tables] == ["Table A", "Table C"]
    assert (section.table_count, section.hidden_tables) == (3, 1)
    assert section.load.total_meetings == 1
    assert section.hours_per_month == round(3 / 12, 1)
    assert [line.count for line in section.clashes] == [2]  # org_a and other_org
    assert section.clashes[0].mine == [world.org_a.short_name]
    assert "Table B" not in response.content.decode()


def test_the_regional_index_sends_a_delegate_to_their_organisation(world):
    response = client_as(world, "delegate_a").get(reverse("tables:regional-index"))

    assert response.url == reverse("tables:regional-mine")
    assert (
        client_as(world, "delegate_a").get(reverse("tables:regional-overview", args=[REGION])).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("outsider", 403), ("coordinator", 403), ("evaluator", 403), ("admin", 403), ("delegate_b", 200)],
)
def test_only_delegates_open_the_page_of_their_organisation(world, role, status):
    assert client_as(world, role).get(reverse("tables:regional-mine")).status_code == status


def test_a_substitute_sees_the_page_of_the_organisation_they_stand_in_for(world):
    from members.models import Delegation
    from tests.factories import DelegationFactory

    substitute = DelegationFactory(membership=world.membership_a, role=Delegation.Role.SUBSTITUTE).person
    client = Client()
    client.force_login(substitute)

    response = client.get(reverse("tables:regional-mine"))

    assert [s.organisation for s in response.context["sections"]] == [world.org_a]


# Valid HTML ------------------------------------------------------------------------------------


def test_the_clash_pages_are_valid_html(world, table_c, secret, tmp_path):
    mine = meeting(world.table_a, at(9))
    meeting(table_c, at(9, 30), title="Comité des partenaires")
    pages = {}
    for language in ("fr-ca", "en"):
        for role, name, url in [
            ("coordinator", "form", reverse("tables:meeting-update", args=[world.table_a.slug, mine.pk])),
            ("coordinator", "overview", reverse("tables:regional-overview", args=[REGION])),
            ("delegate_a", "calendar", reverse("tables:activity-calendar") + f"?month={DAY:%Y-%m}"),
            ("delegate_a", "mine", reverse("tables:regional-mine")),
            ("coordinator", "index", reverse("tables:regional-index")),
        ]:
            client = client_as(world, role)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            pages[f"{language}-{name}"] = response.content.decode()
    assert_valid_html(pages, tmp_path)
