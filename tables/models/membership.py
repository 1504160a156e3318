import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.fields import ChoiceListField
from members.models import Delegation, Organisation, User

from .table import Table


class Contribution(models.TextChoices):
    """What a partner is expected to bring (CommunAgir)."""

    EXPERIENCE = "experience", _("Experience")
    EXPERTISE = "expertise", _("Expertise")
    RESOURCES = "resources", _("Human, material or financial resources")
    AUTHORITY = "authority", _("Role or authority")
    PRESENCE = "presence", _("Presence and time")
    SKILLS = "skills", _("Skills")


class MemberRole(models.TextChoices):
    """What the table expects of its members."""

    SHARE_INFORMATION = "share_information", _("Share information with the table")
    SPREAD_INFORMATION = "spread_information", _("Spread information in their organisation")
    REPRESENT_SECTOR = "represent_sector", _("Represent their sector")
    REPRESENT_ORGANISATION = "represent_organisation", _("Represent their organisation")
    SHED_LIGHT = "shed_light", _("Shed light on the issues")


class Power(models.TextChoices):
    """Powers given to partners (CommunAgir)."""

    CONTRIBUTION = "contribution", _("Contribution")
    COCONSTRUCTION = "coconstruction", _("Elaboration and co-construction")
    DECISION = "decision", _("Decision")
    EVALUATION = "evaluation", _("Evaluation of results")


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(left__isnull=True) | Q(left__gt=on), joined__lte=on)

    def voting(self):
        return self.filter(status=Membership.Status.VOTING)


class Membership(models.Model):
    """An organisation sits at a table, as voting member or observer."""

    class Status(models.TextChoices):
        VOTING = "voting", _("Voting member")
        OBSERVER = "observer", _("Observer")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.VOTING)
    joined = models.DateField(_("joined"), default=timezone.localdate)
    left = models.DateField(_("left"), null=True, blank=True)
    contributions = ChoiceListField(_("expected contributions"), choices_class=Contribution)
    roles = ChoiceListField(_("roles at the table"), choices_class=MemberRole)
    powers = ChoiceListField(_("powers"), choices_class=Power)
    note = models.TextField(_("note"), blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "organisation"],
                condition=Q(left__isnull=True),
                name="one_current_membership_per_table",
            ),
            models.CheckConstraint(
                condition=Q(left__isnull=True) | Q(left__gte=models.F("joined")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} @ {self.table}"

    @property
    def is_active(self):
        today = timezone.localdate()
        return self.joined <= today and (self.left is None or self.left > today)

    def contribution_labels(self):
        return self._meta.get_field("contributions").labels(self.contributions)

    def role_labels(self):
        return self._meta.get_field("roles").labels(self.roles)

    def power_labels(self):
        return self._meta.get_field("powers").labels(self.powers)


def members_for_audience(table, audience: str, committee=None, sector: str = ""):
    """The memberships, active today, of the members a message or a consultation is for:
    all of the table's, its voting members, one sector's or one committee's. `audience` is
    one of the values `Communique.Audience` and `Consultation.Audience` share."""
    memberships = Membership.objects.active().filter(table=table)
    if audience == "voting":
        return memberships.voting()
    if audience == "sector":
        return memberships.filter(organisation__sector=sector)
    if audience == "committee":
        return memberships.filter(committees=committee)
    return memberships


def people_sitting_for(memberships):
    """The people, active today, who sit as delegate or substitute for these memberships,
    each once, in order of id."""
    seats = Delegation.objects.active().filter(membership__in=memberships).values("person_id")
    return User.objects.filter(pk__in=seats, is_active=True).order_by("pk")


class Coordinator(models.Model):
    """A person who runs a table: may manage that table, and only that table."""

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="coordinators"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="coordinator_roles",
    )
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")
        constraints = [
            models.UniqueConstraint(fields=["table", "person"], name="one_coordinator_role_per_table")
        ]

    def __str__(self):
        return f"{self.person} – {self.table}"


def new_invitation_token():
    return secrets.token_urlsafe(32)


def invitation_expiry():
    return timezone.now() + timedelta(days=Invitation.VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A coordinator invites a person by email to represent a member organisation."""

    VALID_DAYS = 30

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Delegation.Role.choices)
    message = models.TextField(_("personal message"), blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["email"])]

    def __str__(self):
        return f"{self.email} → {self.membership}"

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING
