"""A funding call (appel de projets): its envelope shared between funders, its dates, the
territories and plan objectives it serves, its evaluation grid, the documents it asks for
and its partnership rules."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Region
from tables.models import Objective, Table

from .funder import Funder

# Every criterion is scored on the same scale; its weight says how much it counts.
SCORE_MAX = 5


class FundingCallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def open(self, now=None):
        now = now or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def visible_to(self, user):
        """Published calls of the tables the user may see, the calls they review or whose
        funder they work for, and every call they manage (drafts included)."""
        from ..permissions import funding_roles

        roles = funding_roles(user)
        if roles.access.is_admin:
            return self
        seen_tables = Table.objects.visible_to(user).values("pk")
        funder_calls = CallFunder.objects.filter(funder_id__in=roles.access.funder_ids).values("call_id")
        managed_calls = CallFunder.objects.filter(funder_id__in=roles.manager_funder_ids).values("call_id")
        return self.filter(
            Q(published_at__isnull=False)
            & (Q(table__in=seen_tables) | Q(pk__in=funder_calls) | Q(pk__in=roles.reviewer_call_ids))
            | Q(table_id__in=roles.access.coordinated_table_ids)
            | Q(pk__in=managed_calls)
        )


class FundingCall(models.Model):
    """A call for joint projects at a table: only projects built in partnership apply."""

    class Phase(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        UPCOMING = "upcoming", _("Opens soon")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.PROTECT, related_name="funding_calls"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), help_text=_("What the call is for, who may apply and how projects are chosen.")
    )
    envelope = models.DecimalField(
        _("envelope ($)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes (deadline)"))
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("eligible territories"),
        blank=True,
        related_name="funding_calls",
        help_text=_("Leave empty to accept projects from every region."),
    )
    objectives = models.ManyToManyField(
        Objective,
        verbose_name=_("action-plan objectives a project must serve"),
        blank=True,
        related_name="funding_calls",
        help_text=_("A project must serve at least one of them. Leave empty for none."),
    )
    min_partners = models.PositiveSmallIntegerField(
        _("minimum partner organisations besides the lead"),
        default=2,
        validators=[MaxValueValidator(20)],
    )
    min_sectors = models.PositiveSmallIntegerField(
        _("minimum distinct sectors among the lead and partners"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    max_applications_per_lead = models.PositiveSmallIntegerField(
        _("applications the same organisation may lead"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    max_request = models.DecimalField(
        _("maximum amount requested ($)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("Leave empty for no cap other than the envelope."),
    )
    max_request_share = models.PositiveSmallIntegerField(
        _("maximum share of the project's budget requested (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The rest comes from the partners' cash or in-kind contributions or other sources."),
    )
    partners_must_be_members = models.BooleanField(
        _("the lead and partners must be members of the table"), default=True
    )
    decision_by_resolution = models.BooleanField(
        _("decisions are recorded with a resolution of the table"),
        default=True,
        help_text=_(
            "Checked: the table's coordination records each decision with the number of the "
            "resolution that adopted it. Unchecked: the funders' programme managers decide."
        ),
    )
    results_public = models.BooleanField(
        _("publish the funded projects"),
        default=True,
        help_text=_(
            "Checked: once decided, anyone who can see the call sees which joint projects it "
            "funded (title, lead, partners, amount, territory). Unchecked: the table keeps the "
            "results private."
        ),
    )
    # The reviews' deadline unless an assignment says otherwise (funding/assignments.py).
    review_due_on = models.DateField(_("reviews due by default"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    members_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FundingCallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        indexes = [
            models.Index(fields=["table", "published_at"]),
            # The call list's order: open calls closing soonest first, closed ones latest first.
            models.Index(fields=["closes_at", "id"], name="call_closes_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_open"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("funding:call-detail", args=[self.pk])

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The call must close after it opens.")})

    @property
    def is_published(self):
        return self.published_at is not None

    def phase(self, now=None):
        now = now or timezone.now()
        if not self.is_published:
            return self.Phase.DRAFT
        if now < self.opens_at:
            return self.Phase.UPCOMING
        if now < self.closes_at:
            return self.Phase.OPEN
        return self.Phase.CLOSED

    def get_phase_display(self):
        return self.Phase(self.phase()).label

    def is_open(self, now=None):
        return self.phase(now) == self.Phase.OPEN

    def before_deadline(self, now=None):
        return (now or timezone.now()) < self.closes_at

    @property
    def funder_ids(self) -> set[int]:
        """Ids of the call's funders, from the prefetched shares when there are."""
        return {share.funder_id for share in self.shares.all()}


class CallFunder(models.Model):
    """A funder's share of a call's envelope."""

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="shares")
    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="call_shares"
    )
    amount = models.DecimalField(
        _("share of the envelope ($)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )

    class Meta:
        ordering = ["-amount", "pk"]
        verbose_name = _("funder of a call")
        verbose_name_plural = _("funders of a call")
        constraints = [models.UniqueConstraint(fields=["call", "funder"], name="one_share_per_funder")]

    def __str__(self):
        return f"{self.funder} – {self.amount}"


class Criterion(models.Model):
    """A line of the evaluation grid: scored 0 to SCORE_MAX, counting for `weight` points."""

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(
        _("guidance for reviewers"), blank=True, help_text=_("What a high score and a low score look like.")
    )
    weight = models.PositiveSmallIntegerField(
        _("weight (points)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    def __str__(self):
        return self.title


class RequiredDocument(models.Model):
    """A document applicants attach (a letter of support from each partner, a budget
    detail…). A mandatory one blocks submission until it is attached."""

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="required_documents")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("document"), max_length=200)
    description = models.CharField(_("what it must contain"), max_length=500, blank=True)
    mandatory = models.BooleanField(_("required for submission"), default=True)
    # A letter of support is one per partner: each confirmed partner uploads its own.
    from_each_partner = models.BooleanField(
        _("one from each partner"),
        default=False,
        help_text=_("Each confirmed partner organisation uploads its own, when it confirms."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self):
        return self.name
