"""What funding shows on a table's page: the table's calls, drawn by a tag funding owns."""

import pytest
from django.urls import reverse

from tests.conftest import client_as
from tests.funding.factories import call_on

pytestmark = pytest.mark.django_db


def test_a_visitor_sees_the_open_calls_of_a_public_table(world):
    call = call_on(world.table_a, title="Appel ouvert de la table")
    page = client_as(world, "anonymous").get(world.table_a.get_absolute_url()).text
    assert call.get_absolute_url() in page


def test_a_visitor_is_not_offered_to_prepare_a_call(world):
    call_on(world.table_a)
    page = client_as(world, "anonymous").get(world.table_a.get_absolute_url()).text
    assert reverse("funding:call-create", args=[world.table_a.slug]) not in page


def test_the_coordination_is_offered_to_prepare_a_call_even_before_the_first(world):
    page = client_as(world, "coordinator").get(world.table_a.get_absolute_url()).text
    assert reverse("funding:call-create", args=[world.table_a.slug]) in page


def test_a_table_without_calls_has_no_calls_section_for_its_delegates(world):
    page = client_as(world, "delegate_a").get(world.table_a.get_absolute_url()).text
    assert 'id="table-calls-title"' not in page
