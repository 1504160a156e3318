"""Preparing and publishing a call: funders' shares, the grid, documents, members told by
email once, rules fixed once applications are submitted under them; and the forms of
these pages refusing bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import AuditEntry, Criterion, FundingCall, Status
from funding.selectors import calls_for_table
from tests.conftest import client_as
from tests.factories import DelegationFactory, FunderFactory, MembershipFactory
from tests.funding.factories import application_in, call_on, review, reviewer_on

pytestmark = pytest.mark.django_db


def new_call(world, **fields):
    values = {
        "title": "Appel 2027",
        "description": "Projets en partenariat.",
        "envelope": Decimal("100000"),
        "opens_at": timezone.now() - timedelta(days=1),
        "closes_at": timezone.now() + timedelta(days=30),
    } | fields
    return services.call_create(table=world.table_a, by=world.coordinator, **values)


def ready_to_publish(world, **fields):
    call = new_call(world, **fields)
    services.call_set_shares(call=call, shares=[(world.funder, Decimal("100000"))], by=world.coordinator)
    services.call_set_criteria(
        call=call, criteria=[{"title": "Partenariat", "guidance": "", "weight": 100}], by=world.coordinator
    )
    return call


def test_a_call_needs_its_envelope_shared_before_publication(world):
    call = new_call(world)
    services.call_set_criteria(
        call=call, criteria=[{"title": "Partenariat", "guidance": "", "weight": 100}], by=world.coordinator
    )
    services.call_set_shares(call=call, shares=[(world.funder, Decimal("60000"))], by=world.coordinator)
    with pytest.raises(ValidationError):
        services.call_publish(call=call, by=world.coordinator)
    assert not FundingCall.objects.get(pk=call.pk).is_published


def test_shares_above_the_envelope_are_refused(world):
    call = new_call(world)
    with pytest.raises(ValidationError):
        services.call_set_shares(
            call=call,
            shares=[(world.funder, Decimal("70000")), (FunderFactory(), Decimal("40000"))],
            by=world.coordinator,
        )


def test_publishing_emails_each_member_delegate_once(world, django_capture_on_commit_callbacks):
    # given table A has two delegates (org A's, and another member's)
    other = DelegationFactory(membership=MembershipFactory(table=world.table_a)).person
    call = ready_to_publish(world)
    # when published (and the task delivered twice)
    with django_capture_on_commit_callbacks(execute=True):
        services.call_publish(call=call, by=world.coordinator)
    services.call_notify_members(FundingCall.objects.get(pk=call.pk))
    # then
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.delegate_a.email, other.email])
    assert all(call.title in message.subject for message in mail.outbox)


def test_publishing_is_audited(world):
    call = ready_to_publish(world)
    services.call_publish(call=call, by=world.coordinator)
    assert AuditEntry.objects.filter(
        call=call, action=AuditEntry.Action.CALL_PUBLISHED, actor=world.coordinator
    ).exists()


def test_partnership_rules_are_fixed_once_an_application_is_submitted(world):
    call = call_on(world.table_a)
    application_in(Status.SUBMITTED, call)
    with pytest.raises(ValidationError):
        services.call_update(call=call, by=world.coordinator, min_partners=1)
    assert FundingCall.objects.get(pk=call.pk).min_partners == 2


def test_the_deadline_can_be_extended_after_submissions(world):
    call = call_on(world.table_a)
    application_in(Status.SUBMITTED, call)
    later = call.closes_at + timedelta(days=7)
    assert services.call_update(call=call, by=world.coordinator, closes_at=later).closes_at == later


def test_a_change_to_a_call_is_audited_with_before_and_after(world):
    call = new_call(world)
    services.call_update(call=call, by=world.coordinator, min_partners=3)
    entry = AuditEntry.objects.filter(call=call, action=AuditEntry.Action.CALL_UPDATED).get()
    assert entry.changes == {"min_partners": ["2", "3"]}


def test_the_grid_is_fixed_once_scoring_starts(world):
    call = call_on(world.table_a)
    application = application_in(Status.IN_REVIEW, call)
    review(application, reviewer_on(call), submit=False)
    with pytest.raises(ValidationError):
        services.call_set_criteria(
            call=call, criteria=[{"title": "Autre", "guidance": "", "weight": 10}], by=world.coordinator
        )


def test_the_table_page_partial_lists_published_calls_only_to_outsiders(world):
    published = call_on(world.table_a)
    draft = call_on(world.table_a, published_at=None)
    for_outsider = calls_for_table(world.table_a, world.outsider)
    for_coordinator = calls_for_table(world.table_a, world.coordinator)
    assert for_outsider["table_calls_open"] == [published] and for_outsider["table_calls_drafts"] == []
    assert for_coordinator["table_calls_drafts"] == [draft]
    assert for_coordinator["can_create_call"] and not for_outsider["can_create_call"]


# Forms -------------------------------------------------------------------------------------------


def call_form_data(**overrides):
    now = timezone.localtime()
    data = {
        "title": "Appel 2027",
        "description": "Projets en partenariat.",
        "envelope": "100000",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
        "min_partners": "2",
        "min_sectors": "2",
        "max_applications_per_lead": "1",
        "max_request": "",
        "max_request_share": "80",
        "partners_must_be_members": "on",
    }
    data.update(overrides)
    return data


def post_call(world, **overrides):
    return client_as(world, "coordinator").post(
        reverse("funding:call-create", args=[world.table_a.slug]), call_form_data(**overrides)
    )


def test_the_coordinator_creates_a_call_from_the_form(world):
    response = post_call(world)
    assert response.status_code == 302
    assert FundingCall.objects.get(title="Appel 2027").table == world.table_a


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 201),
        ("envelope", "beaucoup"),
        ("envelope", "0"),
        ("max_request_share", "150"),
        ("min_sectors", "0"),
        ("opens_at", "demain"),
        ("description", "x" * 10_001),
    ],
)
def test_the_call_form_refuses_bad_input(world, field, value):
    response = post_call(world, **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not FundingCall.objects.exists()


def test_the_call_form_refuses_a_deadline_before_the_opening(world):
    now = timezone.localtime()
    response = post_call(world, closes_at=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert "closes_at" in response.context["form"].errors


def test_the_call_form_refuses_an_objective_of_another_table(world):
    from tests.funding.factories import objective_of

    objective_of(world.table_a)
    other = objective_of(world.table_b)
    response = post_call(world, objectives=[str(other.pk)])
    assert "objectives" in response.context["form"].errors


def test_the_grid_page_refuses_a_criterion_of_another_call(world):
    call = call_on(world.table_a)
    foreign = call_on(world.table_a).criteria.first()
    data = {
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-id": str(foreign.pk),
        "criteria-0-title": "Volé",
        "criteria-0-weight": "50",
    }
    response = client_as(world, "coordinator").post(reverse("funding:call-criteria", args=[call.pk]), data)
    assert response.status_code == 200
    assert Criterion.objects.get(pk=foreign.pk).title != "Volé"


def test_the_grid_page_refuses_a_weight_out_of_range(world):
    call = call_on(world.table_a)
    data = {
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-title": "Lourd",
        "criteria-0-weight": "500",
    }
    response = client_as(world, "coordinator").post(reverse("funding:call-criteria", args=[call.pk]), data)
    assert response.status_code == 200
    assert not Criterion.objects.filter(title="Lourd").exists()


def test_the_funders_page_refuses_a_funder_twice(world):
    call = call_on(world.table_a)
    data = {
        "shares-TOTAL_FORMS": "2",
        "shares-INITIAL_FORMS": "0",
        "shares-0-funder": str(world.funder.pk),
        "shares-0-amount": "10",
        "shares-1-funder": str(world.funder.pk),
        "shares-1-amount": "10",
    }
    response = client_as(world, "coordinator").post(reverse("funding:call-funders", args=[call.pk]), data)
    assert response.status_code == 200
    assert call.shares.count() == 1


def test_the_table_page_partial_renders_the_open_calls(world, rf):
    from django.template.loader import render_to_string

    call = call_on(world.table_a, title="Appel ouvert de la table")
    request = rf.get(world.table_a.get_absolute_url())
    request.user = world.coordinator
    html = render_to_string(
        "funding/_table_calls.html", calls_for_table(world.table_a, world.coordinator), request
    )
    assert call.get_absolute_url() in html
    assert reverse("funding:call-create", args=[world.table_a.slug]) in html


def test_the_call_list_shows_open_calls_in_full_and_closed_ones_twenty_at_a_time(world):
    # given an open call and 25 closed ones of a public table
    now = timezone.now()
    open_call = call_on(world.table_a, title="Appel ouvert")
    for n in range(25):
        call_on(
            world.table_a,
            title=f"Appel fermé {n:02}",
            opens_at=now - timedelta(days=400 + n),
            closes_at=now - timedelta(days=300 + n),
        )
    url = reverse("funding:call-list")
    # when the list is read, page by page
    first = client_as(world, "anonymous").get(url)
    second = client_as(world, "anonymous").get(url, {"page": 2})
    # then the open call is on both, the closed ones most recent first, 20 then 5
    assert [c.pk for c in first.context["open_calls"]] == [open_call.pk]
    assert [c.title for c in first.context["closed_calls"]] == [f"Appel fermé {n:02}" for n in range(20)]
    assert [c.title for c in second.context["closed_calls"]] == [f"Appel fermé {n:02}" for n in range(20, 25)]
    assert "page=2" in first.text


def test_open_calls_are_listed_twenty_at_a_time_closing_soonest_first(world, monkeypatch):
    from funding.views import calls as views

    monkeypatch.setattr(views, "OPEN_CALLS_PER_PAGE", 2)
    now = timezone.now()
    made = [
        call_on(world.table_a, title=f"Appel ouvert {n}", closes_at=now + timedelta(days=10 + n))
        for n in range(3)
    ]
    url = reverse("funding:call-list")
    first = client_as(world, "anonymous").get(url)
    second = client_as(world, "anonymous").get(url, {"open_page": 2})
    assert [c.pk for c in first.context["open_calls"]] == [made[0].pk, made[1].pk]
    assert [c.pk for c in second.context["open_calls"]] == [made[2].pk]
    assert "open_page=2" in first.text


def test_the_call_list_counts_submitted_applications_only(world):
    call = call_on(world.table_a, title="Appel compté")
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.DRAFT, Status.WITHDRAWN):
        application_in(status, call)
    empty = call_on(world.table_a, title="Appel sans demande")
    listed = {
        c.pk: c for c in client_as(world, "anonymous").get(reverse("funding:call-list")).context["open_calls"]
    }
    assert listed[call.pk].application_count == 2
    assert listed[empty.pk].application_count == 0
