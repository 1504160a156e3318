from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.formatting import percent
from members.models import Organisation

from .agenda import AgendaItem
from .meeting import Meeting
from .membership import Membership
from .table import GovernanceRules, Table


class Minutes(models.Model):
    """The procès-verbal of a meeting. A draft (marked PROJET) is circulated to members for
    comments, then adopted by a resolution of a later meeting; adopted minutes are never
    edited again, only corrected by a new resolution."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated for comments")
        ADOPTED = "adopted", _("Adopted")

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chaired by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.TimeField(_("opened at"), null=True, blank=True)
    closed_at = models.TimeField(_("closed at"), null=True, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    # A meeting convened late, or not at all, sits only if the members present waive the
    # notice of convocation, which the minutes record.
    notice_waived = models.BooleanField(
        _("the members present waive the notice of convocation"),
        default=False,
        help_text=_("Only when the convocation went out later than the rules require, or not at all."),
    )
    circulated_at = models.DateTimeField(_("circulated"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        "Resolution",
        verbose_name=_("adopted by resolution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_minutes",
    )
    # Optimistic locking: a save carrying an older version is refused, so that two people
    # editing the same draft never silently overwrite each other.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return _("Minutes of %(meeting)s") % {"meeting": self.meeting}

    def save(self, *args, **kwargs):
        if self.pk and Minutes.objects.filter(pk=self.pk, status=self.Status.ADOPTED).exists():
            raise ValidationError(
                _("Adopted minutes cannot be changed; record a correcting resolution instead.")
            )
        super().save(*args, **kwargs)

    @property
    def is_adopted(self):
        return self.status == self.Status.ADOPTED


class MinutesNote(models.Model):
    """What was said on one agenda item."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="notes")
    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="minutes_note")
    text = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notes on an item")
        verbose_name_plural = _("notes on items")

    def __str__(self):
        return str(self.item)


class Resolution(models.Model):
    """A decision recorded in the minutes, numbered in the table's register (YYYY-MM-NN)."""

    class Mode(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")
        CONSENT = "consent", _("Consent")
        VOTE = "vote", _("Vote")
        ELECTRONIC = "electronic", _("Electronic vote between meetings")

    class Result(models.TextChoices):
        CONSENSUS = "consensus", _("Adopted by consensus")
        CONSENT = "consent", _("Adopted by consent")
        UNANIMITY = "unanimity", _("Adopted unanimously")
        MAJORITY = "majority", _("Adopted by majority")
        REJECTED = "rejected", _("Rejected")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="resolutions"
    )
    # None for a decision taken between meetings by electronic vote: it has no minutes of
    # its own, and is ratified at `ratification_meeting`.
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resolutions",
    )
    decided_at = models.DateTimeField(_("adopted electronically on"), null=True, blank=True)
    ratification_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("ratified at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratified_resolutions",
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolutions",
    )
    number = models.CharField(_("number"), max_length=12)
    sequence = models.PositiveSmallIntegerField()
    text = models.TextField(_("text of the resolution"))
    proposed_by = models.ForeignKey(
        Membership,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seconded_by = models.ForeignKey(
        Membership,
        verbose_name=_("seconded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mode = models.CharField(_("decision mode"), max_length=20, choices=Mode.choices)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    dissent = models.TextField(_("dissent recorded"), blank=True)
    # Decided in another mode than the rules in force provide (a vote where they say
    # consent, say): confirmed by whoever recorded it, and said so in the minutes.
    departs_from_rules = models.BooleanField(default=False)
    dissenting = models.ManyToManyField(
        Membership, verbose_name=_("dissenting organisations"), blank=True, related_name="+"
    )
    # The quorum when the resolution was recorded, kept as it was.
    voting_members = models.PositiveSmallIntegerField(default=0)
    quorum_required = models.PositiveSmallIntegerField(default=0)
    quorum_present = models.PositiveSmallIntegerField(default=0)
    majority_percent = models.PositiveSmallIntegerField(default=50)
    adopts_minutes = models.ForeignKey(
        Minutes,
        verbose_name=_("adopts the minutes of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoption_resolutions",
    )
    corrects = models.ForeignKey(
        Minutes,
        verbose_name=_("corrects the adopted minutes of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    adopts_plan = models.ForeignKey(
        "ActionPlan",
        verbose_name=_("adopts the action plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoption_resolutions",
    )
    adopts_rules = models.ForeignKey(
        GovernanceRules,
        verbose_name=_("adopts the rules"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolutions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="one_resolution_number_per_table"),
            models.CheckConstraint(
                condition=models.Q(meeting__isnull=False) | models.Q(mode="electronic"),
                name="resolution_at_a_meeting_or_electronic",
            ),
        ]
        indexes = [models.Index(fields=["table", "created_at"])]

    def __str__(self):
        return _("Resolution %(number)s") % {"number": self.number}

    @property
    def is_adopted(self):
        return self.result != self.Result.REJECTED

    @property
    def quorum_reached(self):
        return self.quorum_present >= self.quorum_required

    @property
    def is_electronic(self):
        return self.mode == self.Mode.ELECTRONIC

    @property
    def is_ratified(self):
        """An electronic decision is ratified once the minutes of the meeting that took
        note of it are adopted."""
        meeting = self.ratification_meeting
        return bool(meeting and hasattr(meeting, "minutes") and meeting.minutes.is_adopted)

    def clean(self):
        errors = {}
        if self.proposed_by_id and self.seconded_by_id and self.proposed_by_id == self.seconded_by_id:
            errors["seconded_by"] = _("The same organisation cannot propose and second.")
        if self.mode == self.Mode.ELECTRONIC:
            # Counted by the platform at the vote's closing, under the rules then in force.
            pass
        elif self.mode == self.Mode.VOTE:
            if self.votes_for is None or self.votes_against is None:
                errors["votes_for"] = _("Enter the votes for and against.")
            else:
                adopted = majority_reached(self.votes_for, self.votes_against, self.majority_percent)
                unanimous = self.votes_against == 0 and self.votes_for > 0
                if self.result == self.Result.UNANIMITY and not unanimous:
                    errors["result"] = _("With votes against, the resolution is not unanimous.")
                elif self.result in {self.Result.MAJORITY, self.Result.UNANIMITY} and not adopted:
                    errors["result"] = _(
                        "%(for)s for and %(against)s against is not the majority required "
                        "(more than %(percent)s of the votes cast)."
                    ) % {
                        "for": self.votes_for,
                        "against": self.votes_against,
                        "percent": percent(self.majority_percent),
                    }
                elif self.result == self.Result.REJECTED and adopted:
                    errors["result"] = _("These votes give a majority: the resolution is adopted.")
                elif self.result in {self.Result.CONSENSUS, self.Result.CONSENT}:
                    errors["result"] = _("A vote adopts by majority or unanimously, or rejects.")
        elif self.result in {self.Result.MAJORITY, self.Result.UNANIMITY}:
            errors["result"] = _("A majority or unanimity is counted by a vote.")
        if self.mode == self.Mode.CONSENSUS and self.result == self.Result.CONSENT:
            errors["result"] = _("Choose the result that matches the decision mode.")
        if self.mode == self.Mode.CONSENT and self.result == self.Result.CONSENSUS:
            errors["result"] = _("Choose the result that matches the decision mode.")
        if errors:
            raise ValidationError(errors)


def majority_reached(votes_for, votes_against, percent):
    """More than `percent` % of the votes cast (abstentions are not cast)."""
    cast = votes_for + votes_against
    return cast > 0 and votes_for * 100 > percent * cast


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=FollowUp.Status.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due__lt=today or timezone.localdate())


class FollowUp(models.Model):
    """A suivi: something an organisation committed to do, by a date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("resolution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    description = models.TextField(_("what"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("which organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.ForeignKey(
        "Action",
        verbose_name=_("action of the plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    due = models.DateField(_("by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closing_note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["table", "status", "due"]),
            models.Index(fields=["organisation", "status"]),
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.due is not None and self.due < timezone.localdate()


class MinutesComment(models.Model):
    """A member's comment on circulated minutes (per item or overall), or the secretary's
    answer to one."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    reply_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment on minutes")
        verbose_name_plural = _("comments on minutes")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="comment_not_empty"),
        ]

    def __str__(self):
        return self.text[:60]
