"""End to end in headless Chromium: the coordinator invites a delegate, who accepts in
another browser, and appears among the members."""

import re

import pytest
from django.core import mail

from tables.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, MAIN_SLUG, DemoSeeder
from tests.e2e.conftest import ConsoleWatch, sign_in

pytestmark = [pytest.mark.needs_chromium, pytest.mark.django_db(transaction=True)]


def test_coordinator_invites_a_delegate_who_accepts_and_appears(live_server, browser, settings):
    settings.SITE_URL = live_server.url
    DemoSeeder().seed_main()
    base = live_server.url

    # The coordinator signs in and invites a new substitute for the YWCA.
    coordinator = browser.new_context(locale="fr-CA")
    page = coordinator.new_page()
    console = ConsoleWatch(page)
    sign_in(page, base, DEMO_ACCOUNTS["coordinator"][0], DEMO_PASSWORD)
    page.goto(f"{base}/tables/{MAIN_SLUG}/members/")
    page.locator("tr", has_text="YWCA Québec").locator("a[href$='/invite/']").click()
    page.fill("input[name=email]", "nadia.belanger@example.org")
    page.fill("input[name=first_name]", "Nadia")
    page.fill("input[name=last_name]", "Bélanger")
    page.check("input[name=role][value=substitute]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/tables/{MAIN_SLUG}/members/")
    assert page.locator(".flash-success").count() == 1
    assert "nadia.belanger@example.org" in page.locator("tr", has_text="YWCA Québec").inner_text()

    # The invitation email carries the link; the invited person opens it elsewhere.
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    invited = browser.new_context(locale="fr-CA")
    other = invited.new_page()
    other_console = ConsoleWatch(other)
    other.goto(link)
    other.click("a[href^='/accounts/signup/']")
    assert other.input_value("input[name=email]") == "nadia.belanger@example.org"
    other.fill("input[name=first_name]", "Nadia")
    other.fill("input[name=last_name]", "Bélanger")
    other.fill("input[name=password1]", "Un-mot-de-passe-solide-2026")
    other.fill("input[name=password2]", "Un-mot-de-passe-solide-2026")
    other.click("main form button[type=submit]")
    other.wait_for_url(re.compile(r".*/invitations/.*"))
    other.click("main form button[type=submit]")
    other.wait_for_url(f"{base}/tables/{MAIN_SLUG}/")
    assert "Nadia Bélanger" in other.locator("main").inner_text()

    # Back with the coordinator: the new substitute is listed with the YWCA.
    page.reload()
    row = page.locator("tr", has_text="YWCA Québec").inner_text()
    assert "Nadia Bélanger" in row
    assert "nadia.belanger@example.org" not in row  # no longer a pending invitation
    assert console.errors == [] and other_console.errors == []
