"""A joint project: what it does, for whom, where, which plan objectives it serves, and
how its results and its process will be measured."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, Region
from tables.models import Objective, Table


class Project(models.Model):
    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.PROTECT, related_name="joint_projects"
    )
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("In a few lines, what the project does.")
    )
    needs = models.TextField(_("needs addressed"), blank=True)
    target_population = models.TextField(_("target population"), blank=True)
    territory = models.CharField(
        _("territory"), max_length=200, blank=True, help_text=_("For example: Québec (Vanier, Limoilou).")
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions served"), blank=True, related_name="joint_projects"
    )
    objectives = models.ManyToManyField(
        Objective, verbose_name=_("action-plan objectives served"), blank=True, related_name="joint_projects"
    )
    starts = models.DateField(_("start"), null=True, blank=True)
    ends = models.DateField(_("end"), null=True, blank=True)
    activities = models.TextField(_("activities"), blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic locking: lead and partners edit the same text.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(starts__isnull=True) | Q(ends__gte=models.F("starts")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.pk])


class ProjectIndicator(models.Model):
    """How the project will know it worked: results for people, and the quality of the
    partnership itself (process)."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Result")
        PROCESS = "process", _("Process")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("indicator"), max_length=255)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("project indicator")
        verbose_name_plural = _("project indicators")

    def __str__(self):
        return self.name
