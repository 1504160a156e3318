import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.formatting import date_long
from members.models import Delegation

from .membership import Membership
from .table import Table


class Committee(models.Model):
    """A working committee of a table: a subset of its members meeting on one subject."""

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="committees"
    )
    name = models.CharField(_("name"), max_length=200)
    mandate = models.TextField(_("mandate"), blank=True)
    members = models.ManyToManyField(
        Membership, verbose_name=_("member organisations"), related_name="committees", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return f"{self.table.acronym or self.table.name} – {self.name}"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED)

    def past(self):
        return self.filter(ends_at__lt=timezone.now())

    def visible_to(self, user):
        """The meetings `user` may open: those of the tables whose pages they may see, the
        rule of the meeting page (`tables.views.common.get_table`). Every list and feed of
        meetings starts from here."""
        return self.filter(table__in=Table.objects.visible_to(user))


class Meeting(models.Model):
    """A meeting of a table (or of one of its committees)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONVENED = "convened", _("Convened")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.PLANNED: {Status.CONVENED, Status.HELD, Status.CANCELLED},
        Status.CONVENED: {Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="meetings"
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        help_text=_("Leave empty for a meeting of the whole table."),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    proposals_deadline = models.DateTimeField(
        _("deadline for members' proposals"),
        null=True,
        blank=True,
        help_text=_("Delegates may propose agenda items until then."),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("secretary"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Writes the minutes with the coordination."),
    )
    convened_at = models.DateTimeField(_("convocation sent"), null=True, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    convocation_message = models.TextField(_("message of the convocation"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # iCalendar SEQUENCE: goes up whenever the time, place or status changes, so that
    # calendars replace the event instead of adding a second one.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["table", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.title} ({date_long(self.starts_at)})"

    def get_absolute_url(self):
        return reverse("tables:meeting-detail", args=[self.table.slug, self.pk])

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
        if self.proposals_deadline and self.starts_at and self.proposals_deadline > self.starts_at:
            raise ValidationError(
                {"proposals_deadline": _("The deadline for proposals must be before the meeting.")}
            )
        if self.committee_id and self.table_id and self.committee.table_id != self.table_id:
            raise ValidationError({"committee": _("This committee belongs to another table.")})

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def date(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def uid(self):
        """The iCalendar UID: the same for the convocation, its updates, its cancellation
        and every feed, so that calendars hold one event; on the site's own domain, so that
        no other deployment hands out the same one (RFC 5545, 3.8.4.7)."""
        from members.emails import site_domain

        return f"meeting-{self.pk}@{site_domain()}"

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_editable(self):
        """Time, place and agenda can change until the meeting is held."""
        return self.status in {self.Status.PLANNED, self.Status.CONVENED}

    @property
    def proposals_open(self):
        if not self.is_editable:
            return False
        deadline = self.proposals_deadline or self.starts_at
        return timezone.now() < deadline

    def rules(self):
        return self.table.rules_on(self.date)

    def notice_deadline(self, rules=None):
        """The latest moment the convocation could go out under the rules in force on the
        meeting's day (None without rules)."""
        rules = rules or self.rules()
        return self.starts_at - timedelta(days=rules.notice_days) if rules else None

    def convened_in_time(self, rules=None) -> bool:
        """The convocation went out no later than the rules' notice period before the
        meeting (any convocation, where the table has no rules)."""
        if self.convened_at is None:
            return False
        deadline = self.notice_deadline(rules)
        return deadline is None or self.convened_at <= deadline

    def notice_waived(self) -> bool:
        minutes = getattr(self, "minutes", None) if self.pk else None
        return bool(minutes and minutes.notice_waived)

    def regularly_called(self, rules=None) -> bool:
        """The meeting may sit and decide: convened in time, or the members present waived
        the notice of convocation, as its minutes record."""
        return self.convened_in_time(rules) or self.notice_waived()

    def can_become(self, status):
        return status in self.TRANSITIONS[self.status]

    def set_status(self, status):
        if not self.can_become(status):
            raise ValidationError(
                _("A meeting cannot go from “%(current)s” to “%(new)s”.")
                % {"current": self.get_status_display(), "new": self.Status(status).label}
            )
        self.status = status

    def invited_memberships(self):
        """The member organisations called to this meeting (the committee's, if any)."""
        memberships = Membership.objects.active(on=self.date).filter(table_id=self.table_id)
        if self.committee_id:
            memberships = memberships.filter(committees=self.committee_id)
        return memberships


class Attendance(models.Model):
    """One member organisation at one meeting: its answer to the convocation, then who
    actually came."""

    class Response(models.TextChoices):
        PRESENT = "present", _("Will attend")
        SUBSTITUTE = "substitute", _("Replaced by its substitute")
        ABSENT = "absent", _("Will not attend")

    class Via(models.TextChoices):
        WEB = "web", _("on the site")
        EMAIL = "email", _("from the email link")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("member organisation"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    response = models.CharField(_("answer"), max_length=20, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_via = models.CharField(max_length=10, choices=Via.choices, blank=True)
    present = models.BooleanField(_("present"), null=True)
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("represented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
    )
    attendee_role = models.CharField(_("as"), max_length=20, choices=Delegation.Role.choices, blank=True)
    arrived_at = models.TimeField(_("arrived late at"), null=True, blank=True)
    left_at = models.TimeField(_("left early at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="one_attendance_per_member_and_meeting"
            )
        ]

    def __str__(self):
        return f"{self.membership.organisation} – {self.meeting}"


class ConvocationDelivery(models.Model):
    """One email of a convocation (or of its update or cancellation) to one person."""

    class Kind(models.TextChoices):
        CONVOCATION = "convocation", _("Convocation")
        UPDATE = "update", _("Update")
        CANCELLATION = "cancellation", _("Cancellation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # A convocation or update still waiting when the meeting was cancelled.
        SKIPPED = "skipped", _("Not sent: the meeting was cancelled")

    class Failure(models.TextChoices):
        REFUSED = "refused", _("The recipient's mail server refused this address.")
        REJECTED = "rejected", _("The mail server refused the message.")
        UNREACHABLE = "unreachable", _("The mail server could not be reached.")
        UNKNOWN = "unknown", _("The email could not be sent.")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONVOCATION)
    round = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the mail server said, for the administrators' logs; coordinators see `failure`.
    error = models.TextField(blank=True)
    failure = models.CharField(max_length=20, choices=Failure.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a failed email is tried again by itself; empty once retrying is pointless.
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("convocation email")
        verbose_name_plural = _("convocation emails")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "round", "person"], name="one_delivery_per_round"
            )
        ]

    def __str__(self):
        return f"{self.email} – {self.meeting}"


def new_feed_token():
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private iCalendar address (secret token, revocable) for a table, an organisation
    or a person's own meetings."""

    class Scope(models.TextChoices):
        PERSON = "person", _("My meetings")
        TABLE = "table", _("A table")
        ORGANISATION = "organisation", _("My organisation")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    scope = models.CharField(_("calendar of"), max_length=20, choices=Scope.choices)
    table = models.ForeignKey(Table, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.get_scope_display()} – {self.owner}"

    def get_absolute_url(self):
        return reverse("tables:calendar-feed", args=[f"{self.token}.ics"])
