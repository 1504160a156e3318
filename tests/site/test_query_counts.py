"""A page's query count must not grow with the data: measured at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_as
from tests.factories import (
    AffiliationFactory,
    CoordinatorFactory,
    DelegationFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db


def grow(world, n):
    """Add n organisations with delegates at both tables, n more tables, invitations, people."""
    for i in range(n):
        membership = MembershipFactory(table=world.table_a)
        DelegationFactory(membership=membership)
        DelegationFactory(membership=membership, role="substitute")
        InvitationFactory(
            membership=membership, email=world.delegate_a.email if i == 0 else f"x{i}@example.org"
        )
        other = MembershipFactory(table=world.table_b, organisation=membership.organisation)
        DelegationFactory(membership=other, role="substitute")
        table = TableFactory()
        MembershipFactory(table=table, organisation=world.org_a)
        CoordinatorFactory(table=table, person=world.coordinator)
        AffiliationFactory(organisation=world.org_a)
        OrganisationFactory(name=f"Organisme recherché {i}")


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(context.captured_queries)


PAGES = [
    ("anonymous", lambda w: reverse("home"), {}),
    ("coordinator", lambda w: reverse("home"), {}),
    ("delegate_a", lambda w: reverse("home"), {}),
    ("anonymous", lambda w: reverse("tables:table-list"), {}),
    ("admin", lambda w: reverse("tables:table-list"), {"sector": "community"}),
    ("anonymous", lambda w: w.table_a.get_absolute_url(), {}),
    ("coordinator", lambda w: w.table_a.get_absolute_url(), {}),
    ("delegate_b", lambda w: w.table_b.get_absolute_url(), {}),
    ("coordinator", lambda w: reverse("tables:rules-list", args=[w.table_a.slug]), {}),
    ("coordinator", lambda w: reverse("tables:membership-list", args=[w.table_a.slug]), {}),
    ("coordinator", lambda w: reverse("tables:membership-add", args=[w.table_a.slug]), {"q": "Organisme"}),
    ("anonymous", lambda w: reverse("members:organisation-list"), {}),
    ("delegate_a", lambda w: reverse("members:organisation-list"), {"q": "Organisme", "sector": "community"}),
    ("anonymous", lambda w: w.org_a.get_absolute_url(), {}),
    ("coordinator", lambda w: w.org_a.get_absolute_url(), {}),
    ("delegate_a", lambda w: reverse("members:profile"), {}),
]


@pytest.mark.parametrize(("role", "url", "params"), PAGES, ids=lambda v: v if isinstance(v, str) else None)
def test_query_count_does_not_grow_with_the_data(world, role, url, params):
    client = client_as(world, role)
    grow(world, 2)
    small = queries(client, url(world), **params)
    grow(world, 12)
    large = queries(client, url(world), **params)
    assert large == small, f"{large} queries with more data against {small}"
