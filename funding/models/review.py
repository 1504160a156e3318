"""Reviewers named for a call, their declarations of interest, their reviews and scores."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation

from .application import Application
from .call import SCORE_MAX, Criterion, FundingCall


class Reviewer(models.Model):
    """A person the coordination named to review a call's applications: funder staff or a
    delegate of a member of the table."""

    class Kind(models.TextChoices):
        FUNDER_STAFF = "funder_staff", _("Funder staff")
        TABLE_MEMBER = "table_member", _("Member of the table")

    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="reviewers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="reviewer_roles",
    )
    kind = models.CharField(_("as"), max_length=20, choices=Kind.choices)
    # The organisation they came as: the funder's, or the member they represent.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("named"), auto_now_add=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name", "pk"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [models.UniqueConstraint(fields=["call", "person"], name="one_reviewer_role_per_call")]

    def __str__(self):
        return f"{self.person} – {self.call}"


class Declaration(models.Model):
    """What a reviewer declared about one application before seeing it."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="declarations")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="declarations")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    details = models.TextField(_("details"), blank=True)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("declaration of interests")
        verbose_name_plural = _("declarations of interests")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "application"], name="one_declaration_per_application"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} / {self.application_id}: {self.has_conflict}"


class Review(models.Model):
    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="reviews")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic locking: a reviewer with the form open in two tabs loses nothing.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "application"], name="one_review_per_reviewer")
        ]

    def __str__(self):
        return f"{self.reviewer} / {self.application_id}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    def weighted_total(self, criteria=None) -> Decimal | None:
        """The score out of 100: each criterion's score on the scale, weighted. None until
        every criterion is scored."""
        return weighted_total(self.scores.all(), criteria)


def weighted_total(scores, criteria=None) -> Decimal | None:
    scores = list(scores)
    by_criterion = {score.criterion_id: score for score in scores}
    criteria = list(criteria) if criteria is not None else [score.criterion for score in scores]
    weights = sum(criterion.weight for criterion in criteria)
    if not criteria or not weights:
        return None
    total = Decimal("0")
    for criterion in criteria:
        score = by_criterion.get(criterion.pk)
        if score is None or score.value is None:
            return None
        total += Decimal(score.value) * criterion.weight
    return (total * 100 / (SCORE_MAX * weights)).quantize(Decimal("0.1"))


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class ReviewAssignmentQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Due date passed, the application still in review, and no review submitted."""
        from .application import Status

        today = today or timezone.localdate()
        submitted = Review.objects.filter(
            reviewer_id=models.OuterRef("reviewer_id"),
            application_id=models.OuterRef("application_id"),
            submitted_at__isnull=False,
        )
        return self.filter(due_on__lt=today, application__status=Status.IN_REVIEW).exclude(
            models.Exists(submitted)
        )


class ReviewAssignment(models.Model):
    """One application given to one of the call's reviewers, by a date. Once a call has
    assignments, each reviewer reviews only the applications assigned to them; a call
    without any keeps the first rule: every reviewer reviews every application."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="assignments"
    )
    due_on = models.DateField(_("due by"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer")
        ]

    def __str__(self):
        return f"{self.reviewer} / {self.application_id} ({self.due_on})"
