"""The main funding pages cost the same number of queries with ten times the data."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services
from funding.models import Status
from members.models import Sector
from tests.conftest import client_as
from tests.funding.factories import (
    application_in,
    call_on,
    member,
    ready_application,
    review,
    reviewer_on,
    submit,
)

pytestmark = pytest.mark.django_db


def grow(world, call, n):
    """n funded projects with org A as partner (reviewed, with a schedule), n submitted ones,
    n drafts inviting org A; the evaluator reviews them all."""
    for _ in range(n):
        partners = [world.org_a, member(call.table, sector=Sector.MUNICIPAL)[0]]
        application_in(Status.FUNDED, call, partners=partners)
        submit(ready_application(call, partners=partners))
        application_in(Status.DRAFT, call, partners=partners)
        reviewed = application_in(Status.IN_REVIEW, call)
        review(reviewed, reviewer_on(call))
        review(reviewed, call.reviewers.get(person=world.evaluator))


def count(client, url):
    client.get(url)  # warm the per-process caches (content types, templates)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def pages(world, call, mine, funded):
    return [
        ("coordinator", reverse("funding:dashboard")),
        ("evaluator", reverse("funding:dashboard") + f"?funder={world.funder.pk}"),
        ("coordinator", reverse("funding:call-manage", args=[call.pk])),
        ("admin", reverse("funding:call-decide", args=[call.pk])),
        ("delegate_a", reverse("funding:call-detail", args=[call.pk])),
        ("anonymous", reverse("funding:call-list")),
        ("evaluator", reverse("funding:review-list")),
        ("delegate_a", reverse("projects:project-list")),
        ("delegate_a", reverse("home")),
        ("evaluator", reverse("home")),
        ("delegate_a", mine.project.get_absolute_url()),
        ("coordinator", reverse("funding:application-detail", args=[call.pk, funded.pk])),
        ("coordinator", reverse("funding:application-followup", args=[call.pk, funded.pk])),
    ]


def test_funding_pages_cost_the_same_with_ten_times_the_data(world):
    # given a call with a project of org A, a funded project, and the evaluator as reviewer
    call = call_on(
        world.table_a, funders=[world.funder], max_applications_per_lead=50, envelope=Decimal("10000000")
    )
    services.reviewer_add(call=call, person=world.evaluator, by=None)
    mine = ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a)
    funded = application_in(Status.FUNDED, call)
    grow(world, call, 1)
    clients = {}
    small = {}
    for role, url in pages(world, call, mine, funded):
        client = clients.setdefault(role, client_as(world, role))
        small[(role, url)] = count(client, url)
    # when there is ten times as much
    grow(world, call, 9)
    # then
    grown = {
        key: (small[key], count(clients[key[0]], key[1]))
        for key in small
        if count(clients[key[0]], key[1]) != small[key]
    }
    assert grown == {}, f"pages whose query count grew (before, after): {grown}"
