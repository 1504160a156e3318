"""Communiqués: what the coordination writes to the table's members between meetings."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Sector

from .meeting import Committee
from .table import Table


class Communique(models.Model):
    """A message of the coordination to the members of a table, or to those of one sector
    or one committee: sent to their delegates and substitutes by Celery (each in their
    notifications, and by email as they chose), then kept in the table's archive."""

    class Audience(models.TextChoices):
        ALL = "all", _("All the table's members")
        VOTING = "voting", _("Voting members only")
        SECTOR = "sector", _("The members of one sector")
        COMMITTEE = "committee", _("The members of a committee")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="communiques"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    audience = models.CharField(_("to"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    done = models.PositiveIntegerField(default=0)
    # The recipients are told in order of their id: a worker that died resumes after the
    # last one told, so that nobody is told twice.
    last_person_id = models.PositiveBigIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("communiqué")
        verbose_name_plural = _("communiqués")
        indexes = [models.Index(fields=["table", "-created_at"])]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("tables:communique-detail", args=[self.table.slug, self.pk])

    @property
    def progress(self) -> int:
        """Percentage of the recipients told so far."""
        return 100 if not self.recipients else round(100 * self.done / self.recipients)

    def audience_label(self) -> str:
        name = ""
        if self.audience == self.Audience.SECTOR:
            name = self.get_sector_display()
        elif self.audience == self.Audience.COMMITTEE and self.committee_id:
            name = self.committee.name
        if not name:
            return self.get_audience_display()
        return gettext("%(audience)s: %(name)s") % {"audience": self.get_audience_display(), "name": name}
