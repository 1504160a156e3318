import pytest
from django.core import mail
from django.urls import reverse

from members.models import User

pytestmark = pytest.mark.django_db


def test_signup_bad_input_keeps_the_form_and_creates_nobody(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "pas-un-courriel",
            "first_name": "",
            "last_name": "Roy",
            "password1": "a",
            "password2": "b",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"email", "first_name"} <= set(errors)
    assert "Roy" in response.text
    assert not User.objects.exists()


def test_signup_sends_a_verification_email_in_french(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "nouveau@example.org",
                "first_name": "Jean",
                "last_name": "Roy",
                "password1": "un-mot-de-passe-solide-42",
                "password2": "un-mot-de-passe-solide-42",
            },
        )
    user = User.objects.get(email="nouveau@example.org")
    assert user.first_name == "Jean" and user.language == "fr-ca"
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].body.lower()
    # Not signed in before the address is verified.
    assert "_auth_user_id" not in client.session


def test_password_reset_email_goes_through_celery(client, db, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    UserFactory(email="oubli@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("account_reset_password"), {"email": "oubli@example.org"})
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert mail.outbox[0].to == ["oubli@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_login_is_by_email(client, db):
    from tests.factories import UserFactory

    UserFactory(email="marie@example.org")
    response = client.post(
        reverse("account_login"), {"login": "marie@example.org", "password": "secret-password-123"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "marie@example.org"
