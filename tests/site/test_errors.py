"""Error pages: a database outage answers 503 with a calm page, other errors 500."""

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import path


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: the database system is starting up")


def bug(request):
    raise ValueError("a bug")


urlpatterns = [path("gone/", database_gone), path("bug/", bug)]
handler500 = "tables.views.errors.server_error"


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Service momentanément indisponible"), ("en", "Service briefly unavailable")],
)
def test_a_database_outage_answers_503_asking_to_retry_shortly(client, language, text):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert text in response.content.decode()


def test_any_other_error_answers_500(client):
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Un problème est survenu" in response.content.decode()
