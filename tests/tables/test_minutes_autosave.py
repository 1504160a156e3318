"""The procès-verbal as one editing surface that saves by itself: what the server answers
to the editors' autosaves (static/js/minutes.js), field by field and note by note."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tables import services
from tables.models import Attendance, Meeting, Minutes, MinutesNote
from tests.conftest import IN_CI
from tests.factories import AgendaItemFactory, meeting_with_agenda

pytestmark = pytest.mark.django_db

AUTOSAVE = {"HX-Request": "true", "X-Minutes-Autosave": "1"}
# The values the page's opening form starts from, as its "initial-…" inputs carry them.
BLANK_INITIALS = {
    "initial-chair": "",
    "initial-opened_at": "",
    "initial-closed_at": "",
    "initial-introduction": "",
    "initial-notice_waived": "False",
}


@pytest.fixture
def meeting(world):
    """A meeting of table A held a month ago, its minutes started, org A present."""
    meeting = world.past_meeting_a
    Attendance.objects.create(meeting=meeting, membership=world.membership_a, present=True)
    services.minutes_start(meeting=meeting, by=world.coordinator)
    return meeting


def url(name, meeting, *extra):
    return reverse(name, args=[meeting.table.slug, meeting.pk, *extra])


def items(meeting):
    return list(meeting.items.retained().order_by("position"))


def note_url(meeting, item):
    return url("tables:minutes-note", meeting, item.pk)


def header_url(meeting):
    return url("tables:minutes-update", meeting)


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def header_data(**fields):
    """The opening form as the page sends it: every field, and the values it started from."""
    data = {"version": 1, "chair": "", "opened_at": "", "closed_at": "", "introduction": "", **BLANK_INITIALS}
    data.update(fields)
    return data


def adopt(world, meeting):
    minutes = Minutes.objects.get(meeting=meeting)
    later = meeting_with_agenda(world.table_a, days_ahead=-2, status=Meeting.Status.HELD)
    services.resolution_record(
        meeting=later,
        by=world.coordinator,
        text="Adopté",
        mode="consensus",
        result="consensus",
        adopts_minutes=minutes,
    )
    minutes.refresh_from_db()
    assert minutes.is_adopted


# The page ---------------------------------------------------------------------------------


def test_the_opening_and_every_item_are_edited_on_one_page_that_saves_by_itself(world, client_for, meeting):
    page = client_for("coordinator").get(url("tables:minutes-detail", meeting)).text
    forms = re.findall(r"<form [^>]*data-autosave=\"([\w-]+)\"[^>]*>", page)
    assert forms == ["header", *[f"note-{item.pk}" for item in items(meeting)]]
    for tag in re.findall(r"<form [^>]*data-autosave=[^>]*>", page):
        assert 'data-hx-trigger="submit, minutes:save"' in tag
        assert """data-hx-headers='{"X-Minutes-Autosave": "1"}'""" in tag
        assert 'method="post"' in tag  # and without JavaScript, a plain form with its button
    # A status read out to screen readers; the drafts kept per person and meeting.
    assert 'id="minutes-announcer" class="visually-hidden" role="status" aria-live="polite"' in page
    assert f'data-draft-prefix="concertation:minutes:{world.coordinator.pk}:{meeting.pk}"' in page
    # The opening starts from the values it shows, for a field-by-field save.
    assert 'name="initial-introduction"' in page
    # No inline script: the strict CSP would refuse it.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "js/minutes.js" in page


def test_readers_get_no_editor_and_no_draft_store(world, client_for, meeting):
    page = client_for("delegate_a").get(url("tables:minutes-detail", meeting)).text
    assert "data-autosave" not in page
    assert "data-draft-prefix" not in page


def test_adopted_minutes_are_read_only_on_the_page(world, client_for, meeting):
    adopt(world, meeting)
    page = client_for("coordinator").get(url("tables:minutes-detail", meeting)).text
    assert "data-autosave" not in page
    assert "<textarea" not in page


def test_the_page_costs_the_same_queries_whatever_the_number_of_items(world, client_for, meeting):
    client = client_for("coordinator")
    page = url("tables:minutes-detail", meeting)

    def count():
        client.get(page)
        with CaptureQueriesContext(connection) as context:
            response = client.get(page)
        assert response.status_code == 200
        return len(context.captured_queries)

    def add(n):
        for _ in range(n):
            AgendaItemFactory(meeting=meeting)
        services.minutes_start(meeting=meeting, by=world.coordinator)

    add(2)
    small = count()
    add(10)
    assert count() == small


# Notes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "saved"), [("fr-ca", "Enregistré à"), ("en", "Saved at")])
def test_an_autosaved_note_answers_with_its_status_and_new_version(
    world, client_for, meeting, language, saved
):
    item = items(meeting)[0]
    client = in_language(client_for("coordinator"), language)
    response = client.post(
        note_url(meeting, item), {"text": "Tour de table.", "version": 1}, headers=AUTOSAVE
    )
    assert response.status_code == 200
    assert response["X-Minutes-Status"] == "saved"
    assert "<html" not in response.text
    assert "<textarea" not in response.text  # what the person types is never swapped
    assert saved in response.text
    assert (
        f'<input type="hidden" name="version" value="2" id="note-{item.pk}-version" data-hx-swap-oob="true">'
        in (response.text)
    )
    assert MinutesNote.objects.get(item=item).text == "Tour de table."


def test_notes_of_two_items_saved_one_after_the_other_are_both_kept(world, client_for, meeting):
    first, second = items(meeting)[:2]
    client = client_for("coordinator")
    client.post(note_url(meeting, first), {"text": "Premier point", "version": 1}, headers=AUTOSAVE)
    client.post(note_url(meeting, second), {"text": "Deuxième point", "version": 1}, headers=AUTOSAVE)
    page = client.get(url("tables:minutes-detail", meeting)).text
    assert "Premier point" in page and "Deuxième point" in page


@pytest.mark.parametrize(
    ("language", "words"), [("fr-ca", "pendant que vous la modifiiez"), ("en", "while you were editing it")]
)
def test_a_stale_autosave_shows_both_texts_and_saves_nothing(world, client_for, meeting, language, words):
    # given the secretary saved the item from version 1
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    item = items(meeting)[0]
    client_for("delegate_a").post(note_url(meeting, item), {"text": "Texte de la secrétaire", "version": 1})
    # when the coordinator's editor, still on version 1, saves by itself
    client = in_language(client_for("coordinator"), language)
    response = client.post(
        note_url(meeting, item), {"text": "Texte du coordonnateur", "version": 1}, headers=AUTOSAVE
    )
    # then it is refused with both texts, the version the text was written on, and the
    # version to save on once the coordinator chose; nothing changed
    assert response.status_code == 409
    assert response["X-Minutes-Status"] == "conflict"
    assert "Texte de la secrétaire" in response.text and "Texte du coordonnateur" in response.text
    assert world.delegate_a.display_name in response.text
    assert words in response.text.replace("\u2019", "'")
    assert 'data-conflict-from="1"' in response.text
    assert f'name="version" value="2" id="note-{item.pk}-version"' in response.text
    note = MinutesNote.objects.get(item=item)
    assert (note.text, note.version) == ("Texte de la secrétaire", 2)


def test_after_a_conflict_the_chosen_text_saves_on_the_new_version(world, client_for, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    item = items(meeting)[0]
    client_for("delegate_a").post(note_url(meeting, item), {"text": "Sa version", "version": 1})
    client = client_for("coordinator")
    client.post(note_url(meeting, item), {"text": "Ma version", "version": 1}, headers=AUTOSAVE)
    response = client.post(
        note_url(meeting, item), {"text": "Sa version\n\nMa version", "version": 2}, headers=AUTOSAVE
    )
    assert response["X-Minutes-Status"] == "saved"
    assert MinutesNote.objects.get(item=item).text == "Sa version\n\nMa version"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": "x" * 20_001, "version": 1}, "20000"),
        ({"text": "Mes notes", "version": "deux"}, "Version"),
        ({"text": "Mes notes"}, "Version"),
    ],
    ids=["too long", "version not a number", "version missing"],
)
def test_a_bad_autosave_is_refused_with_a_message_and_saves_nothing(world, client_for, meeting, data, error):
    item = items(meeting)[0]
    response = client_for("coordinator").post(note_url(meeting, item), data, headers=AUTOSAVE)
    assert response.status_code == 422
    assert response["X-Minutes-Status"] == "invalid"
    assert error in response.text.replace("\u202f", "").replace("\xa0", "").replace(",", "")
    assert "<textarea" not in response.text  # the text stays as typed, in the editor
    assert 'data-hx-swap-oob="true"' not in response.text
    assert MinutesNote.objects.get(item=item).text == ""


def test_an_autosave_on_minutes_adopted_meanwhile_is_refused_and_keeps_the_text(world, client_for, meeting):
    item = items(meeting)[0]
    adopt(world, meeting)
    client = in_language(client_for("coordinator"), "fr-ca")
    response = client.post(note_url(meeting, item), {"text": "Retouche", "version": 1}, headers=AUTOSAVE)
    assert response.status_code == 409
    assert response["X-Minutes-Status"] == "locked"
    assert "il ne peut plus être modifié" in response.text
    assert "HX-Redirect" not in response  # the page stays, with what was typed
    assert MinutesNote.objects.get(item=item).text == ""
    response = client.post(header_url(meeting), header_data(introduction="Retouche"), headers=AUTOSAVE)
    assert response["X-Minutes-Status"] == "locked"
    assert Minutes.objects.get(meeting=meeting).introduction == ""


# The opening, field by field ------------------------------------------------------------------


def test_an_autosaved_opening_field_answers_with_its_status(world, client_for, meeting):
    response = client_for("coordinator").post(
        header_url(meeting), header_data(introduction="Bienvenue à tous"), headers=AUTOSAVE
    )
    assert response.status_code == 200
    assert response["X-Minutes-Status"] == "saved"
    assert "<html" not in response.text
    assert '<input type="hidden" name="version" value="2" id="minutes-version" data-hx-swap-oob="true">' in (
        response.text
    )
    # The saved field now starts from what was saved; the others are left as they were.
    assert (
        '<input type="hidden" name="initial-introduction" value="Bienvenue à tous" '
        'id="initial-minutes-introduction" data-hx-swap-oob="true">'
    ) in response.text
    assert "initial-opened_at" not in response.text
    assert Minutes.objects.get(meeting=meeting).introduction == "Bienvenue à tous"


def test_two_people_changing_different_fields_of_the_opening_both_keep_theirs(world, client_for, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    # both opened the page on version 1; the secretary records when the meeting opened
    client_for("delegate_a").post(header_url(meeting), header_data(opened_at="09:05"), headers=AUTOSAVE)
    # then the coordinator's editor saves the introduction, still from version 1, with the
    # opening time still empty in it
    response = client_for("coordinator").post(
        header_url(meeting), header_data(introduction="Bienvenue"), headers=AUTOSAVE
    )
    assert response["X-Minutes-Status"] == "saved"
    minutes = Minutes.objects.get(meeting=meeting)
    assert (minutes.opened_at.strftime("%H:%M"), minutes.introduction, minutes.version) == (
        "09:05",
        "Bienvenue",
        3,
    )


def test_two_people_changing_the_same_field_of_the_opening_see_both_values(world, client_for, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    client_for("delegate_a").post(
        header_url(meeting), header_data(introduction="Mot de la secrétaire"), headers=AUTOSAVE
    )
    response = client_for("coordinator").post(
        header_url(meeting),
        header_data(introduction="Mot du coordonnateur", opened_at="09:00"),
        headers=AUTOSAVE,
    )
    assert response.status_code == 409
    assert response["X-Minutes-Status"] == "conflict"
    assert "Mot de la secrétaire" in response.text and "Mot du coordonnateur" in response.text
    # Only the field both changed is in conflict; what to put back in it is given.
    assert 'data-field="minutes-introduction" data-value="Mot de la secrétaire"' in response.text
    assert 'data-field="minutes-opened_at"' not in response.text
    assert 'name="version" value="2" id="minutes-version"' in response.text
    minutes = Minutes.objects.get(meeting=meeting)
    assert (minutes.introduction, minutes.opened_at, minutes.version) == ("Mot de la secrétaire", None, 2)


def test_without_javascript_the_opening_conflict_keeps_what_was_typed(world, client_for, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    client_for("delegate_a").post(header_url(meeting), header_data(introduction="Mot de la secrétaire"))
    response = client_for("coordinator").post(
        header_url(meeting), header_data(introduction="Mot du coordonnateur")
    )
    assert response.status_code == 200
    assert "Mot de la secrétaire" in response.text and "Mot du coordonnateur" in response.text
    assert 'name="version" value="2"' in response.text
    assert Minutes.objects.get(meeting=meeting).introduction == "Mot de la secrétaire"


@pytest.mark.parametrize(
    ("fields", "language", "message"),
    [
        ({"opened_at": "25:99"}, "en", "Enter a valid time."),
        ({"opened_at": "10:00", "closed_at": "09:00"}, "en", "The meeting must close after it opens."),
        (
            {"opened_at": "10:00", "closed_at": "09:00"},
            "fr-ca",
            "La levée de la rencontre doit suivre son ouverture.",
        ),
        ({"chair": "__other_table__"}, "en", "Select a valid choice."),
    ],
    ids=[
        "not a time",
        "closes before it opens",
        "closes before it opens, in French",
        "chair from another table",
    ],
)
def test_a_bad_opening_autosave_is_refused_with_a_message(
    world, client_for, meeting, fields, language, message
):
    if fields.get("chair") == "__other_table__":
        fields = {**fields, "chair": world.coordinator_b.pk}
    client = in_language(client_for("coordinator"), language)
    response = client.post(
        header_url(meeting), header_data(introduction="Bienvenue", **fields), headers=AUTOSAVE
    )
    assert response.status_code == 422
    assert response["X-Minutes-Status"] == "invalid"
    assert message in response.text.replace("\u2019", "'")
    minutes = Minutes.objects.get(meeting=meeting)
    assert (minutes.version, minutes.introduction) == (1, "")


# Who may write ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "LOGIN"),
        ("outsider", 403),
        ("delegate_a", 403),
        ("delegate_b", 403),
        ("evaluator", 403),
        ("coordinator_b", 403),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
@pytest.mark.parametrize("endpoint", ["note", "header"])
def test_only_those_who_write_the_minutes_may_autosave(world, client_for, meeting, role, expected, endpoint):
    item = items(meeting)[0]
    if endpoint == "note":
        target, data = note_url(meeting, item), {"text": "Intrusion", "version": 1}
    else:
        target, data = header_url(meeting), header_data(introduction="Intrusion")
    response = client_for(role).post(target, data, headers=AUTOSAVE)
    if expected == "LOGIN":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected
    if expected != 200:
        assert "X-Minutes-Status" not in response
        assert MinutesNote.objects.get(item=item).text == ""
        assert Minutes.objects.get(meeting=meeting).introduction == ""


def test_another_tables_meeting_or_item_is_not_found(world, client_for, meeting):
    other = meeting_with_agenda(world.table_b, days_ahead=-30, status=Meeting.Status.HELD)
    services.minutes_start(meeting=other, by=world.coordinator_b)
    other_item = items(other)[0]
    client = client_for("coordinator")
    wrong_table = reverse("tables:minutes-update", args=[world.table_a.slug, other.pk])
    assert client.post(wrong_table, header_data(introduction="x"), headers=AUTOSAVE).status_code == 404
    assert (
        client.post(note_url(meeting, other_item), {"text": "x", "version": 1}, headers=AUTOSAVE).status_code
        == 404
    )
    assert MinutesNote.objects.get(item=other_item).text == ""


# Valid HTML ---------------------------------------------------------------------------------

VNU_JAR = Path(os.environ.get("VNU_JAR", Path(settings.BASE_DIR) / ".ci" / "cache" / "vnu.jar"))


def test_the_editing_page_and_its_partials_are_valid_html(world, client_for, meeting, tmp_path):
    if not (VNU_JAR.is_file() and shutil.which("java")):
        message = f"the Nu Html Checker needs java and {VNU_JAR} (bash .ci/run fetches it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    item = items(meeting)[0]
    client_for("delegate_a").post(note_url(meeting, item), {"text": "Sa version", "version": 1})
    client_for("delegate_a").post(header_url(meeting), header_data(introduction="Son mot"))
    client = client_for("coordinator")
    pages = {
        "detail": client.get(url("tables:minutes-detail", meeting)).text,
        "note": client.get(note_url(meeting, item)).text,
        "header": client.get(header_url(meeting)).text,
        "note-conflict": client.post(note_url(meeting, item), {"text": "Ma version", "version": 1}).text,
        "header-conflict": client.post(header_url(meeting), header_data(introduction="Mon mot")).text,
    }
    # The partials, inside a page as htmx puts them.
    partials = {
        "note-saved": client.post(
            note_url(meeting, item), {"text": "Sa version.", "version": 2}, headers=AUTOSAVE
        ),
        "note-stale": client.post(
            note_url(meeting, item), {"text": "Encore", "version": 1}, headers=AUTOSAVE
        ),
        "note-invalid": client.post(note_url(meeting, item), {"text": "x"}, headers=AUTOSAVE),
        "header-stale": client.post(header_url(meeting), header_data(introduction="Autre"), headers=AUTOSAVE),
        "header-invalid": client.post(header_url(meeting), header_data(opened_at="25:99"), headers=AUTOSAVE),
    }
    for name, response in partials.items():
        pages[name] = (
            '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><form>'
            f"{response.text}</form></body></html>"
        )
    for name, text in pages.items():
        (tmp_path / f"{name}.html").write_text(text)
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    problems = [
        f"{Path(m['url']).name} line {m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stderr or "{}").get("messages", [])
        if m.get("type") == "error"
    ]
    assert problems == [], "\n".join(problems)
