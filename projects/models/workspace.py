"""The shared workspace of a project: its budget, who may do what in it, comments and
attachments."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Organisation

from .project import Project


class BudgetLine(models.Model):
    """One expense of the project, who carries it and how it is paid for: by the call, by
    the carrying organisation's own contribution, or by another source."""

    class Category(models.TextChoices):
        STAFF = "staff", _("Salaries and fees")
        ACTIVITIES = "activities", _("Activities with participants")
        EQUIPMENT = "equipment", _("Equipment and supplies")
        PREMISES = "premises", _("Premises")
        COMMUNICATION = "communication", _("Communication and translation")
        TRAVEL = "travel", _("Travel")
        ADMINISTRATION = "administration", _("Administration")
        OTHER = "other", _("Other")

    class Nature(models.TextChoices):
        CASH = "cash", _("Cash")
        IN_KIND = "in_kind", _("In kind")

    class Source(models.TextChoices):
        REQUESTED = "requested", _("Requested from the call")
        CONTRIBUTION = "contribution", _("Contribution of the organisation")
        OTHER = "other", _("Other source")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("carried by"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=255)
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices, default=Nature.CASH)
    source = models.CharField(_("paid by"), max_length=15, choices=Source.choices)
    other_source = models.CharField(
        _("name of the other source"),
        max_length=200,
        blank=True,
        help_text=_("For example: Emploi-Québec, a foundation, participants' fees."),
    )
    amount = models.DecimalField(
        _("amount ($)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["organisation__name", "category", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive"),
            # What is asked of the call is money.
            models.CheckConstraint(
                condition=~Q(source="requested") | Q(nature="cash"), name="requested_lines_are_cash"
            ),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount}"


class Collaborator(models.Model):
    """A person the lead gave rights on the project besides the delegates of the lead and
    partner organisations (who have theirs by default)."""

    class Right(models.TextChoices):
        VIEW = "view", _("View")
        COMMENT = "comment", _("View and comment")
        EDIT = "edit", _("View, comment and edit")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="collaborators")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="project_rights",
    )
    right = models.CharField(_("right"), max_length=10, choices=Right.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="one_right_per_person")]

    def __str__(self):
        return f"{self.person} – {self.project}: {self.right}"


class ProjectComment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment on a project")
        verbose_name_plural = _("comments on projects")

    def __str__(self):
        return self.text[:60]


class ProjectAttachment(models.Model):
    """A file attached to the project: a letter of support, a detailed budget…"""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    required_document = models.ForeignKey(
        "funding.RequiredDocument",
        verbose_name=_("answers the call's requirement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("from the organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="projects/%Y/")
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title
