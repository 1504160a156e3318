"""The minutes pages, the register and the follow-up list, as people use them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tables import services
from tables.models import Attendance, FollowUp, Meeting, Minutes, MinutesComment, MinutesNote, Resolution
from tests.conftest import client_as
from tests.factories import AgendaItemFactory, DelegationFactory, MembershipFactory, meeting_with_agenda

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def held(table, days_ago=30, **fields):
    return meeting_with_agenda(table, days_ahead=-days_ago, status=Meeting.Status.HELD, **fields)


def start(meeting, by=None):
    return services.minutes_start(meeting=meeting, by=by)


def circulate(meeting, by):
    minutes = start(meeting, by)
    services.minutes_circulate(minutes=minutes, by=by)
    minutes.refresh_from_db()
    return minutes


def record(meeting, by, **fields):
    fields.setdefault("text", "Il est résolu d'adopter le plan d'action.")
    fields.setdefault("mode", "consensus")
    fields.setdefault("result", "consensus")
    return services.resolution_record(meeting=meeting, by=by, **fields)


def url(name, meeting, *extra):
    return reverse(name, args=[meeting.table.slug, meeting.pk, *extra])


def detail_url(meeting):
    return url("tables:minutes-detail", meeting)


def first_item(meeting):
    return meeting.items.retained().order_by("position").first()


@pytest.fixture
def meeting(world):
    """A meeting of table A held a month ago, its minutes started, org A present."""
    meeting = world.past_meeting_a
    Attendance.objects.create(meeting=meeting, membership=world.membership_a, present=True)
    start(meeting, world.coordinator)
    return meeting


# Reading ------------------------------------------------------------------------------------


def test_the_minutes_read_item_by_item_in_agenda_order(world, client_for, meeting):
    item = first_item(meeting)
    MinutesNote.objects.filter(item=item).update(text="La présidente ouvre la rencontre à 9 h 05.")
    record(meeting, world.coordinator, item=item, text="Il est résolu de tenir la rencontre.")
    response = client_for("delegate_a").get(detail_url(meeting))
    assert response.status_code == 200
    text = response.text
    assert text.index("La présidente ouvre la rencontre") < text.index("Il est résolu de tenir la rencontre.")
    assert "PROJET" in text


def test_writers_get_an_editor_under_each_item_with_its_version(world, client_for, meeting):
    response = client_for("coordinator").get(detail_url(meeting))
    editors = response.text.count("data-note-form")
    assert editors == meeting.items.retained().count()
    assert 'name="version" value="1"' in response.text


def test_readers_get_no_editor(world, client_for, meeting):
    response = client_for("delegate_a").get(detail_url(meeting))
    assert "data-note-form" not in response.text


def test_the_public_reads_adopted_minutes_of_a_table_that_publishes_them(world, client_for, meeting):
    # given minutes adopted at a later meeting of a table that publishes its minutes
    minutes = Minutes.objects.get(meeting=meeting)
    later = held(world.table_a, days_ago=2)
    record(later, world.coordinator, adopts_minutes=minutes)
    world.table_a.publish_minutes = True
    world.table_a.save()
    # when a visitor opens them
    response = client_for("anonymous").get(detail_url(meeting))
    # then they read them, without the names of the people present
    assert response.status_code == 200
    assert world.org_a.name in response.text
    assert world.delegate_a.last_name not in response.text


def test_draft_minutes_send_visitors_to_sign_in(world, client_for, meeting):
    response = client_for("anonymous").get(detail_url(meeting))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_delegate_of_another_table_cannot_read_draft_minutes(world, client_for, meeting):
    assert client_for("delegate_b").get(detail_url(meeting)).status_code == 403


def test_another_tables_meeting_id_is_not_found(world, client_for, meeting):
    other = held(world.table_b)
    start(other)
    response = client_for("coordinator").get(
        reverse("tables:minutes-detail", args=[world.table_a.slug, other.pk])
    )
    assert response.status_code == 404


# Writing notes ------------------------------------------------------------------------------


def test_a_note_saved_with_htmx_answers_with_its_editor_only(world, client_for, meeting):
    item = first_item(meeting)
    response = client_for("coordinator").post(
        url("tables:minutes-note", meeting, item.pk), {"text": "Tour de table.", "version": 1}, headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'name="version" value="2"' in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert MinutesNote.objects.get(item=item).text == "Tour de table."


def test_a_note_saved_without_javascript_goes_back_to_its_item(world, client_for, meeting):
    item = first_item(meeting)
    response = client_for("coordinator").post(
        url("tables:minutes-note", meeting, item.pk), {"text": "Tour de table.", "version": 1}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#item-{item.pk}")


def test_the_meetings_secretary_writes_the_minutes(world, client_for, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    item = first_item(meeting)
    response = client_for("delegate_a").post(
        url("tables:minutes-note", meeting, item.pk), {"text": "Notes de la secrétaire", "version": 1}
    )
    assert response.status_code == 302
    assert MinutesNote.objects.get(item=item).updated_by == world.delegate_a


def test_a_second_save_from_a_stale_version_shows_both_texts_and_saves_nothing(world, client_for, meeting):
    # given the coordinator saved the item from version 1
    item = first_item(meeting)
    note_url = url("tables:minutes-note", meeting, item.pk)
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    client_for("coordinator").post(note_url, {"text": "Texte du coordonnateur", "version": 1})
    # when the secretary saves her own text, also from version 1
    response = client_for("delegate_a").post(
        note_url, {"text": "Texte de la secrétaire", "version": 1}, headers=HTMX
    )
    # then her save is refused, both texts are on screen, and the form is based on version 2
    assert "Texte du coordonnateur" in response.text
    assert "Texte de la secrétaire" in response.text
    assert world.coordinator.display_name in response.text
    assert 'name="version" value="2"' in response.text
    assert MinutesNote.objects.get(item=item).text == "Texte du coordonnateur"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": "x" * 20_001, "version": 1}, "20000"),
        ({"text": "Mes notes", "version": "deux"}, "version"),
        ({"text": "Mes notes"}, "version"),
    ],
    ids=["too long", "version not a number", "version missing"],
)
def test_a_bad_note_is_refused_with_a_message_and_keeps_the_text(world, client_for, meeting, data, error):
    item = first_item(meeting)
    response = client_for("coordinator").post(url("tables:minutes-note", meeting, item.pk), data)
    assert response.status_code == 200
    assert error in response.text.replace("\u202f", "").replace(",", "").replace("\xa0", "")
    assert data["text"][:50] in response.text
    assert MinutesNote.objects.get(item=item).text == ""


def test_a_note_of_another_meetings_item_is_not_found(world, client_for, meeting):
    other_item = first_item(world.meeting_b)
    response = client_for("coordinator").post(
        url("tables:minutes-note", meeting, other_item.pk), {"text": "Intrus", "version": 1}
    )
    assert response.status_code == 404


def test_the_opening_is_saved_with_its_version(world, client_for, meeting):
    response = client_for("coordinator").post(
        url("tables:minutes-update", meeting),
        {"version": 1, "opened_at": "09:05", "closed_at": "11:50", "chair": world.coordinator.pk},
    )
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert (minutes.opened_at.hour, minutes.chair, minutes.version) == (9, world.coordinator, 2)


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1, "opened_at": "25:99", "introduction": "Bienvenue à tous"},
        {"version": 1, "opened_at": "10:00", "closed_at": "09:00", "introduction": "Bienvenue à tous"},
        {"version": 1, "chair": "__other_table__", "introduction": "Bienvenue à tous"},
    ],
    ids=["not a time", "closes before it opens", "chair from another table"],
)
def test_a_bad_opening_is_refused_and_keeps_what_was_typed(world, client_for, meeting, data):
    if data.get("chair") == "__other_table__":
        data = {**data, "chair": world.coordinator_b.pk}
    response = client_for("coordinator").post(url("tables:minutes-update", meeting), data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.text
    assert "Bienvenue à tous" in response.text
    assert Minutes.objects.get(meeting=meeting).version == 1


# Circulation and comments -------------------------------------------------------------------


def test_circulating_the_draft_opens_it_to_comments(world, client_for, meeting):
    response = client_for("coordinator").post(url("tables:minutes-circulate", meeting))
    assert response.status_code == 302
    assert Minutes.objects.get(meeting=meeting).status == Minutes.Status.CIRCULATED
    page = client_for("delegate_a").get(detail_url(meeting))
    assert page.text.count(reverse("tables:minutes-comment", args=[world.table_a.slug, meeting.pk])) >= 1


def test_a_delegate_comments_an_item_of_the_circulated_draft(world, client_for, meeting):
    circulate(meeting, world.coordinator)
    item = first_item(meeting)
    response = client_for("delegate_a").post(
        url("tables:minutes-comment", meeting),
        {"organisation": world.org_a.pk, "item": item.pk, "text": "Notre nom est mal orthographié."},
    )
    comment = MinutesComment.objects.get()
    assert response.status_code == 302
    assert (comment.item, comment.organisation, comment.author) == (item, world.org_a, world.delegate_a)


def test_a_delegate_of_another_table_cannot_comment(world, client_for, meeting):
    circulate(meeting, world.coordinator)
    data = {"organisation": world.org_b.pk, "text": "Je ne siège pas ici."}
    assert client_for("delegate_b").post(url("tables:minutes-comment", meeting), data).status_code == 403
    assert not MinutesComment.objects.exists()


def test_a_delegate_cannot_comment_a_private_tables_minutes(world, client_for):
    other = held(world.table_b)
    circulate(other, world.coordinator_b)
    data = {"organisation": world.org_a.pk, "text": "Intrusion"}
    assert client_for("delegate_a").post(url("tables:minutes-comment", other), data).status_code == 404


def test_a_draft_not_circulated_takes_no_comment(world, client_for, meeting):
    data = {"organisation": world.org_a.pk, "text": "Trop tôt"}
    assert client_for("delegate_a").post(url("tables:minutes-comment", meeting), data).status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 5_001}, "text"),
        ({"text": "Pour un autre organisme", "organisation": "__org_b__"}, "organisation"),
        ({"text": "Sur un point de la table B", "item": "__item_b__"}, "item"),
        ({"text": "Organisme illisible", "organisation": "abc"}, "organisation"),
    ],
    ids=["empty", "too long", "organisation not represented", "item of another meeting", "not a number"],
)
def test_a_bad_comment_is_refused_with_a_message_and_saves_nothing(world, client_for, meeting, data, field):
    circulate(meeting, world.coordinator)
    values = {"organisation": world.org_a.pk, **data}
    if values["organisation"] == "__org_b__":
        values["organisation"] = world.org_b.pk
    if values.get("item") == "__item_b__":
        values["item"] = first_item(world.meeting_b).pk
    response = client_for("delegate_a").post(url("tables:minutes-comment", meeting), values)
    assert response.status_code == 200
    assert 'class="errorlist' in response.text
    assert data["text"][:40] in response.text
    assert not MinutesComment.objects.exists()


def test_the_coordination_answers_a_comment_and_members_read_the_answer(world, client_for, meeting):
    minutes = circulate(meeting, world.coordinator)
    comment = services.comment_add(
        minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Coquille"
    )
    response = client_for("coordinator").post(
        url("tables:minutes-comment-reply", meeting, comment.pk), {"text": "Corrigé, merci."}
    )
    assert response.status_code == 302
    assert "Corrigé, merci." in client_for("delegate_a").get(detail_url(meeting)).text


def test_a_delegate_cannot_answer_in_the_secretarys_name(world, client_for, meeting):
    minutes = circulate(meeting, world.coordinator)
    comment = services.comment_add(
        minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Coquille"
    )
    response = client_for("delegate_a").post(
        url("tables:minutes-comment-reply", meeting, comment.pk), {"text": "Je me réponds"}
    )
    assert response.status_code == 403


def test_an_empty_answer_is_refused(world, client_for, meeting):
    minutes = circulate(meeting, world.coordinator)
    comment = services.comment_add(
        minutes=minutes, by=world.delegate_a, organisation=world.org_a, text="Coquille"
    )
    response = client_for("coordinator").post(
        url("tables:minutes-comment-reply", meeting, comment.pk), {"text": ""}
    )
    assert response.status_code == 200
    assert comment.replies.count() == 0


# Resolutions --------------------------------------------------------------------------------


def resolution_data(world, **overrides):
    data = {
        "text": "Il est résolu d'adopter le budget révisé.",
        "mode": "vote",
        # The factory's rules say consensus: the form asks to confirm a vote.
        "departs_from_rules": "on",
        "result": "majority",
        "votes_for": "1",
        "votes_against": "0",
        "abstentions": "0",
        "proposed_by": world.membership_a.pk,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_resolution_form_shows_the_quorum(world, client_for, meeting):
    MembershipFactory(table=world.table_a)
    response = client_for("coordinator").get(url("tables:resolution-create", meeting))
    assert response.status_code == 200
    assert "1 / 2" in response.text


def test_a_resolution_recorded_from_the_form_gets_the_next_number(world, client_for, meeting):
    item = first_item(meeting)
    response = client_for("coordinator").post(
        url("tables:resolution-create", meeting) + f"?item={item.pk}", resolution_data(world, item=item.pk)
    )
    resolution = Resolution.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"#resolution-{resolution.pk}")
    assert resolution.number == f"{meeting.date:%Y-%m}-01"
    assert (resolution.item, resolution.proposed_by, resolution.quorum_present) == (
        item,
        world.membership_a,
        1,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": None}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"votes_for": "beaucoup"}, "votes_for"),
        ({"votes_for": "1", "votes_against": "1"}, "result"),
        ({"proposed_by": "__membership_b__"}, "proposed_by"),
        ({"item": "__item_b__"}, "item"),
        ({"adopts_minutes": "__minutes_b__"}, "adopts_minutes"),
        ({"mode": "tirage au sort"}, "mode"),
    ],
    ids=[
        "text missing",
        "text too long",
        "votes not a number",
        "tie is no majority",
        "proposer from another table",
        "item of another meeting",
        "minutes of another table",
        "unknown mode",
    ],
)
def test_a_bad_resolution_is_refused_with_a_message_and_saves_nothing(
    world, client_for, meeting, overrides, field
):
    # given a form filled in with one bad value
    substitutions = {
        "__membership_b__": lambda: world.membership_b.pk,
        "__item_b__": lambda: first_item(world.meeting_b).pk,
        "__minutes_b__": lambda: start(held(world.table_b)).pk,
    }
    data = resolution_data(world, dissent="Le Carrefour demande que sa dissidence soit notée.", **overrides)
    data = {key: substitutions[value]() if value in substitutions else value for key, value in data.items()}
    # when it is sent
    response = client_for("coordinator").post(url("tables:resolution-create", meeting), data)
    # then the form comes back with the error under the field and what was typed
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert "Le Carrefour demande que sa dissidence soit notée." in response.text
    assert not Resolution.objects.exists()


def test_an_absent_organisation_is_not_offered_as_proposer(world, client_for, meeting):
    absent = MembershipFactory(table=world.table_a)
    response = client_for("coordinator").post(
        url("tables:resolution-create", meeting), resolution_data(world, proposed_by=absent.pk)
    )
    assert "proposed_by" in response.context["form"].errors
    assert not Resolution.objects.exists()


def test_adopting_earlier_minutes_from_the_form_locks_them(world, client_for, meeting):
    minutes = circulate(meeting, world.coordinator)
    later = held(world.table_a, days_ago=2)
    Attendance.objects.create(meeting=later, membership=world.membership_a, present=True)
    response = client_for("coordinator").post(
        url("tables:resolution-create", later),
        {
            "text": "Adoption du procès-verbal",
            "mode": "consensus",
            "result": "consensus",
            "adopts_minutes": minutes.pk,
        },
    )
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.is_adopted
    page = client_for("coordinator").get(detail_url(meeting))
    assert "data-note-form" not in page.text


def test_adopted_minutes_send_the_editors_back_with_a_message(world, client_for, meeting):
    minutes = Minutes.objects.get(meeting=meeting)
    record(held(world.table_a, days_ago=2), world.coordinator, adopts_minutes=minutes)
    item = first_item(meeting)
    response = client_for("coordinator").post(
        url("tables:minutes-note", meeting, item.pk), {"text": "Retouche", "version": 1}, follow=True
    )
    assert "cannot be changed" in response.text or "ne peut" in response.text or "ne peuvent" in response.text
    assert MinutesNote.objects.get(item=item).text == ""


def test_an_editor_open_on_minutes_adopted_meanwhile_reloads_the_page(world, client_for, meeting):
    minutes = Minutes.objects.get(meeting=meeting)
    record(held(world.table_a, days_ago=2), world.coordinator, adopts_minutes=minutes)
    item = first_item(meeting)
    response = client_for("coordinator").post(
        url("tables:minutes-note", meeting, item.pk), {"text": "Retouche", "version": 1}, headers=HTMX
    )
    assert response["HX-Redirect"] == detail_url(meeting)
    assert MinutesNote.objects.get(item=item).text == ""


def test_a_resolution_is_amended_while_the_minutes_are_a_draft(world, client_for, meeting):
    resolution = record(meeting, world.coordinator)
    response = client_for("coordinator").post(
        reverse("tables:resolution-update", args=[world.table_a.slug, resolution.pk]),
        resolution_data(world, text="Texte amendé"),
    )
    resolution.refresh_from_db()
    assert response.status_code == 302
    assert resolution.text == "Texte amendé"


def test_a_resolution_is_deleted_after_confirmation(world, client_for, meeting):
    resolution = record(meeting, world.coordinator)
    delete_url = reverse("tables:resolution-delete", args=[world.table_a.slug, resolution.pk])
    assert resolution.number in client_for("coordinator").get(delete_url).text
    client_for("coordinator").post(delete_url)
    assert not Resolution.objects.exists()


def test_another_tables_resolution_id_is_not_found(world, client_for):
    other = record(held(world.table_b), world.coordinator_b)
    response = client_for("coordinator").get(
        reverse("tables:resolution-update", args=[world.table_a.slug, other.pk])
    )
    assert response.status_code == 404


# The register -------------------------------------------------------------------------------


@pytest.fixture
def register(world, meeting):
    """Three resolutions of table A: two in 2025 minutes, one rejected."""
    first = record(meeting, world.coordinator, text="Il est résolu d'adopter le plan d'action 2025-2028.")
    second = record(
        meeting,
        world.coordinator,
        text="Il est résolu de financer la halte-garderie.",
        mode="vote",
        departs_from_rules=True,
        result="rejected",
        votes_for=0,
        votes_against=1,
    )
    return first, second


def test_the_register_finds_resolutions_by_their_text(world, client_for, register):
    first, second = register
    response = client_for("delegate_a").get(
        reverse("tables:resolution-list", args=[world.table_a.slug]), {"q": "halte"}
    )
    assert second.number in response.text
    assert first.number not in response.text


def test_the_register_filters_by_result(world, client_for, register):
    _first, second = register
    response = client_for("coordinator").get(
        reverse("tables:resolution-list", args=[world.table_a.slug]), {"result": "rejected"}
    )
    assert list(response.context["page"].object_list) == [second]


def test_the_register_filters_by_year(world, client_for, register):
    year = register[0].number[:4]
    register_url = reverse("tables:resolution-list", args=[world.table_a.slug])
    assert response_count(client_for("coordinator").get(register_url, {"year": year})) == 2
    response = client_for("coordinator").get(register_url, {"year": "1999"})
    assert response.status_code == 200
    assert "year" in response.context["filter"].form.errors


def response_count(response):
    return response.context["page"].paginator.count


def test_the_register_answers_htmx_with_the_results_only(world, client_for, register):
    response = client_for("coordinator").get(
        reverse("tables:resolution-list", args=[world.table_a.slug]), {"q": "plan"}, headers=HTMX
    )
    assert "<html" not in response.text
    assert register[0].number in response.text


def test_the_public_register_lists_only_resolutions_of_adopted_minutes(world, client_for, register, meeting):
    # given a publishing table whose earlier minutes are adopted by a later meeting
    world.table_a.publish_minutes = True
    world.table_a.save()
    later = held(world.table_a, days_ago=2)
    adoption = record(later, world.coordinator, adopts_minutes=Minutes.objects.get(meeting=meeting))
    # when a visitor reads the register
    response = client_for("anonymous").get(reverse("tables:resolution-list", args=[world.table_a.slug]))
    # then the resolutions of the adopted minutes are there, the draft's adoption is not
    numbers = {resolution.number for resolution in response.context["page"].object_list}
    assert numbers == {register[0].number, register[1].number}
    assert adoption.number not in numbers


# Follow-ups ---------------------------------------------------------------------------------


@pytest.fixture
def follow_ups(world, meeting):
    today = timezone.localdate()
    other = MembershipFactory(table=world.table_a).organisation
    overdue = services.followup_create(
        meeting=meeting,
        by=world.coordinator,
        description="Bilan en retard",
        organisation=world.org_a,
        due=today - timedelta(days=2),
    )
    later = services.followup_create(
        meeting=meeting,
        by=world.coordinator,
        description="Plan à venir",
        organisation=other,
        due=today + timedelta(days=20),
    )
    done = services.followup_create(
        meeting=meeting, by=world.coordinator, description="Déjà fait", organisation=world.org_a
    )
    services.followup_complete(follow_up=done, by=world.coordinator)
    return {"overdue": overdue, "later": later, "done": done, "other": other}


def listed(client, world, **params):
    response = client.get(reverse("tables:follow-up-list", args=[world.table_a.slug]), params)
    assert response.status_code == 200
    return {follow_up.description for follow_up in response.context["page"].object_list}


def test_the_follow_up_list_shows_open_ones_first_of_all(world, client_for, follow_ups):
    assert listed(client_for("coordinator"), world) == {"Bilan en retard", "Plan à venir"}


def test_the_follow_up_list_filters_the_overdue_ones(world, client_for, follow_ups):
    assert listed(client_for("coordinator"), world, state="overdue") == {"Bilan en retard"}


def test_the_follow_up_list_filters_the_done_ones(world, client_for, follow_ups):
    assert listed(client_for("coordinator"), world, state="done") == {"Déjà fait"}


def test_the_follow_up_list_filters_by_organisation(world, client_for, follow_ups):
    assert listed(client_for("delegate_a"), world, state="", organisation=follow_ups["other"].pk) == {
        "Plan à venir"
    }


def test_the_follow_up_list_ignores_another_tables_organisation(world, client_for, follow_ups):
    response = client_for("coordinator").get(
        reverse("tables:follow-up-list", args=[world.table_a.slug]), {"organisation": world.org_b.pk}
    )
    assert "organisation" in response.context["filter"].form.errors


def test_overdue_follow_ups_are_flagged(world, client_for, follow_ups):
    response = client_for("coordinator").get(reverse("tables:follow-up-list", args=[world.table_a.slug]))
    assert response.text.count('class="overdue"') == 1


def test_a_delegate_marks_their_organisations_follow_up_done(world, client_for, follow_ups):
    follow_up = follow_ups["overdue"]
    response = client_for("delegate_a").post(
        reverse("tables:follow-up-complete", args=[world.table_a.slug, follow_up.pk]),
        {"note": "Envoyé hier."},
    )
    follow_up.refresh_from_db()
    assert response.status_code == 302
    assert (follow_up.status, follow_up.closing_note) == (FollowUp.Status.DONE, "Envoyé hier.")


def test_a_delegate_cannot_mark_another_organisations_follow_up_done(world, client_for, follow_ups):
    follow_up = follow_ups["later"]
    response = client_for("delegate_a").post(
        reverse("tables:follow-up-complete", args=[world.table_a.slug, follow_up.pk])
    )
    follow_up.refresh_from_db()
    assert response.status_code == 403
    assert follow_up.status == FollowUp.Status.OPEN


def test_marking_done_goes_back_only_to_a_page_of_this_site(world, client_for, follow_ups):
    response = client_for("delegate_a").post(
        reverse("tables:follow-up-complete", args=[world.table_a.slug, follow_ups["overdue"].pk]),
        {"next": "https://evil.example.com/"},
    )
    assert response.url == reverse("tables:follow-up-list", args=[world.table_a.slug])


def test_a_follow_up_is_recorded_under_an_item(world, client_for, meeting):
    item = first_item(meeting)
    due = timezone.localdate() + timedelta(days=30)
    response = client_for("coordinator").post(
        url("tables:follow-up-create", meeting) + f"?item={item.pk}",
        {
            "description": "Écrire au ministère",
            "organisation": world.org_a.pk,
            "item": item.pk,
            "due": due.isoformat(),
        },
    )
    follow_up = FollowUp.objects.get()
    assert response.status_code == 302
    assert (follow_up.item, follow_up.organisation, follow_up.due) == (item, world.org_a, due)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x" * 10_001}, "description"),
        ({"due": "le mois prochain"}, "due"),
        ({"organisation": "__org_b__"}, "organisation"),
        ({"item": "__item_b__"}, "item"),
        ({"resolution": "__resolution_b__"}, "resolution"),
    ],
    ids=[
        "missing",
        "too long",
        "not a date",
        "organisation of another table",
        "item of another meeting",
        "resolution of another table",
    ],
)
def test_a_bad_follow_up_is_refused_with_a_message_and_saves_nothing(
    world, client_for, meeting, overrides, field
):
    substitutions = {
        "__org_b__": lambda: world.org_b.pk,
        "__item_b__": lambda: first_item(world.meeting_b).pk,
        "__resolution_b__": lambda: record(held(world.table_b), world.coordinator_b).pk,
    }
    data = {"description": "Relancer la Ville de Québec", "organisation": world.org_a.pk, **overrides}
    data = {key: substitutions[value]() if value in substitutions else value for key, value in data.items()}
    response = client_for("coordinator").post(url("tables:follow-up-create", meeting), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert data["description"][:30] in response.text
    assert not FollowUp.objects.exists()


def test_the_follow_up_form_freezes_the_commitment_of_adopted_minutes(world, client_for, meeting):
    follow_up = services.followup_create(
        meeting=meeting, by=world.coordinator, description="Rapport", organisation=world.org_a
    )
    record(
        held(world.table_a, days_ago=2),
        world.coordinator,
        adopts_minutes=Minutes.objects.get(meeting=meeting),
    )
    due = timezone.localdate() + timedelta(days=60)
    response = client_for("coordinator").post(
        reverse("tables:follow-up-update", args=[world.table_a.slug, follow_up.pk]),
        {
            "description": "Autre engagement",
            "organisation": world.org_a.pk,
            "due": due.isoformat(),
            "status": "open",
        },
    )
    follow_up.refresh_from_db()
    assert response.status_code == 302
    assert (follow_up.description, follow_up.due) == ("Rapport", due)


# Query counts -------------------------------------------------------------------------------


def grow(world, meeting, n):
    """n more organisations present, items with notes, resolutions, follow-ups, comments and
    answers, in the minutes of `meeting`, and n more meetings in the register."""
    minutes = Minutes.objects.get(meeting=meeting)
    for i in range(n):
        membership = MembershipFactory(table=world.table_a)
        DelegationFactory(membership=membership)
        Attendance.objects.create(
            meeting=meeting, membership=membership, present=True, attendee=world.outsider
        )
        item = AgendaItemFactory(meeting=meeting, status="retained", presenter=membership.organisation)
        start(meeting)
        MinutesNote.objects.filter(item=item).update(text=f"Notes {i}", updated_by=world.coordinator)
        resolution = record(
            meeting,
            world.coordinator,
            item=item,
            proposed_by=membership,
            mode="vote",
            departs_from_rules=True,
            result="majority",
            votes_for=1,
            votes_against=0,
            dissenting=[world.membership_a],
        )
        services.followup_create(
            meeting=meeting,
            by=world.coordinator,
            description=f"Suivi {i}",
            organisation=membership.organisation,
            item=item,
            resolution=resolution,
        )
        comment = services.comment_add(
            minutes=minutes, by=world.delegate_a, organisation=world.org_a, text=f"Commentaire {i}", item=item
        )
        services.comment_reply(comment=comment, by=world.coordinator, text=f"Réponse {i}")
        other = held(world.table_a, days_ago=60 + i)
        record(other, world.coordinator, text=f"Résolution ancienne {i}")


def count_queries(client, page_url, **params):
    # A first request fills the process-wide caches (content types), as in production.
    client.get(page_url, params)
    with CaptureQueriesContext(connection) as context:
        response = client.get(page_url, params)
    assert response.status_code == 200, page_url
    return len(context.captured_queries)


PAGES = [
    ("coordinator", lambda w, m: detail_url(m), {}),
    ("delegate_a", lambda w, m: detail_url(m), {}),
    ("coordinator", lambda w, m: url("tables:resolution-create", m), {}),
    ("coordinator", lambda w, m: reverse("tables:resolution-list", args=[w.table_a.slug]), {}),
    ("delegate_a", lambda w, m: reverse("tables:resolution-list", args=[w.table_a.slug]), {"q": "Il est"}),
    ("coordinator", lambda w, m: reverse("tables:follow-up-list", args=[w.table_a.slug]), {}),
    ("delegate_a", lambda w, m: reverse("tables:follow-up-list", args=[w.table_a.slug]), {"state": ""}),
    ("coordinator", lambda w, m: url("tables:follow-up-create", m), {}),
]


@pytest.mark.parametrize(("role", "page", "params"), PAGES, ids=lambda v: v if isinstance(v, str) else None)
def test_query_count_of_the_minutes_pages_does_not_grow_with_the_data(world, meeting, role, page, params):
    # given circulated minutes with some of everything
    circulate(meeting, world.coordinator)
    client = client_as(world, role)
    grow(world, meeting, 2)
    small = count_queries(client, page(world, meeting), **params)
    # when there is much more of everything
    grow(world, meeting, 8)
    large = count_queries(client, page(world, meeting), **params)
    # then the page costs the same
    assert large == small, f"{large} queries with more data against {small}"


def test_query_count_of_published_minutes_does_not_grow_with_the_data(world, meeting):
    minutes = circulate(meeting, world.coordinator)
    grow(world, meeting, 2)
    record(held(world.table_a, days_ago=2), world.coordinator, adopts_minutes=minutes)
    world.table_a.publish_minutes = True
    world.table_a.save()
    client = client_as(world, "anonymous")
    small = count_queries(client, detail_url(meeting))
    for i in range(6):
        item = AgendaItemFactory(meeting=meeting, status="retained")
        MinutesNote.objects.create(minutes=minutes, item=item, text=f"Note {i}")
        Resolution.objects.create(
            table=world.table_a,
            meeting=meeting,
            item=item,
            number=f"1999-01-{i + 10}",
            sequence=i + 10,
            text="Ajout",
            mode="consensus",
            result="consensus",
        )
    large = count_queries(client, detail_url(meeting))
    assert large == small
