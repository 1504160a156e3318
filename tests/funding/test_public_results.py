"""Public results: once decided, a call shows anyone who can see it which joint projects it
funded (title, lead, partners, amount, territory), and the table's page lists them; the
table can keep a call's results private."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from funding.models import FundingCall, Status
from projects.models import Partnership
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """Requests in English switch the thread's language; the next tests expect French."""
    with translation.override("fr-ca"):
        yield


@pytest.fixture
def decided(world):
    call = call_on(world.table_a, opens_at=timezone.now() - timedelta(days=90))
    funded = application_in(Status.FUNDED, call)
    waiting = application_in(Status.RECOMMENDED, call)
    FundingCall.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(days=30))
    call.refresh_from_db()
    return call, funded, waiting


def page(world, role, url, language="en"):
    client = client_as(world, role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_anyone_sees_the_funded_projects_of_a_call_with_lead_partners_and_amount(world, decided):
    call, funded, waiting = decided
    text = page(world, "anonymous", call.get_absolute_url())
    assert "Funded projects" in text
    assert funded.project.title in text
    assert funded.project.lead.name in text
    for partnership in Partnership.objects.confirmed().filter(project=funded.project):
        assert partnership.organisation.name in text
    assert "$30,000" in text
    assert waiting.project.title not in text


def test_the_french_page_shows_them_in_french(world, decided):
    call, funded, _waiting = decided
    text = page(world, "delegate_b", call.get_absolute_url(), language="fr-ca")
    assert "Projets financés" in text
    assert funded.project.title in text
    assert "30\u00a0000\u202f$" in text


def test_the_tables_page_lists_its_funded_projects(world, decided):
    _call, funded, waiting = decided
    text = page(world, "anonymous", world.table_a.get_absolute_url())
    assert funded.project.title in text
    assert waiting.project.title not in text


def test_a_table_can_keep_a_calls_results_private(world, decided):
    call, funded, _waiting = decided
    FundingCall.objects.filter(pk=call.pk).update(results_public=False)
    for role in ("anonymous", "outsider", "delegate_a", "evaluator"):
        assert funded.project.title not in page(world, role, call.get_absolute_url()), role
        assert funded.project.title not in page(world, role, world.table_a.get_absolute_url()), role
    text = page(world, "coordinator", call.get_absolute_url())
    assert funded.project.title in text
    assert "the table keeps this call's results private" in text


def test_the_call_page_costs_the_same_queries_whatever_the_number_funded(world, decided):
    call, _funded, _waiting = decided
    client = client_as(world, "anonymous")
    url = call.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    FundingCall.objects.filter(pk=call.pk).update(closes_at=timezone.now() + timedelta(days=1))
    for _ in range(3):
        application_in(Status.FUNDED, call, amount=1000)
    FundingCall.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        text = client.get(url).text
    assert text.count('<th scope="row">') >= 4
    assert len(many) == len(few), f"{len(many)} queries for 4 funded projects against {len(few)} for 1"
