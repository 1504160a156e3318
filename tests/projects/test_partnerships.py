"""Partnerships: the lead invites; each partner organisation answers for itself, with its
own role and contribution, timestamped and attributed; a change of terms after a
confirmation needs a new one; nobody commits another organisation."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from members.models import Sector
from projects import services
from projects.models import BudgetLine, Partnership, PartnershipAnswer
from projects.permissions import acts_for
from tests.conftest import client_as
from tests.factories import AffiliationFactory, OrganisationFactory
from tests.funding.factories import BudgetLineFactory, call_on, member, ready_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    """A draft of org A (delegate A), with a member organisation to invite."""
    call = call_on(world.table_a)
    application = ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a)
    application.guest, application.guest_delegate = member(world.table_a, sector=Sector.PRIVATE)
    return application


def invite(draft, **terms):
    return services.partner_invite(
        project=draft.project, organisation=draft.guest, by=draft.lead_delegate, cash=Decimal("1000"), **terms
    )


def answer(partnership, by, *, confirm=True, **terms):
    partnership.refresh_from_db()
    return services.partner_answer(
        partnership=partnership, by=by, confirm=confirm, expected_version=partnership.version, **terms
    )


def test_the_invited_organisations_delegates_are_emailed(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(draft)
    assert [m.to for m in mail.outbox] == [[draft.guest_delegate.email]]
    assert draft.project.title in mail.outbox[0].subject


def test_an_invitation_commits_nobody(draft):
    partnership = invite(draft)
    assert partnership.status == Partnership.Status.INVITED
    assert partnership.answered_by is None


def test_the_partners_delegate_confirms_with_its_own_terms(draft):
    # given the lead proposed 1 000 $
    partnership = invite(draft)
    # when the partner confirms 1 500 $ in cash and a room
    confirmed = answer(
        partnership,
        draft.guest_delegate,
        cash=Decimal("1500"),
        in_kind=Decimal("800"),
        in_kind_description="Une salle",
    )
    # then its own terms hold, timestamped and attributed
    assert (confirmed.status, confirmed.cash, confirmed.in_kind) == (
        "confirmed",
        Decimal("1500"),
        Decimal("800"),
    )
    assert confirmed.answered_by == draft.guest_delegate
    assert confirmed.answered_at is not None
    trail = PartnershipAnswer.objects.filter(partnership=partnership).order_by("at", "pk")
    assert [(a.event, a.by, a.cash) for a in trail] == [
        ("invited", draft.lead_delegate, Decimal("1000")),
        ("confirmed", draft.guest_delegate, Decimal("1500")),
    ]


def test_the_lead_cannot_confirm_for_a_partner(draft):
    partnership = invite(draft)
    with pytest.raises(PermissionDenied):
        answer(partnership, draft.lead_delegate)
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.INVITED


def test_the_coordination_cannot_confirm_for_a_partner(world, draft):
    with pytest.raises(PermissionDenied):
        answer(invite(draft), world.coordinator)


def test_an_administrator_cannot_confirm_for_a_partner(world, draft):
    with pytest.raises(PermissionDenied):
        answer(invite(draft), world.admin)


def test_a_colleague_who_is_not_its_delegate_cannot_confirm_for_a_member(draft):
    colleague = AffiliationFactory(organisation=draft.guest).person
    with pytest.raises(PermissionDenied):
        answer(invite(draft), colleague)


def test_people_of_a_non_member_partner_confirm_for_it(world):
    # given a call open to non-members and an organisation with no delegate at the table
    call = call_on(world.table_a, partners_must_be_members=False)
    application = ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a)
    outside = OrganisationFactory(sector=Sector.PHILANTHROPIC)
    staff = AffiliationFactory(organisation=outside).person
    partnership = services.partner_invite(
        project=application.project, organisation=outside, by=world.delegate_a
    )
    # when / then
    assert acts_for(staff, outside.pk, world.table_a.pk)
    assert answer(partnership, staff).status == Partnership.Status.CONFIRMED


def test_the_partner_may_decline(draft):
    declined = answer(invite(draft), draft.guest_delegate, confirm=False)
    assert declined.status == Partnership.Status.DECLINED
    assert declined.answered_by == draft.guest_delegate


def test_the_lead_is_told_of_the_answer(draft, django_capture_on_commit_callbacks):
    partnership = invite(draft)
    with django_capture_on_commit_callbacks(execute=True):
        answer(partnership, draft.guest_delegate)
    assert [m.to for m in mail.outbox] == [[draft.lead_delegate.email]]


def test_a_change_of_terms_after_confirmation_needs_a_new_confirmation(
    draft, django_capture_on_commit_callbacks
):
    # given a confirmed partner
    partnership = answer(invite(draft), draft.guest_delegate)
    # when the lead changes its contribution
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.partner_update_terms(
            partnership=partnership,
            expected_version=partnership.version,
            by=draft.lead_delegate,
            cash=Decimal("3000"),
        )
    # then the partner must confirm again, and is asked to
    assert changed.status == Partnership.Status.INVITED
    assert changed.needs_reconfirmation
    assert draft.guest_delegate.email in [address for m in mail.outbox for address in m.to]
    reconfirmed = answer(changed, draft.guest_delegate)
    assert reconfirmed.status == Partnership.Status.CONFIRMED and not reconfirmed.needs_reconfirmation


def test_saving_the_same_terms_keeps_the_confirmation(draft):
    partnership = answer(invite(draft), draft.guest_delegate)
    same = services.partner_update_terms(
        partnership=partnership,
        expected_version=partnership.version,
        by=draft.lead_delegate,
        cash=partnership.cash,
    )
    assert same.status == Partnership.Status.CONFIRMED


def test_an_answer_on_terms_that_changed_meanwhile_is_refused(draft):
    # given the partner opened the page, then the lead changed the terms
    partnership = invite(draft)
    opened_on = partnership.version
    services.partner_update_terms(
        partnership=partnership, expected_version=opened_on, by=draft.lead_delegate, cash=Decimal("2000")
    )
    # when the partner confirms what it saw
    with pytest.raises(services.EditConflict):
        services.partner_answer(
            partnership=partnership, by=draft.guest_delegate, confirm=True, expected_version=opened_on
        )
    # then nothing is confirmed
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.INVITED


def test_in_kind_needs_a_description(draft):
    with pytest.raises(ValidationError):
        answer(invite(draft), draft.guest_delegate, in_kind=Decimal("500"), in_kind_description="")


def test_the_lead_is_not_its_own_partner(draft):
    with pytest.raises(ValidationError):
        services.partner_invite(
            project=draft.project, organisation=draft.project.lead, by=draft.lead_delegate
        )


def test_an_organisation_is_invited_once(draft):
    invite(draft)
    with pytest.raises(ValidationError):
        invite(draft)


def test_a_partner_the_budget_counts_on_cannot_be_removed(draft):
    partnership = answer(invite(draft), draft.guest_delegate)
    BudgetLineFactory(
        project=draft.project,
        organisation=draft.guest,
        source=BudgetLine.Source.CONTRIBUTION,
        amount=Decimal("500"),
    )
    with pytest.raises(ValidationError):
        services.partner_remove(partnership=partnership, by=draft.lead_delegate)


def test_the_partner_page_confirms_through_the_form(world, draft):
    partnership = invite(draft)
    client = client_as(world, "outsider")
    client.force_login(draft.guest_delegate)
    url = reverse("projects:partner-answer", args=[draft.project_id, partnership.pk])
    response = client.post(
        url,
        {
            "answer": "confirm",
            "role": "Accueil",
            "cash": "1200",
            "in_kind": "0",
            "in_kind_description": "",
            "version": partnership.version,
        },
    )
    assert response.status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).cash == Decimal("1200")


@pytest.mark.parametrize(
    ("field", "value"),
    [("cash", "-5"), ("cash", "beaucoup"), ("role", "x" * 501), ("answer", "maybe"), ("version", "")],
)
def test_the_partner_form_refuses_bad_input(world, draft, field, value):
    partnership = invite(draft)
    client = client_as(world, "outsider")
    client.force_login(draft.guest_delegate)
    data = {
        "answer": "confirm",
        "role": "Accueil",
        "cash": "1200",
        "in_kind": "0",
        "version": partnership.version,
    }
    data[field] = value
    response = client.post(reverse("projects:partner-answer", args=[draft.project_id, partnership.pk]), data)
    assert response.status_code == 200
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.INVITED


def test_another_projects_partnership_id_gives_404(world, draft):
    other = ready_application(call_on(world.table_a)).project.partnerships.first()
    response = client_as(world, "delegate_a").get(
        reverse("projects:partner-terms", args=[draft.project_id, other.pk])
    )
    assert response.status_code == 404


def test_the_invite_form_offers_only_members_when_the_call_wants_them(world, draft):
    stranger = OrganisationFactory()
    response = client_as(world, "delegate_a").post(
        reverse("projects:partner-invite", args=[draft.project_id]),
        {"organisation": stranger.pk, "cash": "0", "in_kind": "0"},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Partnership.objects.filter(organisation=stranger).exists()
