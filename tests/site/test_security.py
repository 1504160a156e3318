"""Security properties that cut across the product."""

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import client_as
from tests.factories import UserFactory
from tests.site import test_permission_matrix

pytestmark = pytest.mark.django_db


def test_security_headers_on_every_page(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_failed_sign_ins_are_rate_limited():
    UserFactory(email="cible@example.org")
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "cible@example.org", "password": "wrong"})
    # Even the right password is refused for a while after five failures on this account.
    response = client.post(
        reverse("account_login"), {"login": "cible@example.org", "password": "secret-password-123"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 429}


def test_sign_ups_are_rate_limited_per_address():
    client = Client()
    statuses = [
        client.post(
            reverse("account_signup"), {"email": f"x{i}@example.org", "password1": "a", "password2": "b"}
        ).status_code
        for i in range(25)
    ]
    assert 429 in statuses


def test_password_resets_are_rate_limited_per_account():
    UserFactory(email="oubli@example.org")
    client = Client()
    statuses = [
        client.post(reverse("account_reset_password"), {"email": "oubli@example.org"}).status_code
        for _ in range(8)
    ]
    assert 429 in statuses


def test_changing_the_password_ends_the_other_sessions():
    # given a person signed in on two devices
    person = UserFactory(email="deux@example.org")
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        client.post(
            reverse("account_login"), {"login": "deux@example.org", "password": "secret-password-123"}
        )
    assert phone.get(reverse("members:profile")).status_code == 200
    # when they change their password on the laptop
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": "secret-password-123",
            "password1": "un-nouveau-mot-de-passe-42",
            "password2": "un-nouveau-mot-de-passe-42",
        },
    )
    assert response.status_code == 302
    # then the phone is signed out, the laptop is not
    assert phone.get(reverse("members:profile")).status_code == 302
    assert laptop.get(reverse("members:profile")).status_code == 200
    person.refresh_from_db()
    assert person.check_password("un-nouveau-mot-de-passe-42")


@pytest.mark.parametrize("role", ["delegate_b", "evaluator"])
def test_every_object_url_of_a_private_table_is_refused_to_outsiders(world, role):
    """Every case of the permission matrix that targets table A, with table A made
    private, asked by a delegate of table B and by a funder not party to it: never a 200
    nor a successful redirect."""
    world.table_a.visibility = "private"
    world.table_a.save()
    client = client_as(world, role)
    # Make the lazily created objects now, outside the savepoints rolled back below.
    for name in ("meeting_a", "past_meeting_a", "meeting_b", "plan_action"):
        getattr(world, name)
    tried = 0
    for case in test_permission_matrix.CASES:
        with transaction.atomic():
            tried += _try_as_outsider(world, client, case)
            transaction.set_rollback(True)
    assert tried > 40


def _try_as_outsider(world, client, case):
    """1 when the case targets table A and was refused, 0 when it is about another table."""
    kwargs = case.kwargs(world)
    if kwargs.get("slug") != world.table_a.slug:
        return 0
    url = reverse(case.name, kwargs=kwargs)
    data = case.data(world)
    if case.content_type:
        response = getattr(client, case.method)(url, json.dumps(data), content_type=case.content_type)
    else:
        response = getattr(client, case.method)(url, data)
    if response.status_code == 302:
        assert response.url.startswith(reverse("account_login")), (case.name, response.url)
    else:
        assert response.status_code in {403, 404}, (case.name, case.label, response.status_code)
    return 1


def test_user_html_is_escaped_in_pages_and_pdfs(world, client_for, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    from tables.models import Document
    from tables.services.documents import document_request

    hostile = '<script>alert("x")</script><b>gras</b>'
    world.org_a.name = hostile
    world.org_a.save()
    meeting = world.meeting_a
    meeting.title = hostile
    meeting.save()
    page = client_for("delegate_a").get(meeting.get_absolute_url()).text
    assert hostile not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(source=meeting, kind="agenda", language="fr-ca")
    document = Document.objects.get(pk=document.pk)
    text = " ".join(p.extract_text() for p in PdfReader(document.file.path).pages)
    # Shown as text, not interpreted as markup.
    assert "<script>" in text and "<b>gras</b>" in text


def test_anonymous_visitors_are_sent_to_sign_in_not_shown_an_error(world, client):
    response = client.get(reverse("members:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_nul_byte_in_the_query_string_is_refused_in_the_users_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("members:organisation-list"), {"q": "Centre\x00"})
    assert response.status_code == 400
    expected = "Requête incomprise" if language == "fr" else "Request not understood"
    assert expected in response.content.decode()
    assert client.get(reverse("members:organisation-list"), {"q": "Centre"}).status_code == 200
