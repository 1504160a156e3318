"""The funding and project pages, on the demo data, for each role and in both languages:
valid HTML (the Nu Html Checker) and no serious or critical axe-core violation."""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from funding.demo import seed_funding
from funding.demo.data import CLOSED_PROJECTS, OPEN_CALL, OPEN_PROJECTS
from members.models import User
from tables.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSeeder
from tests.e2e.conftest import browser, sign_in  # noqa: F401 - the e2e browser fixture, shared

ROLES = ["anonymous", "delegate", "coordinator", "funder_evaluator", "admin"]
AXE = Path(settings.BASE_DIR) / "tests" / "e2e" / "vendor" / "axe.min.js"


def seed():
    seeder = DemoSeeder()
    seeder.seed_main()
    seeder.seed_meetings()
    seeder.seed_plans()
    seed_funding()


def funding_pages(role):
    """(name, url) of the funding pages `role` uses, on the seeded demo."""
    from funding.models import Application, FundingCall
    from projects.models import Partnership

    call = FundingCall.objects.get(title=OPEN_CALL["title"])

    def application(title):
        return Application.objects.select_related("project").get(project__title=title)

    blocked, invited_to = application(OPEN_PROJECTS[0]["title"]), application(OPEN_PROJECTS[-1]["title"])
    funded = application(OPEN_PROJECTS[8]["title"])
    in_review, recommended = application(OPEN_PROJECTS[5]["title"]), application(OPEN_PROJECTS[6]["title"])
    followed = application(CLOSED_PROJECTS[0]["title"])
    pages = [("calls", reverse("funding:call-list")), ("call", call.get_absolute_url())]
    if role == "delegate":
        invitation = Partnership.objects.get(project=invited_to.project, organisation__acronym="CMQ")
        pages += [
            ("my projects", reverse("projects:project-list")),
            ("blocked draft", blocked.project.get_absolute_url()),
            ("project form", reverse("projects:project-update", args=[blocked.project_id])),
            ("budget", reverse("projects:budget", args=[blocked.project_id])),
            ("submit", reverse("projects:project-submit", args=[blocked.project_id])),
            (
                "partner answer",
                reverse("projects:partner-answer", args=[invited_to.project_id, invitation.pk]),
            ),
            ("invite", reverse("projects:partner-invite", args=[blocked.project_id])),
            ("rights", reverse("projects:collaborators", args=[blocked.project_id])),
            ("funded project", funded.project.get_absolute_url()),
        ]
    if role in {"coordinator", "admin"}:
        pages += [
            ("applications", reverse("funding:call-manage", args=[call.pk])),
            ("decisions", reverse("funding:call-decide", args=[call.pk])),
            ("application", reverse("funding:application-detail", args=[call.pk, recommended.pk])),
            ("reviewers", reverse("funding:call-reviewers", args=[call.pk])),
            ("call form", reverse("funding:call-update", args=[call.pk])),
            ("grid", reverse("funding:call-criteria", args=[call.pk])),
            ("funders", reverse("funding:call-funders", args=[call.pk])),
            ("documents", reverse("funding:call-documents", args=[call.pk])),
            ("dashboard", reverse("funding:dashboard")),
        ]
    if role == "admin":
        pages += [
            ("follow-up", reverse("funding:application-followup", args=[followed.call_id, followed.pk])),
            ("schedule", reverse("funding:application-schedule", args=[followed.call_id, followed.pk])),
        ]
    if role == "funder_evaluator":
        pages += [
            ("my reviews", reverse("funding:review-list")),
            ("declaration", reverse("funding:review-form", args=[call.pk, in_review.pk])),
            ("review", reverse("funding:review-form", args=[call.pk, recommended.pk])),
            ("dashboard", reverse("funding:dashboard")),
        ]
    return pages


def vnu_jar():
    from tests.conftest import IN_CI

    jar = Path(settings.BASE_DIR) / ".ci" / "cache" / "vnu.jar"
    if not jar.is_file() or subprocess.run(["which", "java"], capture_output=True).returncode:
        message = f"the Nu Html Checker needs java and {jar}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return jar


@pytest.mark.django_db
def test_funding_pages_are_valid_html(tmp_path):
    jar = vnu_jar()
    seed()
    for language in ("fr-ca", "en"):
        for role in ROLES:
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if role != "anonymous":
                client.force_login(User.objects.get(email=DEMO_ACCOUNTS[role][0]))
            for name, url in funding_pages(role):
                response = client.get(url)
                assert response.status_code == 200, (role, name, url, response.status_code)
                (tmp_path / f"{language}-{role}-{name.replace(' ', '_')}.html").write_bytes(response.content)
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    problems = [
        f"{Path(m['url']).name} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.needs_chromium
@pytest.mark.django_db(transaction=True)
def test_funding_pages_have_no_serious_accessibility_violation(live_server, browser):  # noqa: F811
    seed()
    base = live_server.url
    problems = []
    for language in ("fr-ca", "en"):
        for role in ROLES:
            # Playwright injects axe with its own script tag, which our CSP would block.
            context = browser.new_context(bypass_csp=True)
            context.add_cookies([{"name": "concertation_language", "value": language, "url": base}])
            page = context.new_page()
            if role != "anonymous":
                sign_in(page, base, DEMO_ACCOUNTS[role][0], DEMO_PASSWORD)
            for name, url in funding_pages(role):
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
