"""axe-core in headless Chromium on every main page, for each role, in both languages:
no serious or critical violation."""

import os
from pathlib import Path

import pytest

from tables.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.e2e.conftest import sign_in
from tests.pages import DEMO_ROLES, main_pages, seed_whole_demo

pytestmark = [pytest.mark.needs_chromium, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# To check a few pages while working on them: AXE_PAGES="application,call management".
ONLY = {name.strip() for name in os.environ.get("AXE_PAGES", "").split(",") if name.strip()}


def test_main_pages_have_no_serious_accessibility_violation(live_server, browser):
    seed_whole_demo()
    base = live_server.url
    problems = []
    for language in ("fr-ca", "en"):
        for role in DEMO_ROLES:
            # Playwright injects axe with its own script tag, which our CSP would block.
            context = browser.new_context(bypass_csp=True)
            context.add_cookies([{"name": "concertation_language", "value": language, "url": base}])
            page = context.new_page()
            if role != "anonymous":
                sign_in(page, base, DEMO_ACCOUNTS[role][0], DEMO_PASSWORD)
            for name, url in main_pages(role):
                if ONLY and name not in ONLY:
                    continue
                page.goto(base + url)
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                    ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
                )
                problems += [f"{language} {role} {name}: {violation}" for violation in violations]
            context.close()
    assert problems == [], "\n".join(problems[:60])
