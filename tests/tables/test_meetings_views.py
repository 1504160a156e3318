import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tables import services
from tables.models import AgendaItem, Attendance, CalendarFeed, Meeting
from tables.rsvp import rsvp_token
from tests.conftest import client_as
from tests.factories import DelegationFactory, MembershipFactory, meeting_with_agenda

pytestmark = pytest.mark.django_db


def url(name, meeting, **extra):
    return reverse(f"tables:{name}", kwargs={"slug": meeting.table.slug, "pk": meeting.pk, **extra})


def meeting_form_data(**overrides):
    starts = timezone.localtime() + timedelta(days=30)
    data = {
        "title": "Rencontre d'automne",
        "starts_at": starts.strftime("%Y-%m-%dT09:30"),
        "ends_at": starts.strftime("%Y-%m-%dT12:00"),
        "place": "Salle 200",
    }
    data.update(overrides)
    return data


def test_coordinator_plans_a_meeting(world, client_for):
    response = client_for("coordinator").post(
        reverse("tables:meeting-create", args=[world.table_a.slug]), meeting_form_data()
    )
    meeting = Meeting.objects.get(title="Rencontre d'automne")
    assert response.url == meeting.get_absolute_url()
    assert meeting.items.count() == 6


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"title": ""}, {"title"}),
        ({"starts_at": "demain"}, {"starts_at"}),
        ({"ends_at": "2020-01-01T08:00"}, {"ends_at"}),
        ({"online_url": "pas une adresse"}, {"online_url"}),
        ({"title": "x" * 300}, {"title"}),
    ],
)
def test_meeting_form_bad_input_keeps_the_text_and_saves_nothing(world, client_for, overrides, fields):
    response = client_for("coordinator").post(
        reverse("tables:meeting-create", args=[world.table_a.slug]), meeting_form_data(**overrides)
    )
    assert response.status_code == 200
    assert fields <= set(response.context["form"].errors)
    assert "Salle 200" in response.text
    assert not Meeting.objects.exists()


def test_a_meeting_needs_a_place_or_a_link(world, client_for):
    response = client_for("coordinator").post(
        reverse("tables:meeting-create", args=[world.table_a.slug]), meeting_form_data(place="")
    )
    assert response.context["form"].non_field_errors()
    assert not Meeting.objects.exists()


def test_the_meeting_form_refuses_a_secretary_from_another_table(world, client_for):
    response = client_for("coordinator").post(
        reverse("tables:meeting-create", args=[world.table_a.slug]),
        meeting_form_data(secretary=world.delegate_b.pk),
    )
    assert "secretary" in response.context["form"].errors


def test_the_secretary_is_chosen_among_the_table_s_delegates_and_coordinators(world, client_for):
    gone = DelegationFactory(membership=world.membership_a, end=timezone.localdate() - timedelta(days=1))
    response = client_for("coordinator").get(reverse("tables:meeting-create", args=[world.table_a.slug]))
    people = set(response.context["form"].fields["secretary"].queryset)
    assert {world.coordinator, world.delegate_a} <= people
    assert world.delegate_b not in people and gone.person not in people
    assert len(people) == len(response.context["form"].fields["secretary"].queryset)


def test_meeting_page_shows_the_numbered_agenda_to_the_public(world, client):
    services.item_add(meeting=world.meeting_a, by=None, title="Portrait régional", kind="information")
    response = client.get(world.meeting_a.get_absolute_url())
    assert response.status_code == 200
    assert "Portrait régional" in response.text
    assert "Ouverture de la rencontre" in response.text
    assert "Quorum" not in response.text  # answers and quorum are for insiders


def test_delegate_proposes_an_item_that_the_coordinator_retains(world, client_for):
    delegate = client_for("delegate_a")
    response = delegate.post(
        url("item-propose", world.meeting_a),
        {
            "title": "Projet de jumelage",
            "kind": "decision",
            "duration_minutes": "20",
            "description": "Pour décision",
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Projet de jumelage")
    assert item.proposed_by_organisation == world.org_a and item.status == AgendaItem.Status.PROPOSED
    response = client_for("coordinator").post(
        url("item-decide", world.meeting_a, item=item.pk), {"decision": "retained"}
    )
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.RETAINED


def test_proposal_form_bad_input(world, client_for):
    response = client_for("delegate_a").post(
        url("item-propose", world.meeting_a), {"title": "", "kind": "vote", "duration_minutes": "999"}
    )
    assert {"title", "kind", "duration_minutes"} <= set(response.context["form"].errors)
    assert not AgendaItem.objects.filter(status=AgendaItem.Status.PROPOSED).exists()


def test_declined_proposal_shows_its_reason_to_the_proposer(world, client_for):
    item = services.item_propose(
        meeting=world.meeting_a, by=world.delegate_a, organisation=world.org_a, title="Idée"
    )
    client_for("coordinator").post(
        url("item-decide", world.meeting_a, item=item.pk), {"decision": "declined", "reason": "Hors mandat"}
    )
    response = client_for("delegate_a").get(world.meeting_a.get_absolute_url())
    assert "Hors mandat" in response.text


def test_declining_without_a_reason_is_refused(world, client_for):
    item = services.item_propose(
        meeting=world.meeting_a, by=world.delegate_a, organisation=world.org_a, title="Idée"
    )
    response = client_for("coordinator").post(
        url("item-decide", world.meeting_a, item=item.pk), {"decision": "declined"}
    )
    assert "reason" in response.context["form"].errors
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PROPOSED


def test_deferring_to_another_table_s_meeting_is_refused(world, client_for):
    item = services.item_propose(
        meeting=world.meeting_a, by=world.delegate_a, organisation=world.org_a, title="Idée"
    )
    response = client_for("coordinator").post(
        url("item-decide", world.meeting_a, item=item.pk),
        {"decision": "deferred", "defer_to": world.meeting_b.pk},
    )
    assert "defer_to" in response.context["form"].errors


def test_drag_and_drop_order_is_saved(world, client_for):
    ids = list(world.meeting_a.items.retained().order_by("position").values_list("pk", flat=True))
    response = client_for("coordinator").post(
        url("agenda-reorder", world.meeting_a),
        json.dumps({"items": ids[::-1], "parent": None}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (
        list(world.meeting_a.items.retained().order_by("position").values_list("pk", flat=True)) == ids[::-1]
    )


@pytest.mark.parametrize("body", ["not json", json.dumps({"items": ["a"]}), json.dumps({"items": [1, 2]})])
def test_a_bad_order_is_refused_and_changes_nothing(world, client_for, body):
    before = list(world.meeting_a.items.retained().order_by("position").values_list("pk", flat=True))
    response = client_for("coordinator").post(
        url("agenda-reorder", world.meeting_a), body, content_type="application/json"
    )
    assert response.status_code in {400, 409}
    assert "error" in response.json()
    assert list(world.meeting_a.items.retained().order_by("position").values_list("pk", flat=True)) == before


def test_an_uploaded_attachment_is_checked(world, client_for):
    fake = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for("coordinator").post(
        url("item-create", world.meeting_a),
        {"title": "Rapport", "kind": "information", "duration_minutes": "10", "attachment": fake},
    )
    assert "attachment" in response.context["form"].errors
    assert not AgendaItem.objects.filter(title="Rapport").exists()


def test_an_attachment_too_large_is_refused(world, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 10
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4 too large for the limit", content_type="application/pdf")
    response = client_for("coordinator").post(
        url("item-create", world.meeting_a),
        {"title": "Rapport", "kind": "information", "duration_minutes": "10", "attachment": upload},
    )
    assert "attachment" in response.context["form"].errors


def test_delegate_answers_for_their_organisation(world, client_for):
    client_for("delegate_a").post(
        url("meeting-answer", world.meeting_a),
        {"membership": world.membership_a.pk, "response": "substitute"},
    )
    attendance = Attendance.objects.get(meeting=world.meeting_a, membership=world.membership_a)
    assert attendance.response == "substitute" and attendance.responded_by == world.delegate_a


def test_delegate_cannot_answer_for_another_organisation(world, client_for):
    other = MembershipFactory(table=world.table_a)
    response = client_for("delegate_a").post(
        url("meeting-answer", world.meeting_a), {"membership": other.pk, "response": "absent"}
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_the_signed_link_answers_without_signing_in_after_one_click(world, client):
    link = reverse(
        "tables:rsvp-signed", args=[rsvp_token(world.meeting_a, world.membership_a, world.delegate_a)]
    )
    page = client.get(link + "?answer=absent")
    assert page.status_code == 200 and not Attendance.objects.exists()  # opening the link answers nothing
    client.post(link, {"response": "absent"})
    attendance = Attendance.objects.get()
    assert attendance.response == "absent" and attendance.responded_via == "email"


def test_a_tampered_signed_link_is_refused(world, client):
    token = rsvp_token(world.meeting_a, world.membership_a, world.delegate_a)
    response = client.post(reverse("tables:rsvp-signed", args=[token[:-2] + "xx"]), {"response": "present"})
    assert response.status_code == 404
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("ended", ["delegation", "membership"])
def test_a_signed_link_stops_working_once_the_person_no_longer_sits_for_the_organisation(
    world, client, ended
):
    # given a convocation link sent to the delegate, then their seat (or the membership) ended
    link = reverse(
        "tables:rsvp-signed", args=[rsvp_token(world.meeting_a, world.membership_a, world.delegate_a)]
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    if ended == "delegation":
        type(world.delegation_a).objects.filter(pk=world.delegation_a.pk).update(end=yesterday)
    else:
        type(world.membership_a).objects.filter(pk=world.membership_a.pk).update(left=yesterday)
    # when it is opened or used, then it is refused as the site would refuse them
    assert client.get(link).status_code == 404
    assert client.post(link, {"response": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_recording_attendance_computes_quorum(world, client_for):
    meeting = world.past_meeting_a
    response = client_for("coordinator").post(
        url("meeting-attendance", meeting),
        {
            f"m{world.membership_a.pk}-present": "on",
            f"m{world.membership_a.pk}-attendee": world.delegate_a.pk,
            f"m{world.membership_a.pk}-attendee_role": "delegate",
        },
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(meeting=meeting)
    assert attendance.present and attendance.attendee == world.delegate_a


def test_attendance_bad_input_saves_nothing(world, client_for):
    meeting = world.past_meeting_a
    prefix = f"m{world.membership_a.pk}"
    response = client_for("coordinator").post(
        url("meeting-attendance", meeting),
        {
            f"{prefix}-present": "on",
            f"{prefix}-attendee": world.delegate_b.pk,
            f"{prefix}-arrived_at": "25:99",
        },
    )
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_cancel_form_requires_a_reason(world, client_for):
    response = client_for("coordinator").post(url("meeting-cancel", world.meeting_a), {"reason": ""})
    assert "reason" in response.context["form"].errors
    world.meeting_a.refresh_from_db()
    assert world.meeting_a.status == Meeting.Status.PLANNED


def test_late_convocation_must_be_confirmed(world, client_for):
    meeting = meeting_with_agenda(world.table_a, days_ahead=3)
    DelegationFactory(membership=world.membership_a, role="substitute")
    page = client_for("coordinator").get(url("meeting-convene", meeting))
    assert page.context["warnings"]
    response = client_for("coordinator").post(url("meeting-convene", meeting), {"message": ""})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    response = client_for("coordinator").post(url("meeting-convene", meeting), {"accept_warnings": "on"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED


def test_calendar_feed_lists_my_meetings_and_stops_when_revoked(world, client_for, client):
    world.meeting_a  # noqa: B018 - create it
    client_for("delegate_a").post(reverse("tables:calendar-list"), {"scope": "person"})
    feed = CalendarFeed.objects.get(owner=world.delegate_a)
    response = client.get(feed.get_absolute_url())
    assert response["Content-Type"].startswith("text/calendar")
    assert world.meeting_a.uid in response.content.decode()
    client_for("delegate_a").post(reverse("tables:calendar-revoke", args=[feed.pk]))
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_a_table_feed_of_a_private_table_stops_when_the_person_leaves(world, client):
    world.meeting_b  # noqa: B018
    feed = CalendarFeed.objects.create(owner=world.delegate_b, scope="table", table=world.table_b)
    assert client.get(feed.get_absolute_url()).status_code == 200
    services.delegation_end(delegation=world.delegation_b)
    from members.access import forget_access

    forget_access(world.delegate_b)
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_calendar_form_needs_a_table_for_a_table_feed(world, client_for):
    response = client_for("delegate_a").post(reverse("tables:calendar-list"), {"scope": "table"})
    assert "table" in response.context["form"].errors
    assert not CalendarFeed.objects.exists()


def test_ownership_page_shows_the_member_share(world, client):
    meeting = world.past_meeting_a
    AgendaItem.objects.create(
        meeting=meeting, title="Proposé", proposed_by_organisation=world.org_a, position=50
    )
    AgendaItem.objects.create(meeting=meeting, title="Coordination", position=60)
    response = client.get(reverse("tables:ownership", args=[world.table_a.slug]))
    assert response.context["overall"].item_share == 50
    assert "<svg" in response.text


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("anonymous", "meeting-detail"),
        ("coordinator", "meeting-detail"),
        ("delegate_a", "meeting-detail"),
        ("coordinator", "meeting-attendance"),
        ("coordinator", "meeting-convene"),
    ],
)
def test_meeting_pages_query_count_does_not_grow(world, role, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(world, role)
    meeting = world.past_meeting_a if page == "meeting-attendance" else world.meeting_a
    address = url(page, meeting)

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(address)
        assert response.status_code == 200
        return len(context.captured_queries)

    def grow(n):
        for i in range(n):
            membership = MembershipFactory(table=world.table_a)
            DelegationFactory(membership=membership)
            item = (
                services.item_add(meeting=meeting, by=None, title=f"Point {i}", kind="discussion")
                if meeting.is_editable
                else None
            )
            if item:
                services.attachment_add(item=item, upload=SimpleUploadedFile(f"f{i}.txt", b"texte"), by=None)
            Attendance.objects.create(meeting=meeting, membership=membership, response="present")

    grow(2)
    small = count()
    grow(10)
    assert count() == small


def test_meeting_list_query_count_does_not_grow(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("tables:meeting-list", args=[world.table_a.slug]))
        return len(context.captured_queries)

    meeting_with_agenda(world.table_a, days_ahead=-10)
    small = count()
    for days in (-20, -30, -40, 40, 50):
        meeting_with_agenda(world.table_a, days_ahead=days)
    assert count() == small
