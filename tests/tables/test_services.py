from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.access import access_for
from members.models import Affiliation, Delegation
from tables import services
from tables.models import GovernanceRules, Invitation
from tests.factories import (
    AffiliationFactory,
    DelegationFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_rules_amend_adds_a_version_and_keeps_the_old_one_in_force_before_its_date():
    # given a table whose first rules took effect in 2020
    table = TableFactory(rules__quorum_percent=50, rules__notice_days=10)
    # when the rules change from 2026-09-01
    new = services.rules_amend(
        table=table, by=UserFactory(), effective_from=date(2026, 9, 1), quorum_percent=40, notice_days=7
    )
    # then both versions exist and each date is judged by its own rules
    assert new.version == 2
    assert table.rules_on(date(2026, 8, 31)).quorum_percent == 50
    assert table.rules_on(date(2026, 9, 1)).notice_days == 7
    assert GovernanceRules.objects.filter(table=table).count() == 2


def test_rules_amend_refuses_an_out_of_range_quorum():
    table = TableFactory()
    with pytest.raises(ValidationError):
        services.rules_amend(table=table, by=None, effective_from=date(2026, 1, 1), quorum_percent=150)
    assert table.rules_versions.count() == 1


@pytest.mark.parametrize(
    ("percent", "strict", "voting", "needed"),
    [
        (50, True, 35, 18),
        (50, True, 34, 18),
        (50, False, 34, 17),
        (40, False, 35, 14),
        (100, True, 3, 3),
        (50, True, 0, 0),
    ],
)
def test_quorum_required(percent, strict, voting, needed):
    rules = GovernanceRules(quorum_percent=percent, quorum_strictly_more=strict)
    assert rules.quorum_required(voting) == needed


def test_membership_add_refuses_an_organisation_already_at_the_table():
    membership = MembershipFactory()
    with pytest.raises(ValidationError):
        services.membership_add(table=membership.table, organisation=membership.organisation)


def test_membership_end_closes_delegations_and_withdraws_invitations():
    delegation = DelegationFactory()
    invitation = InvitationFactory(membership=delegation.membership)
    services.membership_end(membership=delegation.membership, on=timezone.localdate())
    delegation.refresh_from_db()
    invitation.refresh_from_db()
    assert delegation.end == timezone.localdate()
    assert not Delegation.objects.active().filter(pk=delegation.pk).exists()
    assert invitation.status == Invitation.Status.REVOKED


def test_invitation_send_emails_a_bilingual_link(django_capture_on_commit_callbacks):
    membership = MembershipFactory()
    coordinator = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_send(
            membership=membership, email="New.Person@Example.org", role="delegate", by=coordinator
        )
    assert invitation.email == "new.person@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert f"/invitations/{invitation.token}/" in message.body
    assert "Pour accepter" in message.body and "To accept" in message.body
    assert membership.table.name in message.subject


def test_invitation_email_is_not_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    membership = MembershipFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitation_send(
            membership=membership, email="a@example.org", role="delegate", by=UserFactory()
        )
    # The email is queued only on commit: a rolled back request never sends it.
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_accepting_an_invitation_attaches_the_person_and_replaces_the_delegate():
    # given a membership with a delegate, and an invitation for a new delegate
    old = DelegationFactory(role=Delegation.Role.DELEGATE)
    invitation = InvitationFactory(membership=old.membership, email="newcomer@example.org")
    newcomer = UserFactory(email="newcomer@example.org")
    # when the newcomer accepts
    delegation = services.invitation_accept(invitation=invitation, person=newcomer)
    # then they represent the organisation, work for it, and the old delegate stepped down
    old.refresh_from_db()
    assert delegation.role == Delegation.Role.DELEGATE
    assert delegation.membership == old.membership
    assert old.end == timezone.localdate()
    assert newcomer.affiliations.get(end__isnull=True).organisation == old.membership.organisation
    assert access_for(newcomer).represents(old.membership.table_id, old.membership.organisation_id)


def test_accepting_moves_the_person_from_their_previous_organisation():
    previous = AffiliationFactory()
    invitation = InvitationFactory(email=previous.person.email)
    services.invitation_accept(invitation=invitation, person=previous.person)
    previous.refresh_from_db()
    assert previous.end is not None
    assert Affiliation.objects.get(person=previous.person, end__isnull=True).organisation == (
        invitation.membership.organisation
    )


def test_an_invitation_cannot_be_accepted_with_another_address():
    invitation = InvitationFactory(email="invited@example.org")
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, person=UserFactory(email="someone.else@example.org")
        )
    assert not Delegation.objects.filter(membership=invitation.membership).exists()


def test_an_invitation_cannot_be_accepted_twice():
    invitation = InvitationFactory(email="twice@example.org")
    person = UserFactory(email="twice@example.org")
    services.invitation_accept(invitation=invitation, person=person)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, person=person)


def test_an_expired_invitation_cannot_be_accepted():
    invitation = InvitationFactory(email="late@example.org", expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, person=UserFactory(email="late@example.org"))


def test_a_substitute_invitation_keeps_the_delegate():
    delegate = DelegationFactory()
    invitation = InvitationFactory(membership=delegate.membership, email="sub@example.org", role="substitute")
    services.invitation_accept(invitation=invitation, person=UserFactory(email="sub@example.org"))
    roles = sorted(delegate.membership.delegations.active().values_list("role", flat=True))
    assert roles == ["delegate", "substitute"]


def test_swapping_a_substitute_makes_the_delegate_substitute():
    delegate = DelegationFactory(role="delegate")
    substitute = DelegationFactory(membership=delegate.membership, role="substitute")
    services.delegation_swap(delegation=substitute)
    current = dict(delegate.membership.delegations.active().values_list("person_id", "role"))
    assert current == {substitute.person_id: "delegate", delegate.person_id: "substitute"}


def test_only_one_current_delegate_per_membership_is_allowed_by_the_database():
    from django.db import IntegrityError, transaction

    delegation = DelegationFactory(role="delegate")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(membership=delegation.membership, person=UserFactory(), role="delegate")


def test_table_create_records_first_rules_and_coordinators():
    admin = UserFactory(is_superuser=True)
    coordinator = UserFactory()
    table = services.table_create(
        by=admin,
        coordinators=[coordinator],
        name="Table jeunesse",
        slug="table-jeunesse",
        kind="thematic",
        scope="multisectoral",
        theme="youth",
        region=OrganisationFactory().region,
    )
    assert table.rules_versions.get().version == 1
    assert table.coordinators.filter(person=coordinator).exists()
    assert access_for(coordinator).coordinates(table.pk)
