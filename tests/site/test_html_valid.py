"""Every main page, for each role and in both languages, is valid HTML (the Nu Html
Checker, vnu.jar from npm's vnu-jar, run once over all the pages)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from members.models import User
from tables.demo import DEMO_ACCOUNTS
from tests.conftest import IN_CI
from tests.pages import DEMO_ROLES, main_pages, seed_whole_demo

VNU_JAR = Path(os.environ.get("VNU_JAR", Path(settings.BASE_DIR) / ".ci" / "cache" / "vnu.jar"))


def vnu_available():
    if VNU_JAR.is_file() and shutil.which("java"):
        return
    message = f"the Nu Html Checker needs java and {VNU_JAR} (bash .ci/run fetches it from npm's vnu-jar)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.django_db
def test_main_pages_are_valid_html(tmp_path):
    vnu_available()
    seed_whole_demo()
    files = {}
    for language in ("fr-ca", "en"):
        for role in DEMO_ROLES:
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if role != "anonymous":
                client.force_login(User.objects.get(email=DEMO_ACCOUNTS[role][0]))
            for name, url in main_pages(role):
                response = client.get(url)
                assert response.status_code == 200, (role, name, url, response.status_code)
                path = tmp_path / f"{language}-{role}-{name.replace(' ', '_')}.html"
                path.write_bytes(response.content)
                files[path.name] = (role, language, url)
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html", str(tmp_path)],
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
