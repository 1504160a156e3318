"""Partner organisations of a project. Each one confirms its own participation, role and
contribution; every answer is kept."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Organisation

from .project import Project

MONEY = {"max_digits": 12, "decimal_places": 2}


class PartnershipQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Partnership.Status.CONFIRMED)

    def involved(self):
        """Partners still in the project: invited or confirmed (not those who declined)."""
        return self.exclude(status=Partnership.Status.DECLINED)


class Partnership(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Waiting for its answer")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="partnerships"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    role = models.CharField(_("role in the project"), max_length=500, blank=True)
    cash = models.DecimalField(
        _("cash contribution ($)"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    in_kind = models.DecimalField(
        _("in-kind contribution, valued ($)"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    in_kind_description = models.CharField(
        _("what the in-kind contribution is"),
        max_length=500,
        blank=True,
        help_text=_("For example: 4 hours a week of a community worker, a meeting room, translation."),
    )
    message = models.TextField(_("message to the partner"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The lead changed the terms after the partner had confirmed them.
    needs_reconfirmation = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="one_partnership_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.project}"

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED

    @property
    def contribution(self) -> Decimal:
        return self.cash + self.in_kind

    def terms(self) -> tuple:
        """What the partner commits to; a change to any of it needs a new confirmation."""
        return (self.role.strip(), self.cash, self.in_kind, self.in_kind_description.strip())


class PartnershipAnswer(models.Model):
    """One answer of a partner (or one change of terms by the lead), as it was: the trail
    of who committed the organisation to what, and when."""

    class Event(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        TERMS_CHANGED = "terms_changed", _("Terms changed by the lead")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="answers")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    role = models.CharField(_("role"), max_length=500, blank=True)
    cash = models.DecimalField(_("cash ($)"), **MONEY, default=Decimal("0"))
    in_kind = models.DecimalField(_("in kind ($)"), **MONEY, default=Decimal("0"))
    in_kind_description = models.CharField(_("in kind"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("partnership answer")
        verbose_name_plural = _("partnership answers")

    def __str__(self):
        return f"{self.partnership}: {self.event}"
