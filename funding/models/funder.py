from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class Funder(models.Model):
    """An organisation that funds projects: a ministry, a foundation, a municipality."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry or government agency")
        FOUNDATION = "foundation", _("Foundation")
        MUNICIPALITY = "municipality", _("Municipality or MRC")
        OTHER = "other", _("Other")

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="funder"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self):
        return str(self.organisation)


class FunderStaff(models.Model):
    """A person who works for a funder on its calls: manager or evaluator."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Programme manager")
        EVALUATOR = "evaluator", _("Evaluator")

    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.CASCADE, related_name="staff"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="funder_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EVALUATOR)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("funder staff member")
        verbose_name_plural = _("funder staff")
        constraints = [models.UniqueConstraint(fields=["funder", "person"], name="one_staff_role_per_funder")]

    def __str__(self):
        return f"{self.person} – {self.funder}"
