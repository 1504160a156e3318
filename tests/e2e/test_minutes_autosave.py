"""End to end in headless Chromium: the minutes save by themselves, survive a reload and a
lost connection, and two people writing the same item at once both keep their text."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tables import services
from tables.models import Meeting, MinutesNote
from tests.e2e.conftest import ConsoleWatch

pytestmark = [pytest.mark.needs_chromium, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SAVED = "Enregistré à"
OFFLINE = "Hors ligne — le brouillon est gardé dans ce navigateur."


@pytest.fixture
def meeting(world):
    meeting = world.past_meeting_a
    services.minutes_start(meeting=meeting, by=world.coordinator)
    return meeting


def minutes_page(live_server, meeting):
    return live_server.url + reverse("tables:minutes-detail", args=[meeting.table.slug, meeting.pk])


def signed_in_page(browser, live_server, user, **options):
    """A page of a browser context signed in as `user` (its session cookie, in French)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="fr-CA", **options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr-ca", "url": live_server.url},
        ]
    )
    return context.new_page()


def items(meeting):
    return list(meeting.items.retained().order_by("position"))


def note(item):
    return MinutesNote.objects.get(item=item).text


def csp_errors(console):
    return [e for e in console.errors if "Content Security Policy" in e or "Refused to" in e]


def test_notes_typed_in_two_items_are_saved_by_themselves_and_found_after_a_reload(
    live_server, browser, world, meeting
):
    first, second = items(meeting)[:2]
    page = signed_in_page(browser, live_server, world.coordinator)
    console = ConsoleWatch(page)
    page.goto(minutes_page(live_server, meeting))
    # Typing in one item, then in another, without pressing any button.
    page.locator(f"#note-{first.pk}-text").press_sequentially("La présidente ouvre la rencontre.")
    page.locator(f"#note-{second.pk}-text").press_sequentially("Tour de table des membres.")
    page.locator(f"#note-{first.pk}-status").get_by_text(SAVED).wait_for()
    page.locator(f"#note-{second.pk}-status").get_by_text(SAVED).wait_for()
    # The opening saves the same way, field by field.
    page.locator("#minutes-introduction").press_sequentially("Bienvenue à toutes et à tous.")
    page.locator("#minutes-opened_at").focus()
    page.locator("#minutes-header-status").get_by_text(SAVED).wait_for()
    assert (note(first), note(second)) == ("La présidente ouvre la rencontre.", "Tour de table des membres.")

    page.reload()
    assert page.input_value(f"#note-{first.pk}-text") == "La présidente ouvre la rencontre."
    assert page.input_value(f"#note-{second.pk}-text") == "Tour de table des membres."
    assert page.input_value("#minutes-introduction") == "Bienvenue à toutes et à tous."
    assert console.errors == []


def test_text_typed_while_the_server_is_unreachable_comes_back_after_a_reload(
    live_server, browser, world, meeting
):
    item = items(meeting)[0]
    page = signed_in_page(browser, live_server, world.coordinator)
    console = ConsoleWatch(page)
    dialogs = []

    def leave(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.goto(minutes_page(live_server, meeting))

    # The server cannot be reached for the saves.
    def unreachable(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/minutes/**", unreachable)
    editor = page.locator(f"#note-{item.pk}-text")
    editor.press_sequentially("Notes prises hors ligne.")
    page.locator(f"#note-{item.pk}-status").get_by_text(OFFLINE).wait_for()
    assert page.locator("#minutes-announcer").inner_text() == OFFLINE
    assert note(item) == ""

    # Leaving warns of the unsaved text; the page comes back with the draft put back.
    page.reload()
    assert dialogs == ["beforeunload"]
    assert page.input_value(f"#note-{item.pk}-text") == "Notes prises hors ligne."

    # When the server answers again, the draft is saved and cleared from the browser.
    page.unroute("**/minutes/**")
    page.locator(f"#note-{item.pk}-status").get_by_text(SAVED).wait_for(timeout=30000)
    assert note(item) == "Notes prises hors ligne."
    drafts = page.evaluate(
        "() => Object.keys(localStorage).filter((key) => key.startsWith('concertation:minutes:'))"
    )
    assert drafts == []
    assert csp_errors(console) == []


def test_two_people_writing_the_same_item_at_once_both_keep_their_text(live_server, browser, world, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(secretary=world.delegate_a)
    item = items(meeting)[0]
    secretary = signed_in_page(browser, live_server, world.delegate_a)
    coordinator = signed_in_page(browser, live_server, world.coordinator)
    consoles = [ConsoleWatch(secretary), ConsoleWatch(coordinator)]
    secretary.goto(minutes_page(live_server, meeting))
    coordinator.goto(minutes_page(live_server, meeting))
    # The secretary's text is saved first.
    secretary.locator(f"#note-{item.pk}-text").press_sequentially("Texte de la secrétaire.")
    secretary.locator(f"#note-{item.pk}-status").get_by_text(SAVED).wait_for()
    # The coordinator's editor, opened before, saves on a stale version: both texts shown,
    # the coordinator's kept in the editor, nothing overwritten.
    coordinator.locator(f"#note-{item.pk}-text").press_sequentially("Texte du coordonnateur.")
    conflict = coordinator.locator(f"#note-{item.pk}-status [data-conflict]")
    conflict.wait_for()
    assert "Texte de la secrétaire." in conflict.inner_text()
    assert coordinator.input_value(f"#note-{item.pk}-text") == "Texte du coordonnateur."
    assert note(item) == "Texte de la secrétaire."
    # Typing on does not save over the other text while the choice is pending.
    coordinator.locator(f"#note-{item.pk}-text").press_sequentially(" Suite.")
    coordinator.wait_for_timeout(3500)
    assert note(item) == "Texte de la secrétaire."
    # Both texts are kept.
    conflict.get_by_role("button", name="Mettre les deux textes dans l’éditeur").click()
    coordinator.locator(f"#note-{item.pk}-status").get_by_text(SAVED).wait_for()
    assert note(item) == "Texte de la secrétaire.\n\nTexte du coordonnateur. Suite."
    # The refused save is a 409, which the browser logs; nothing else may be.
    assert [e for c in consoles for e in c.errors if "409 (Conflict)" not in e] == []


def test_a_draft_older_than_the_saved_text_is_offered_beside_it(live_server, browser, world, meeting):
    item = items(meeting)[0]
    # Playwright puts axe in with a script tag of its own, which the CSP would refuse.
    page = signed_in_page(browser, live_server, world.coordinator, bypass_csp=True)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(minutes_page(live_server, meeting))
    page.route(
        "**/minutes/**", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
    )
    page.locator(f"#note-{item.pk}-text").press_sequentially("Mon brouillon.")
    page.locator(f"#note-{item.pk}-status").get_by_text(OFFLINE).wait_for()
    # Meanwhile someone else saves the item.
    services.note_save(
        note=MinutesNote.objects.get(item=item),
        text="Texte plus récent.",
        expected_version=1,
        by=world.delegate_a,
    )
    page.reload()
    page.unroute("**/minutes/**")
    # The newer text is in the editor; the draft is offered beside it, not put over it.
    offer = page.locator(f"#note-{item.pk} [data-draft-offer]")
    offer.wait_for()
    assert page.input_value(f"#note-{item.pk}-text") == "Texte plus récent."
    assert "Mon brouillon." in offer.inner_text()
    page.wait_for_timeout(3000)
    assert note(item) == "Texte plus récent."
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)"
    )
    assert violations == []
    # Keeping both texts saves them.
    offer.get_by_role("button", name="Mettre les deux textes dans l’éditeur").click()
    page.locator(f"#note-{item.pk}-status").get_by_text(SAVED).wait_for()
    assert note(item) == "Texte plus récent.\n\nMon brouillon."
    assert page.locator("[data-draft-offer]").count() == 0
