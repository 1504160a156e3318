"""Reminders between meetings: what each table chose to be reminded of, and what was sent."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .table import Table


def _days(label, default, help_text, most=90):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(1), MaxValueValidator(most)],
        help_text=help_text,
    )


class ReminderSettings(models.Model):
    """Which reminders a table sends its members between meetings, and how many days
    ahead. One row per table, written the first time its coordination saves the page;
    until then the defaults below apply (`for_table`)."""

    table = models.OneToOneField(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="reminder_settings"
    )
    convocation_unanswered = models.BooleanField(_("convocation not answered"), default=True)
    convocation_unanswered_days = _days(
        _("days before the meeting"),
        3,
        _("The delegates and substitutes of each organisation that has not answered are reminded."),
        most=30,
    )
    proposal_deadline = models.BooleanField(_("deadline for agenda proposals"), default=True)
    proposal_deadline_days = _days(
        _("days before the deadline"), 2, _("Every delegate and substitute invited to the meeting."), most=30
    )
    follow_up_due = models.BooleanField(_("follow-up coming due"), default=True)
    follow_up_due_days = _days(
        _("days before it is due"), 3, _("The delegates and substitutes of the responsible organisation.")
    )
    follow_up_overdue = models.BooleanField(_("overdue follow-up"), default=True)
    follow_up_overdue_days = _days(
        _("again every (days)"), 7, _("From the day after it was due, until it is done or cancelled.")
    )
    minutes_comments = models.BooleanField(_("draft minutes open for comments"), default=True)
    minutes_comments_days = _days(
        _("days before the next meeting"),
        2,
        _("The organisations that have not commented, before the meeting that will adopt the minutes."),
        most=30,
    )
    progress_report = models.BooleanField(_("progress report on an action"), default=True)
    progress_report_days = _days(
        _("after how many days without a report"),
        90,
        _("The lead organisation of each action of an adopted plan, again as long as no report comes."),
        most=365,
    )
    consultation_unanswered = models.BooleanField(_("consultation closing without an answer"), default=True)
    consultation_unanswered_days = _days(
        _("days before it closes"),
        2,
        _("The delegates and substitutes of each consulted organisation that has not answered."),
        most=30,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.table)

    @classmethod
    def for_table(cls, table: Table) -> "ReminderSettings":
        """The table's settings, or unsaved defaults: nothing is written by reading."""
        return cls.objects.filter(table=table).first() or cls(table=table)


class ReminderSent(models.Model):
    """One reminder told about one subject (a meeting and an organisation, a follow-up, an
    action…), saved in the same transaction as its notifications: the unique key is what
    makes a second run on the same day, or a run racing it, tell nobody twice."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    day = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_reminder_per_subject")]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.day})"
