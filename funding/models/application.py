"""An application: a joint project submitted to a call, its path from draft to closed,
its frozen versions and the audit log of every decision and transition."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tables.models import Resolution

from .call import FundingCall


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBILITY = "eligibility", _("Eligibility check")
    INELIGIBLE = "ineligible", _("Not eligible")
    IN_REVIEW = "in_review", _("In review")
    RECOMMENDED = "recommended", _("Recommended")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    FUNDED = "funded", _("Funded")
    REFUSED = "refused", _("Refused")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Actor(models.TextChoices):
    """Who may make a transition."""

    LEAD = "lead", _("the lead organisation")
    MANAGER = "manager", _("the call's managers")
    DECIDER = "decider", _("those who decide for the call")


# (from, to) -> who may move an application along that edge. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.SUBMITTED): Actor.LEAD,
    (Status.SUBMITTED, Status.WITHDRAWN): Actor.LEAD,
    (Status.ELIGIBILITY, Status.WITHDRAWN): Actor.LEAD,
    (Status.WITHDRAWN, Status.DRAFT): Actor.LEAD,
    (Status.SUBMITTED, Status.ELIGIBILITY): Actor.MANAGER,
    (Status.ELIGIBILITY, Status.IN_REVIEW): Actor.MANAGER,
    (Status.ELIGIBILITY, Status.INELIGIBLE): Actor.MANAGER,
    (Status.IN_REVIEW, Status.RECOMMENDED): Actor.MANAGER,
    (Status.IN_REVIEW, Status.NOT_RECOMMENDED): Actor.MANAGER,
    (Status.RECOMMENDED, Status.FUNDED): Actor.DECIDER,
    (Status.RECOMMENDED, Status.REFUSED): Actor.DECIDER,
    (Status.NOT_RECOMMENDED, Status.FUNDED): Actor.DECIDER,
    (Status.NOT_RECOMMENDED, Status.REFUSED): Actor.DECIDER,
    (Status.FUNDED, Status.IN_PROGRESS): Actor.LEAD,
    (Status.IN_PROGRESS, Status.CLOSED): Actor.MANAGER,
}

# Applications that count against the limit per lead organisation: everything submitted
# and not withdrawn.
COUNTED = [s for s in Status.values if s not in {Status.DRAFT, Status.WITHDRAWN}]
# Applications whose awarded amount is taken from the envelope.
COMMITTED = [Status.FUNDED, Status.IN_PROGRESS, Status.CLOSED]
# Applications the call's managers see (the applicants' drafts stay theirs).
SUBMITTED_ONCE = [s for s in Status.values if s not in {Status.DRAFT}]
DECIDED = [Status.FUNDED, Status.REFUSED, Status.IN_PROGRESS, Status.CLOSED]


class ApplicationQuerySet(models.QuerySet):
    def counted(self):
        return self.filter(status__in=COUNTED)

    def committed(self):
        return self.filter(status__in=COMMITTED)

    def committed_total(self) -> Decimal:
        return self.committed().aggregate(total=Sum("awarded_amount"))["total"] or Decimal("0")


class Application(models.Model):
    Status = Status

    call = models.ForeignKey(
        FundingCall, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    requested_amount = models.DecimalField(
        _("amount requested ($)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    awarded_amount = models.DecimalField(
        _("amount awarded ($)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
    )
    conditions = models.TextField(_("conditions"), blank=True)
    decision_note = models.TextField(_("reasons"), blank=True)
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("resolution of the table"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_decisions",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conditions_accepted_at = models.DateTimeField(_("conditions accepted"), null=True, blank=True)
    conditions_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "project"], name="one_application_per_project_and_call"),
            models.CheckConstraint(
                condition=Q(awarded_amount__isnull=True) | Q(status__in=COMMITTED),
                name="only_funded_applications_have_an_award",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return f"{self.project} → {self.call}"

    def get_absolute_url(self):
        return reverse("funding:application-detail", args=[self.call_id, self.pk])

    @staticmethod
    def actor_for(current: str, new: str) -> str | None:
        return TRANSITIONS.get((current, new))

    def next_statuses(self, actor: str | None = None) -> list[str]:
        return [
            new
            for (current, new), who in TRANSITIONS.items()
            if current == self.status and (actor is None or who == actor)
        ]

    def set_status(self, status: str) -> None:
        """Move along an allowed edge, or refuse with a plain message."""
        if (self.status, status) not in TRANSITIONS:
            raise ValidationError(
                _("An application cannot go from “%(current)s” to “%(new)s”.")
                % {"current": self.get_status_display(), "new": Status(status).label},
                code="transition",
            )
        self.status = status

    @property
    def is_draft(self):
        return self.status == Status.DRAFT

    @property
    def is_committed(self):
        return self.status in COMMITTED

    @property
    def is_decided(self):
        return self.status in DECIDED

    @property
    def latest_version(self):
        versions = list(self.versions.all())
        return max(versions, key=lambda version: version.number) if versions else None


class ApplicationVersion(models.Model):
    """What was submitted, frozen: the project, its partners and their confirmed
    contributions, the budget and the rules as they stood. Each submission adds one."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    data = models.JSONField(_("content"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        ordering = ["application", "-number"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="one_version_number_per_application"
            )
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"


class AuditEntry(models.Model):
    """One decision or transition: who, when, what changed. Never edited."""

    class Action(models.TextChoices):
        CALL_CREATED = "call_created", _("Call created")
        CALL_UPDATED = "call_updated", _("Call changed")
        CALL_PUBLISHED = "call_published", _("Call published")
        FUNDERS_CHANGED = "funders_changed", _("Funders' shares changed")
        GRID_CHANGED = "grid_changed", _("Evaluation grid changed")
        DOCUMENTS_CHANGED = "documents_changed", _("Required documents changed")
        REVIEWER_ADDED = "reviewer_added", _("Reviewer named")
        REVIEWER_REMOVED = "reviewer_removed", _("Reviewer removed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        DECIDED = "decided", _("Decision recorded")
        CONFLICT_DECLARED = "conflict_declared", _("Interests declared")
        REVIEW_SUBMITTED = "review_submitted", _("Review submitted")
        SCHEDULE_CHANGED = "schedule_changed", _("Disbursement schedule changed")
        TRANCHE_RELEASED = "tranche_released", _("Tranche released")
        REPORT_SUBMITTED = "report_submitted", _("Report submitted")
        REPORT_ACCEPTED = "report_accepted", _("Report accepted")

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="audit_entries")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    # {field: [before, after]} as plain strings
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"
