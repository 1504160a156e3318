"""Following a funded project: progress and final reports, and the disbursement
schedule whose tranches are released once their report is accepted."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .application import Application

# What a partner reports it actually brought, over all the project's reports, needs a
# written reason once it is above this share of what it confirmed (or above nothing, when
# it confirmed nothing): a figure far from the commitment is either a typing slip or
# something the funder must understand.
OVER_COMMITMENT_RATIO = Decimal("1.5")


def exceeds_commitment(*, delivered: Decimal, committed: Decimal) -> bool:
    """Is `delivered` far above `committed` (see OVER_COMMITMENT_RATIO)?"""
    delivered = delivered or Decimal("0")
    committed = committed or Decimal("0")
    if delivered <= 0:
        return False
    if committed <= 0:
        return True
    return delivered > committed * OVER_COMMITMENT_RATIO


class ReportQuerySet(models.QuerySet):
    def late(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=Report.Status.EXPECTED, due_on__lt=today)

    def due_within(self, days: int, today=None):
        today = today or timezone.localdate()
        return self.filter(status=Report.Status.EXPECTED, due_on__lte=today + timedelta(days=days))


class Report(models.Model):
    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        FINAL = "final", _("Final report")

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.EXPECTED)
    summary = models.TextField(_("what was done"), blank=True)
    results = models.TextField(_("results for the people reached"), blank=True)
    collaboration = models.TextField(
        _("how the partnership worked"),
        blank=True,
        help_text=_("Participation of the partners, decisions taken together, difficulties met."),
    )
    next_steps = models.TextField(_("next steps"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["application", "due_on", "number"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="one_report_number_per_application"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_late(self):
        return self.status == self.Status.EXPECTED and self.due_on < timezone.localdate()

    @property
    def is_open(self):
        return self.status == self.Status.EXPECTED


class ReportIndicatorValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(
        "projects.ProjectIndicator", on_delete=models.CASCADE, related_name="report_values"
    )
    value = models.DecimalField(_("value reached"), max_digits=14, decimal_places=2, null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("indicator in a report")
        verbose_name_plural = _("indicators in a report")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator_and_report")
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"


class ReportContribution(models.Model):
    """What a partner actually brought during the period, against what it confirmed.

    The lead proposes the figures (`proposed_cash`, `proposed_in_kind`); they stay a
    proposal until a person who speaks for the partner organisation confirms them or
    corrects them (`confirmed_by`, `confirmed_at`). `cash` and `in_kind` are the figures
    that count: the partner's once it confirmed, the lead's proposal until then."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="contributions")
    partnership = models.ForeignKey(
        "projects.Partnership", on_delete=models.CASCADE, related_name="delivered"
    )
    cash = models.DecimalField(
        _("cash delivered ($)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    in_kind = models.DecimalField(
        _("in kind delivered ($)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    proposed_cash = models.DecimalField(
        _("cash proposed by the lead ($)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposed_in_kind = models.DecimalField(
        _("in kind proposed by the lead ($)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("why it is far above the commitment"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed by the partner"), null=True, blank=True)

    class Meta:
        verbose_name = _("contribution delivered")
        verbose_name_plural = _("contributions delivered")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "partnership"], name="one_delivery_per_partner_and_report"
            )
        ]

    def __str__(self):
        return f"{self.partnership}: {self.cash} + {self.in_kind}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_corrected(self) -> bool:
        """The partner confirmed other figures than the lead proposed."""
        return (
            self.is_confirmed
            and self.proposed_cash is not None
            and (self.cash, self.in_kind) != (self.proposed_cash, self.proposed_in_kind)
        )


class Tranche(models.Model):
    """A payment of the award. A tranche tied to a report is released once that report
    is accepted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(
        _("amount ($)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    planned_on = models.DateField(_("planned"))
    report = models.ForeignKey(
        Report,
        verbose_name=_("released once this report is accepted"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tranches",
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["application", "number"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="one_tranche_number_per_application"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
        ]

    def __str__(self):
        return f"{self.number}: {self.amount}"

    @property
    def is_released(self):
        return self.released_at is not None

    @property
    def is_releasable(self):
        return not self.is_released and (
            self.report_id is None or self.report.status == Report.Status.ACCEPTED
        )
