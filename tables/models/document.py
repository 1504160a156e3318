from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """One generated PDF: the convocation and agenda, minutes, a register, a plan, a bilan…

    A document is made from one version of its source (a fingerprint of the data it
    shows); when the source changes, asking again makes a new one. Generation runs in a
    Celery task that can run twice without harm.
    """

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Convocation and agenda")
        MINUTES = "minutes", _("Minutes")
        REGISTER = "register", _("Resolution register")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be made")
        RENDERING = "rendering", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=30)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    source_version = models.CharField(max_length=40)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to="documents/", blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    gather_ms = models.PositiveIntegerField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # When its task was last handed to the broker; empty while the broker was unreachable.
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker making it ("host:pid") and its last sign of life: a claim whose worker
    # stopped renewing it is taken over (see services.documents.CLAIM_EXPIRES).
    claimed_by = models.CharField(max_length=100, blank=True)
    alive_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("made"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "language", "source_version"],
                name="one_document_per_source_version",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} #{self.object_id} ({self.language})"

    @property
    def is_ready(self):
        return self.status == self.Status.READY
