"""The table's page leads to every part of the table each person may open, and to none
they may not: each link asks the permission its destination asks."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import ROLES, client_as

pytestmark = pytest.mark.django_db

EVERY_PART = [
    "Meetings",
    "Resolution register",
    "Follow-ups",
    "Action plans",
    "Consultations",
    "Communiqués",
    "Agenda ownership",
    "Indicators",
    "Self-assessment",
    "Bilans",
    "Governance rules",
    "Funding calls",
]
COORDINATION = ["Manage members", "Committees", "Reminders", "Edit the table"]


def table_nav(client, table):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(table.get_absolute_url()).text
    nav = re.search(r'<nav class="subnav table-nav".*?</nav>', page, re.S).group(0)
    return {label: url for url, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)}


def test_the_coordinator_reaches_every_part_and_the_coordination_pages(world):
    links = table_nav(client_as(world, "coordinator"), world.table_a)
    assert list(links) == EVERY_PART + COORDINATION


def test_a_delegate_reaches_the_members_parts_and_no_coordination_page(world):
    links = table_nav(client_as(world, "delegate_a"), world.table_a)
    assert {"Resolution register", "Follow-ups", "Consultations", "Bilans"} <= set(links)
    assert not set(COORDINATION) & set(links)


def test_a_visitor_of_a_public_table_is_offered_only_public_parts(world):
    links = table_nav(client_as(world, "anonymous"), world.table_a)
    assert "Meetings" in links and "Governance rules" in links
    assert not {"Follow-ups", "Consultations", "Communiqués", "Bilans"} & set(links)
    assert not set(COORDINATION) & set(links)


@pytest.mark.parametrize("role", ROLES)
def test_every_link_offered_opens_for_whoever_is_offered_it(world, role):
    client = client_as(world, role)
    table = world.table_a
    for label, url in table_nav(client, table).items():
        path = url.split("#")[0]
        response = client.get(path)
        assert response.status_code == 200, (role, label, url, response.status_code)


def test_the_calls_link_leads_to_the_calls_section_of_the_page(world):
    client = client_as(world, "coordinator")
    links = table_nav(client, world.table_a)
    assert links["Funding calls"] == f"{world.table_a.get_absolute_url()}#table-calls-title"
    assert 'id="table-calls-title"' in client.get(world.table_a.get_absolute_url()).text


def test_the_french_page_names_its_parts_in_french(world):
    client = client_as(world, "coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr-ca"
    page = client.get(world.table_a.get_absolute_url()).text
    assert "Registre des résolutions" in page
    assert reverse("tables:assessment-list", args=[world.table_a.slug]) in page
