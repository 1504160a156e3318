"""Action plans co-constructed from an agreement: axes, objectives (some fixed by the
agreement, the others co-built), actions with an accountable lead and committed partners,
indicators with dated measurements, and progress reports."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.fields import ChoiceListField
from members.models import Organisation

from .table import Table


class Agreement(models.Model):
    """An entente sectorielle or spécifique: the parties' commitment that frames a plan."""

    class Kind(models.TextChoices):
        SECTORAL = "sectoral", _("Sectoral agreement")
        SPECIFIC = "specific", _("Specific agreement")
        OTHER = "other", _("Other agreement")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="agreements"
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SPECIFIC)
    parties = models.ManyToManyField(
        Organisation, verbose_name=_("parties"), related_name="agreements", blank=True
    )
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))
    envelope = models.DecimalField(
        _("envelope ($)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("description"), blank=True)
    signed_document = models.FileField(_("signed agreement"), upload_to="agreements/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="agreement_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name


class AgreementObjective(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("objective of the agreement")
        verbose_name_plural = _("objectives of the agreement")

    def __str__(self):
        return f"{self.code} {self.title}"


class ActionPlan(models.Model):
    """One version of a table's action plan for a period."""

    class Status(models.TextChoices):
        COCONSTRUCTION = "coconstruction", _("In co-construction")
        SUBMITTED = "submitted", _("Submitted for adoption")
        ADOPTED = "adopted", _("Adopted")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {
        Status.COCONSTRUCTION: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.COCONSTRUCTION, Status.ADOPTED},
        Status.ADOPTED: {Status.IN_PROGRESS, Status.CLOSED},
        Status.IN_PROGRESS: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    table = models.ForeignKey(Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="plans")
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=255)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.COCONSTRUCTION
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    vision = models.TextField(_("shared vision"), blank=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts", "-version"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="plan_ends_after_start")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tables:plan-detail", args=[self.table.slug, self.pk])

    @property
    def is_open_to_members(self):
        """Members propose and comment while the plan is being co-constructed."""
        return self.status == self.Status.COCONSTRUCTION

    @property
    def is_frozen(self):
        """An adopted plan's content is the version the resolution adopted; only progress
        (status, %, updates, measurements) moves after that."""
        return self.status in {self.Status.ADOPTED, self.Status.IN_PROGRESS, self.Status.CLOSED}

    def set_status(self, status):
        if status not in self.TRANSITIONS[self.status]:
            raise ValidationError(
                _("A plan cannot go from “%(current)s” to “%(new)s”.")
                % {"current": self.get_status_display(), "new": self.Status(status).label}
            )
        self.status = status


class Axis(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("axis")
        verbose_name_plural = _("axes")

    def __str__(self):
        return f"{self.number}. {self.title}"


class Objective(models.Model):
    class Origin(models.TextChoices):
        NON_NEGOTIABLE = "non_negotiable", _("Non-negotiable (set by the agreement)")
        COCONSTRUCTED = "coconstructed", _("Co-constructed")

    axis = models.ForeignKey(
        Axis, verbose_name=_("axis"), on_delete=models.CASCADE, related_name="objectives"
    )
    number = models.CharField(_("number"), max_length=10)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.COCONSTRUCTED
    )
    agreement_objective = models.ForeignKey(
        AgreementObjective,
        verbose_name=_("objective of the agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_objectives",
    )

    class Meta:
        ordering = ["axis__number", "number"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_non_negotiable(self):
        return self.origin == self.Origin.NON_NEGOTIABLE


class CommitmentLevel(models.TextChoices):
    PASSIVE = "passive", _("Passive (kept informed)")
    PARTICIPATIVE = "participative", _("Participative (takes part)")
    MOBILISING = "mobilising", _("Mobilising (brings others)")
    ACTIVE = "active", _("Active (carries part of the work)")


class ResourceKind(models.TextChoices):
    HUMAN = "human", _("Human resources")
    MATERIAL = "material", _("Material resources")
    FINANCIAL = "financial", _("Financial resources")
    IN_KIND = "in_kind", _("In-kind contribution")


class ActionQuerySet(models.QuerySet):
    def in_plan(self):
        """Actions that are part of the plan (not withdrawn, not merged into another)."""
        return self.filter(state=Action.State.ACCEPTED)

    def late(self, today=None):
        today = today or timezone.localdate()
        return (
            self.in_plan()
            .filter(ends__lt=today)
            .exclude(status__in=[Action.Status.DONE, Action.Status.ABANDONED])
        )


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        ABANDONED = "abandoned", _("Abandoned")

    class State(models.TextChoices):
        """Where the action stands in co-construction."""

        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("In the plan")
        MERGED = "merged", _("Merged into another action")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="actions"
    )
    number = models.CharField(_("number"), max_length=12, blank=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation (accountable)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    starts = models.DateField(_("start"), null=True, blank=True)
    ends = models.DateField(_("end"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget ($)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    abandon_reason = models.TextField(_("reason for abandoning"), blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACCEPTED)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic locking for edits by several people.
    version = models.PositiveIntegerField(default=1)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["objective__axis__number", "objective__number", "number", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["lead", "status"]), models.Index(fields=["state", "ends"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(starts__isnull=True) | Q(ends__gte=models.F("starts")),
                name="action_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def clean(self):
        if self.status == self.Status.ABANDONED and not self.abandon_reason.strip():
            raise ValidationError({"abandon_reason": _("Say why the action is abandoned.")})
        if self.status == self.Status.DONE:
            self.progress = 100

    @property
    def is_late(self):
        return (
            self.ends is not None
            and self.ends < timezone.localdate()
            and self.status not in {self.Status.DONE, self.Status.ABANDONED}
        )

    @property
    def counts_for_progress(self):
        return self.status != self.Status.ABANDONED


class ActionCommitment(models.Model):
    """What an organisation says it will do for an action: lead it, take part (with a
    commitment level and what it brings), or not take part. Only the organisation's own
    delegates state it."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Will lead")
        PARTNER = "partner", _("Will take part")
        NONE = "none", _("Will not take part")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="commitments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="action_commitments"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    level = models.CharField(
        _("commitment level"), max_length=20, choices=CommitmentLevel.choices, blank=True
    )
    resources = ChoiceListField(_("what it brings"), choices_class=ResourceKind)
    note = models.CharField(_("details"), max_length=500, blank=True)
    stated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stated_at = models.DateTimeField(_("stated"), default=timezone.now)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["action", "organisation"], name="one_commitment_per_organisation")
        ]

    def __str__(self):
        return f"{self.organisation} – {self.action}"

    def resources_labels(self):
        return self._meta.get_field("resources").labels(self.resources)


class ActionComment(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment on an action")
        verbose_name_plural = _("comments on actions")

    def __str__(self):
        return self.text[:60]


class Indicator(models.Model):
    class Kind(models.TextChoices):
        RESULT = "result", _("Result")
        PROCESS = "process", _("Process")

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RESULT)
    name = models.CharField(_("indicator"), max_length=255)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=(Q(objective__isnull=False) & Q(action__isnull=True))
                | (Q(objective__isnull=True) & Q(action__isnull=False)),
                name="indicator_on_objective_or_action",
            )
        ]

    def __str__(self):
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=255)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        ordering = ["-measured_on", "-pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.measured_on})"


class ProgressUpdate(models.Model):
    """A lead's report on an action: what moved, the new progress, evidence."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("what moved"))
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    attachment = models.FileField(_("attachment"), upload_to="plans/updates/%Y/", blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self):
        return f"{self.action}: {self.progress} %"
