"""The concertation of concertations: per-region thresholds, the shared regional
calendar of activities members declare, the yearly collective self-assessment, and the
annual bilan."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, Region

from .table import Table


class RegionalSettings(models.Model):
    """Alert thresholds of a region's over-solicitation view."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="settings")
    max_tables_per_organisation = models.PositiveSmallIntegerField(
        _("alert above this many tables for one organisation"), default=5
    )
    max_hours_per_month = models.PositiveSmallIntegerField(
        _("alert above this many meeting hours a month for one organisation"), default=12
    )

    class Meta:
        verbose_name = _("regional settings")
        verbose_name_plural = _("regional settings")

    def __str__(self):
        return str(self.region)


class Activity(models.Model):
    """An activity a member organisation declares on the shared regional calendar (a
    recruitment mission in Montréal, a job fair, a forum), so that regions stop sending
    fifty organisations to the same place on the same days."""

    class Kind(models.TextChoices):
        RECRUITMENT_MISSION = "recruitment_mission", _("Recruitment mission")
        JOB_FAIR = "job_fair", _("Job fair")
        FORUM = "forum", _("Forum or conference")
        INFORMATION_SESSION = "information_session", _("Information session")
        OTHER = "other", _("Other activity")

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="activities"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    audience = models.CharField(
        _("for whom"),
        max_length=200,
        blank=True,
        help_text=_("For example: nurses trained abroad, students."),
    )
    place = models.CharField(_("city or place"), max_length=200, help_text=_("For example: Montréal."))
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))
    description = models.TextField(_("description"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        ordering = ["starts", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["kind", "starts"]), models.Index(fields=["region", "starts"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="activity_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title


class ActivityConflictNotice(models.Model):
    """That the organisations of two overlapping activities were told, so they are told once."""

    first = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="one_notice_per_conflict")]

    def __str__(self):
        return f"{self.first} / {self.second}"


class SelfAssessment(models.Model):
    """A table's yearly collective self-assessment: members rate the conditions of their
    concertation; answers are anonymous and shown only aggregated."""

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))
    introduction = models.TextField(_("word to the members"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["table", "year"], name="one_assessment_per_table_and_year")
        ]

    def __str__(self):
        return f"{self.table} {self.year}"


class AssessmentParticipation(models.Model):
    """Who answered (to answer once), never what they answered."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "person"], name="answer_an_assessment_once")
        ]

    def __str__(self):
        return f"{self.assessment} – {self.person}"


class AssessmentAnswer(models.Model):
    """One anonymous rating of one condition (no link to the person)."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        indexes = [models.Index(fields=["assessment", "question"])]

    def __str__(self):
        return f"{self.question}: {self.score}"


class AssessmentComment(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()

    def __str__(self):
        return self.text[:60]


class Bilan(models.Model):
    """The annual report of a table for a period (or of a multi-year agreement): computed
    indicators and what the coordination writes."""

    table = models.ForeignKey(Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="bilans")
    title = models.CharField(_("title"), max_length=200)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))
    agreement = models.ForeignKey(
        "Agreement",
        verbose_name=_("agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bilans",
        help_text=_("For the bilan of a multi-year agreement."),
    )
    highlights = models.TextField(_("highlights of the period"), blank=True)
    challenges = models.TextField(_("challenges and what comes next"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-ends"]
        verbose_name = _("bilan")
        verbose_name_plural = _("bilans")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="bilan_ends_after_start")
        ]

    def __str__(self):
        return self.title
