"""A member list uploaded by the coordination, kept between the preview and the import."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .table import Table


class MemberImport(models.Model):
    """The rows of one uploaded file (CSV or XLSX), read once and kept as text: the preview
    is computed again from them at each request (in the reader's language, against the
    directory as it is then), and so is the import, in one transaction. After the import,
    the people to invite are kept here too, with the progress of their invitations."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")

    class Sending(models.TextChoices):
        NONE = "", _("Not sent")
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        DONE = "done", _("Sent")

    TRANSITIONS = {(Status.PREVIEW, Status.IMPORTED)}
    # A sending queued or started this long ago without a sign of progress lost its
    # message (the broker was down) or its worker: it may be asked again.
    STUCK_AFTER = timedelta(minutes=5)

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="member_imports"
    )
    filename = models.CharField(_("file"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The header's cells not recognised (shown in the preview as ignored).
    ignored_columns = models.JSONField(default=list, blank=True)
    # [[line, {field: text}], …]: the line as a spreadsheet numbers it, the header being 1.
    rows = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    # What the import wrote: counts by kind, and the lines left out (good rows only).
    summary = models.JSONField(default=dict, blank=True)
    # [{"line", "membership", "email", "role", "first_name", "last_name"}, …]
    invitees = models.JSONField(default=list, blank=True)
    sending = models.CharField(max_length=10, choices=Sending.choices, blank=True, default=Sending.NONE)
    # When the sending was queued, then when its last batch was done.
    sending_at = models.DateTimeField(null=True, blank=True)
    # Invitees are handled in their order; a worker that died resumes at `invitations_done`.
    invitations_done = models.PositiveIntegerField(default=0)
    invitations_sent = models.PositiveIntegerField(default=0)
    invitations_skipped = models.PositiveIntegerField(default=0)
    invitations_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def __str__(self):
        return f"{self.filename} → {self.table}"

    def set_status(self, status: str) -> None:
        if (self.status, status) not in self.TRANSITIONS:
            raise ValidationError(gettext("This file was already imported."), code="transition")
        self.status = status

    @property
    def is_imported(self) -> bool:
        return self.status == self.Status.IMPORTED

    @property
    def may_send_invitations(self) -> bool:
        """Imported, with people to invite, and no sending under way (one without progress
        for STUCK_AFTER counts as lost). Sending again is harmless: whoever already has a
        seat or a pending invitation is passed over."""
        if not self.is_imported or not self.invitees:
            return False
        if self.sending in {self.Sending.QUEUED, self.Sending.SENDING}:
            return self.sending_at is None or timezone.now() - self.sending_at > self.STUCK_AFTER
        return True

    @property
    def is_sending(self) -> bool:
        return self.sending in {self.Sending.QUEUED, self.Sending.SENDING}
