"""Writes that touch several rows or have side effects. Views, admin, commands and tasks
all go through these functions."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import forget_access
from members.emails import bilingual_line, queue_email, render_bilingual, site_url
from members.formatting import date_long
from members.models import Delegation, EmailKind, Organisation, User
from members.services import person_affiliate

from ..models import Coordinator, GovernanceRules, Invitation, Membership, Resolution, Table

__all__ = [
    "RULE_FIELDS",
    "delegation_end",
    "delegation_swap",
    "invitation_accept",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "membership_add",
    "membership_end",
    "rules_amend",
    "table_create",
]

RULE_FIELDS = (
    "quorum_percent",
    "quorum_strictly_more",
    "notice_days",
    "decision_mode",
    "majority_percent",
    "one_vote_per_organisation",
    "substitutes_may_vote",
    "e_votes_allowed",
    "e_vote_majority",
    "e_vote_majority_percent",
    "e_vote_participation_percent",
    "e_vote_min_days",
    "e_vote_objections",
    "members_may_propose",
)


@transaction.atomic
def table_create(*, by: User, coordinators=(), rules: dict | None = None, **fields) -> Table:
    """Create a table with its first version of governance rules (defaults unless given)."""
    table = Table(**fields)
    table.full_clean()
    table.save()
    GovernanceRules.objects.create(
        table=table,
        version=1,
        effective_from=table.founded or timezone.localdate(),
        created_by=by,
        **(rules or {}),
    )
    for person in coordinators:
        Coordinator.objects.get_or_create(table=table, person=person)
    return table


@transaction.atomic
def rules_amend(
    *,
    table: Table,
    by: User,
    effective_from: date,
    note: str = "",
    resolution: Resolution | None = None,
    **values,
) -> GovernanceRules:
    """Record a new version of the table's rules, adopted by `resolution` (one of the
    table's adopted resolutions; None only for rules adopted before the table's register
    was kept here). Earlier versions are never changed, so that a past meeting is always
    judged by the rules in force on its date."""
    Table.objects.select_for_update().filter(pk=table.pk).first()
    if resolution is not None:
        _check_adopting_resolution(table, resolution, effective_from)
    last = table.rules_versions.aggregate(n=Max("version"))["n"] or 0
    rules = GovernanceRules(
        table=table,
        version=last + 1,
        effective_from=effective_from,
        note=note,
        created_by=by,
        **{k: v for k, v in values.items() if k in RULE_FIELDS},
    )
    rules.full_clean()
    rules.save()
    if resolution is not None:
        # A link from the register to the rules it adopted, not a change of its text: an
        # update, so that a resolution of adopted minutes can name the rules too.
        Resolution.objects.filter(pk=resolution.pk).update(adopts_rules=rules)
        resolution.adopts_rules = rules
    return rules


def _check_adopting_resolution(table: Table, resolution: Resolution, effective_from: date) -> None:
    current = (
        Resolution.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=resolution.pk)
    )
    if current.table_id != table.pk:
        raise ValidationError({"resolution": _("Choose a resolution of this table.")})
    if not current.is_adopted:
        raise ValidationError({"resolution": _("A rejected resolution adopts nothing.")})
    if current.adopts_rules_id is not None:
        raise ValidationError(
            {
                "resolution": _("This resolution already adopted version %(version)s of the rules.")
                % {"version": current.adopts_rules.version}
            }
        )
    decided = current.meeting.date if current.meeting_id else timezone.localdate(current.decided_at)
    if effective_from < decided:
        raise ValidationError(
            {
                "effective_from": _(
                    "Rules cannot take effect before the resolution that adopts them, taken on %(date)s."
                )
                % {"date": date_long(decided)}
            }
        )


@transaction.atomic
def membership_add(
    *, table: Table, organisation: Organisation, status: str = Membership.Status.VOTING, joined=None, **fields
) -> Membership:
    if Membership.objects.active().filter(table=table, organisation=organisation).exists():
        raise ValidationError(
            _("%(organisation)s is already a member of this table.") % {"organisation": organisation}
        )
    membership = Membership(
        table=table, organisation=organisation, status=status, joined=joined or timezone.localdate(), **fields
    )
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, on: date | None = None) -> Membership:
    """The organisation leaves the table: its delegations end and pending invitations lapse."""
    on = on or timezone.localdate()
    if on < membership.joined:
        raise ValidationError(_("An organisation cannot leave before it joined."))
    membership.left = on
    membership.save(update_fields=["left"])
    for delegation in membership.delegations.filter(end__isnull=True):
        delegation.end = max(on, delegation.start)
        delegation.save(update_fields=["end"])
    membership.invitations.pending().update(revoked_at=timezone.now())
    return membership


@transaction.atomic
def invitation_send(
    *,
    membership: Membership,
    email: str,
    role: str,
    by: User,
    first_name: str = "",
    last_name: str = "",
    message: str = "",
) -> Invitation:
    """Invite a person to represent a member organisation, and email them the link."""
    if not membership.is_active:
        raise ValidationError(_("This organisation is no longer a member of the table."))
    email = email.strip().lower()
    # A new invitation to the same address for the same seat replaces the old one.
    membership.invitations.pending().filter(email=email).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        membership=membership,
        email=email,
        role=role,
        invited_by=by,
        first_name=first_name,
        last_name=last_name,
        message=message,
    )
    _email_invitation(invitation)
    return invitation


def invitation_resend(*, invitation: Invitation) -> Invitation:
    if not invitation.is_pending:
        raise ValidationError(_("Only a pending invitation can be sent again."))
    _email_invitation(invitation)
    return invitation


def _email_invitation(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "membership": invitation.membership,
        "table": invitation.membership.table,
        "organisation": invitation.membership.organisation,
        "accept_url": site_url(reverse("tables:invitation-accept", args=[invitation.token])),
    }
    queue_email(
        subject=bilingual_line("tables/email/invitation_subject.txt", context)[:180],
        body=render_bilingual("tables/email/invitation_message.txt", context),
        to=[invitation.email],
        kind=EmailKind.INVITATION,
        reply_to=[invitation.invited_by.email] if invitation.invited_by else None,
    )


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.is_pending:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, person: User) -> Delegation:
    """The invited person takes their seat: they join the organisation (closing any other
    affiliation) and become its delegate or substitute at the table. A new delegate
    replaces the previous one, who is thanked and steps down."""
    invitation = Invitation.objects.select_for_update().select_related("membership").get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer valid."))
    if not person.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership = invitation.membership
    if not membership.is_active:
        raise ValidationError(_("This organisation is no longer a member of the table."))
    today = timezone.localdate()
    person_affiliate(person=person, organisation=membership.organisation, on=today)

    open_delegations = membership.delegations.select_for_update().filter(end__isnull=True)
    mine = next((d for d in open_delegations if d.person_id == person.pk), None)
    if mine and mine.role == invitation.role:
        delegation = mine
    else:
        to_close = [d for d in open_delegations if d.person_id == person.pk]
        if invitation.role == Delegation.Role.DELEGATE:
            to_close += [
                d for d in open_delegations if d.role == Delegation.Role.DELEGATE and d not in to_close
            ]
        for old in to_close:
            old.end = max(today, old.start)
            old.save(update_fields=["end"])
        delegation = Delegation.objects.create(
            membership=membership, person=person, role=invitation.role, start=today
        )

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_access(person)
    return delegation


@transaction.atomic
def delegation_end(*, delegation: Delegation, on: date | None = None) -> Delegation:
    on = on or timezone.localdate()
    delegation.end = max(on, delegation.start)
    delegation.save(update_fields=["end"])
    return delegation


@transaction.atomic
def delegation_swap(*, delegation: Delegation) -> Delegation:
    """A substitute becomes the delegate (and the delegate, if any, the substitute), or the
    reverse. Dated history is kept: the old rows end today and new ones start."""
    today = timezone.localdate()
    membership = delegation.membership
    open_delegations = list(membership.delegations.select_for_update().filter(end__isnull=True))
    new_role = (
        Delegation.Role.SUBSTITUTE
        if delegation.role == Delegation.Role.DELEGATE
        else Delegation.Role.DELEGATE
    )
    changes = [(delegation, new_role)]
    if new_role == Delegation.Role.DELEGATE:
        changes += [
            (d, Delegation.Role.SUBSTITUTE) for d in open_delegations if d.role == Delegation.Role.DELEGATE
        ]
    for old, _role in changes:
        old.end = today
        old.save(update_fields=["end"])
    created = [
        Delegation.objects.create(membership=membership, person=old.person, role=role, start=today)
        for old, role in changes
    ]
    return created[0]
