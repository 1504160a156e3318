"""Each transition of an application, tried by each role: only the role it belongs to
makes it, and every transition is audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding import services
from funding.models import TRANSITIONS, Actor, AuditEntry, Report, Status
from members.models import Delegation
from tests.factories import UserFactory
from tests.funding.factories import application_in, call_on, manager_of, resolution_of, review, reviewer_on

pytestmark = pytest.mark.django_db

ROLES = ["lead", "partner", "coordinator", "funder_manager", "reviewer", "outsider", "admin"]
ALLOWED = {
    Actor.LEAD: {"lead"},
    Actor.MANAGER: {"coordinator", "funder_manager", "admin"},
    # On a call whose decisions the funders take (decision_by_resolution=False).
    Actor.DECIDER: {"funder_manager", "admin"},
}


def people(world, call, application):
    partner = application.project.partnerships.first().organisation
    return {
        "lead": application.lead_delegate,
        "partner": Delegation.objects.filter(membership__organisation=partner).first().person,
        "coordinator": world.coordinator,
        "funder_manager": manager_of(call),
        "reviewer": reviewer_on(call).person,
        "outsider": world.outsider,
        "admin": world.admin,
    }


def prepare(application, to, manager):
    """What an edge needs besides the role: a review before a recommendation, an
    accepted final report before closing."""
    if to in {Status.RECOMMENDED, Status.NOT_RECOMMENDED}:
        review(application, reviewer_on(application.call))
    if to == Status.CLOSED:
        final = application.reports.get(kind=Report.Kind.FINAL)
        services.report_save(
            report=final,
            by=application.lead_delegate,
            expected_version=final.version,
            submit=True,
            summary="Fait.",
        )
        services.report_accept(report=final, by=manager)


def move(application, to, by):
    if to in {Status.FUNDED, Status.REFUSED}:
        return services.application_decide(
            application=application,
            by=by,
            funded=to == Status.FUNDED,
            amount=Decimal("20000"),
            note="Enveloppe épuisée.",
        )
    return services.application_transition(application=application, to=to, by=by, note="Note.")


EDGES = [
    pytest.param(current, new, actor, id=f"{current}->{new}") for (current, new), actor in TRANSITIONS.items()
]


@pytest.mark.parametrize(("current", "new", "actor"), EDGES)
def test_each_transition_is_made_by_its_role_only(world, current, new, actor):
    # given an application in `current`, and one person per role
    call = call_on(world.table_a)
    application = application_in(current, call)
    who = people(world, call, application)
    prepare(application, new, who["funder_manager"])
    # when every other role tries, then it is refused and nothing moves
    for role in ROLES:
        if role in ALLOWED[actor]:
            continue
        application.refresh_from_db()
        with pytest.raises(PermissionDenied):
            move(application, new, who[role])
        application.refresh_from_db()
        assert application.status == current, role
    # when the role it belongs to tries, then it moves
    allowed = sorted(ALLOWED[actor])[0]
    moved = move(application, new, who[allowed])
    assert moved.status == new


@pytest.mark.parametrize("role", ["coordinator", "funder_manager"])
def test_the_coordination_decides_when_the_call_decides_by_resolution(world, role):
    # given
    call = call_on(world.table_a, decision_by_resolution=True)
    application = application_in(Status.RECOMMENDED, call)
    by = world.coordinator if role == "coordinator" else manager_of(call)
    # when
    funded = services.application_decide(
        application=application,
        by=by,
        funded=True,
        amount=Decimal("25000"),
        resolution=resolution_of(world.table_a, by=world.coordinator),
    )
    # then
    assert funded.status == Status.FUNDED


def test_the_coordination_may_not_decide_when_the_funders_do(world):
    call = call_on(world.table_a, decision_by_resolution=False)
    application = application_in(Status.RECOMMENDED, call)
    with pytest.raises(PermissionDenied):
        services.application_decide(
            application=application, by=world.coordinator, funded=True, amount=Decimal("1000")
        )


def test_an_edge_that_does_not_exist_is_refused(world):
    call = call_on(world.table_a)
    application = application_in(Status.SUBMITTED, call)
    with pytest.raises(ValidationError):
        services.application_transition(application=application, to=Status.CLOSED, by=world.admin)


def test_a_transition_is_audited_with_who_when_and_what(world):
    # given
    call = call_on(world.table_a)
    application = application_in(Status.SUBMITTED, call)
    # when
    services.application_transition(application=application, to=Status.ELIGIBILITY, by=world.coordinator)
    # then
    entry = AuditEntry.objects.filter(application=application).order_by("-pk").first()
    assert (entry.actor, entry.action, entry.from_status, entry.to_status) == (
        world.coordinator,
        AuditEntry.Action.STATUS_CHANGED,
        Status.SUBMITTED,
        Status.ELIGIBILITY,
    )
    assert entry.created_at is not None


def test_a_decision_is_audited_with_the_amount_and_conditions(world):
    call = call_on(world.table_a)
    application = application_in(Status.RECOMMENDED, call)
    manager = manager_of(call)
    services.application_decide(
        application=application,
        by=manager,
        funded=True,
        amount=Decimal("25000"),
        conditions="Rapport en mars.",
    )
    entry = AuditEntry.objects.get(application=application, action=AuditEntry.Action.DECIDED)
    assert entry.actor == manager
    assert entry.changes["awarded_amount"] == ["", "25000"]
    assert entry.changes["conditions"] == ["", "Rapport en mars."]


def test_declaring_ineligible_requires_a_note(world):
    call = call_on(world.table_a)
    application = application_in(Status.ELIGIBILITY, call)
    with pytest.raises(ValidationError):
        services.application_transition(
            application=application, to=Status.INELIGIBLE, by=world.coordinator, note=""
        )


def test_recommending_requires_a_submitted_review(world):
    call = call_on(world.table_a)
    application = application_in(Status.IN_REVIEW, call)
    with pytest.raises(ValidationError):
        services.application_transition(application=application, to=Status.RECOMMENDED, by=world.coordinator)


def test_closing_requires_an_accepted_final_report(world):
    call = call_on(world.table_a)
    application = application_in(Status.IN_PROGRESS, call)
    with pytest.raises(ValidationError):
        services.application_transition(application=application, to=Status.CLOSED, by=world.coordinator)


def test_the_lead_may_not_withdraw_after_the_deadline(world):
    # given a submitted application whose call has since closed
    from datetime import timedelta

    from django.utils import timezone

    call = call_on(world.table_a)
    application = application_in(Status.SUBMITTED, call)
    type(call).objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    application.call.refresh_from_db()
    # when / then
    with pytest.raises(ValidationError):
        services.application_transition(
            application=application, to=Status.WITHDRAWN, by=application.lead_delegate
        )


def test_a_reopened_application_is_a_draft_again_and_keeps_its_first_version(world):
    call = call_on(world.table_a)
    application = application_in(Status.WITHDRAWN, call)
    reopened = services.application_transition(
        application=application, to=Status.DRAFT, by=application.lead_delegate
    )
    assert reopened.status == Status.DRAFT
    assert list(reopened.versions.values_list("number", flat=True)) == [1]


def test_someone_who_is_not_the_lead_cannot_submit(world):
    call = call_on(world.table_a)
    application = application_in(Status.DRAFT, call)
    with pytest.raises(PermissionDenied):
        services.application_submit(application=application, by=UserFactory())
