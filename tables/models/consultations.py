"""Consultations between meetings: the coordination asks the members for their opinion on
a text (« avis »), or for the dates they could meet (« sondage de disponibilités »), so
that the table keeps working between its meetings."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from members.formatting import date_long, percent, time_short

from .agenda import AgendaItem
from .meeting import Committee, Meeting
from .membership import Membership, members_for_audience
from .minutes import Resolution
from .table import EVoteMajority, GovernanceRules, Table

# Members answer for their organisation: a day at least gives each one the time to ask.
SHORTEST = timedelta(days=1)


class ConsultationQuerySet(models.QuerySet):
    def open_now(self):
        """Accepting answers now: opened, not past its closing time, not closed early."""
        now = timezone.now()
        return self.filter(status=Consultation.Status.OPEN, opens_at__lte=now, closes_at__gt=now)

    def to_close(self):
        """Past their closing time and not closed yet: the coordination closes them, which
        tells the members their results are there."""
        return self.filter(status=Consultation.Status.OPEN, closes_at__lte=timezone.now())


class Consultation(models.Model):
    """A question the coordination puts to the table's members between meetings, answered
    once per member organisation by its delegate or substitute, from `opens_at` until
    `closes_at` or until the coordination closes it early."""

    class Kind(models.TextChoices):
        AVIS = "avis", _("Opinion on a text")
        VOTE = "vote", _("Electronic vote")
        POLL = "poll", _("Availability poll")

    class Audience(models.TextChoices):
        # The same values as Communique.Audience: `members_for_audience` reads both.
        ALL = "all", _("All the table's members")
        VOTING = "voting", _("Voting members only")
        COMMITTEE = "committee", _("The members of a committee")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by a member")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Proposal adopted")
        REJECTED = "rejected", _("Proposal rejected")
        NO_PARTICIPATION = "participation", _("No decision: too few answers")
        TO_MEETING = "to_meeting", _("Proposal sent back to a meeting")

    TRANSITIONS = {
        Status.PROPOSED: {Status.OPEN, Status.DECLINED},
        Status.OPEN: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.DECLINED: set(),
    }

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="consultations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AVIS)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(_("document"), upload_to="consultations/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    audience = models.CharField(
        _("who is consulted"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    anonymous = models.BooleanField(
        _("anonymous answers"),
        default=False,
        help_text=_("The answers are shown without the name of the organisation, even to the coordination."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    chosen_slot = models.ForeignKey(
        "PollSlot",
        verbose_name=_("chosen slot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A proposal from a member organisation, until the coordination accepts or declines it.
    proposed_by = models.ForeignKey(
        Membership,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason given to the proposer"), blank=True)
    # An electronic vote's result, computed at closing under the rules then in force and
    # kept as it was, like a resolution's quorum.
    outcome = models.CharField(_("result"), max_length=20, choices=Outcome.choices, blank=True)
    rules = models.ForeignKey(
        GovernanceRules,
        verbose_name=_("rules applied"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    voting_members = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    objections = models.PositiveSmallIntegerField(_("objections"), null=True, blank=True)
    resolution = models.OneToOneField(
        Resolution,
        verbose_name=_("resolution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation",
    )
    # Where a vote sent back to a meeting, or refused by objections, was put on the agenda.
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["table", "status", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tables:consultation-detail", args=[self.table.slug, self.pk])

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at < self.opens_at + SHORTEST:
            raise ValidationError(
                {"closes_at": _("The consultation must stay open one day at least after it opens.")}
            )
        if self.audience == self.Audience.COMMITTEE:
            if self.committee_id is None:
                raise ValidationError({"committee": _("Choose the committee that is consulted.")})
            if self.committee.table_id != self.table_id:
                raise ValidationError({"committee": _("This committee belongs to another table.")})

    # State --------------------------------------------------------------------------------

    @property
    def is_poll(self) -> bool:
        return self.kind == self.Kind.POLL

    @property
    def is_vote(self) -> bool:
        return self.kind == self.Kind.VOTE

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED

    @property
    def is_closed(self) -> bool:
        """Closed by the coordination."""
        return self.status == self.Status.CLOSED

    @property
    def is_over(self) -> bool:
        """No more answers: closed, or past its closing time. Its results are shown."""
        return self.is_closed or (self.status == self.Status.OPEN and self.closes_at <= timezone.now())

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.OPEN and timezone.now() < self.opens_at

    @property
    def accepts_answers(self) -> bool:
        return self.status == self.Status.OPEN and self.opens_at <= timezone.now() < self.closes_at

    @property
    def awaits_closing(self) -> bool:
        return self.status == self.Status.OPEN and self.closes_at <= timezone.now()

    def state_label(self) -> str:
        if self.is_proposed:
            return _("Proposed, awaiting the coordination")
        if self.is_declined:
            return _("Declined")
        if self.is_closed:
            return _("Closed")
        if self.is_upcoming:
            return _("Not yet open")
        if self.awaits_closing:
            return _("Past its closing time")
        return _("Open")

    def can_become(self, status) -> bool:
        return status in self.TRANSITIONS[self.status]

    def set_status(self, status):
        if not self.can_become(status):
            raise ValidationError(
                _("A consultation cannot go from “%(current)s” to “%(new)s”.")
                % {"current": self.get_status_display(), "new": self.Status(status).label}
            )
        self.status = status

    def consulted_memberships(self):
        """The member organisations asked, as the table stands today: an organisation that
        left, or a member that is no longer voting, is no longer asked."""
        return members_for_audience(self.table_id, self.audience, self.committee_id)

    def audience_label(self) -> str:
        if self.audience == self.Audience.COMMITTEE and self.committee_id:
            return gettext("%(audience)s: %(name)s") % {
                "audience": self.get_audience_display(),
                "name": self.committee.name,
            }
        return self.get_audience_display()

    def outcome_reason(self) -> str:
        """Why an electronic vote ended as it did, in the reader's language."""
        if not self.outcome:
            return ""
        return tally(
            self.rules,
            voting_members=self.voting_members or 0,
            votes_for=self.votes_for or 0,
            votes_against=self.votes_against or 0,
            abstentions=self.abstentions or 0,
            objections=self.objections or 0,
        ).reason


@dataclass(frozen=True)
class Tally:
    outcome: str
    reason: str
    needed: int = 0
    unanimous: bool = False


def tally(
    rules: GovernanceRules | None,
    *,
    voting_members: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    objections: int,
) -> Tally:
    """The result of an electronic vote under `rules`: participation first (a vote few
    answered decides nothing), then the objections that ask for a debate at a meeting,
    then the majority the rules require. Rules that no longer allow decisions between
    meetings send the proposal to a meeting."""
    Outcome = Consultation.Outcome
    if rules is None or not rules.e_votes_allowed:
        return Tally(
            Outcome.TO_MEETING,
            gettext(
                "The rules in force at closing no longer allow decisions between meetings: "
                "the proposal goes to the next meeting."
            ),
        )
    answered = votes_for + votes_against + abstentions
    needed = math.ceil(voting_members * rules.e_vote_participation_percent / 100)
    figures = {
        "for": votes_for,
        "against": votes_against,
        "abstentions": abstentions,
        "answered": answered,
        "members": voting_members,
        "needed": needed,
        "percent": percent(rules.e_vote_majority_percent),
        "objections": objections,
        "version": rules.version,
    }
    if answered == 0 or answered < needed:
        return Tally(
            Outcome.NO_PARTICIPATION,
            ngettext(
                "%(answered)s of %(members)s voting members answered; the rules (version %(version)s) "
                "ask for %(needed)s at least.",
                "%(answered)s of %(members)s voting members answered; the rules (version %(version)s) "
                "ask for %(needed)s at least.",
                voting_members,
            )
            % figures,
            needed,
        )
    if rules.e_vote_objections and objections >= rules.e_vote_objections:
        return Tally(
            Outcome.TO_MEETING,
            ngettext(
                "%(objections)s organisation asked for a debate at a meeting: under the rules "
                "(version %(version)s), the proposal goes to the next meeting.",
                "%(objections)s organisations asked for a debate at a meeting: under the rules "
                "(version %(version)s), the proposal goes to the next meeting.",
                objections,
            )
            % figures,
            needed,
        )
    unanimous = votes_against == 0 and votes_for > 0
    if rules.e_vote_majority == EVoteMajority.UNANIMITY:
        adopted = unanimous
        required = gettext("unanimity of those who answered")
    elif rules.e_vote_majority == EVoteMajority.MEMBERS:
        adopted = votes_for * 100 > rules.e_vote_majority_percent * voting_members
        required = gettext("more than %(percent)s of the %(members)s voting members") % figures
    else:
        adopted = votes_for * 100 > rules.e_vote_majority_percent * (votes_for + votes_against)
        required = gettext("more than %(percent)s of the votes cast") % figures
    figures["required"] = required
    text = gettext("%(for)s for, %(against)s against, %(abstentions)s abstentions") % figures
    if adopted:
        return Tally(
            Outcome.ADOPTED,
            gettext("%(text)s: adopted (the rules ask for %(required)s).") % {**figures, "text": text},
            needed,
            unanimous=unanimous,
        )
    return Tally(
        Outcome.REJECTED,
        gettext("%(text)s: not adopted (the rules ask for %(required)s).") % {**figures, "text": text},
        needed,
    )


class ConsultationAnswer(models.Model):
    """The answer of one member organisation, given by one of its delegates or substitutes
    and changed by any of them until the consultation closes. A vote, once cast, is final."""

    class Vote(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstention")

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="answers"
    )
    membership = models.ForeignKey(
        Membership, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    vote = models.CharField(_("vote"), max_length=10, choices=Vote.choices, blank=True)
    objection = models.BooleanField(
        _("asks for a debate at a meeting"),
        default=False,
        help_text=_("The organisation asks that the question be decided at a meeting, not between meetings."),
    )
    as_substitute = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer to a consultation")
        verbose_name_plural = _("answers to consultations")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "membership"], name="one_answer_per_organisation")
        ]

    def __str__(self):
        return f"{self.consultation} – {self.membership.organisation}"


class PollSlot(models.Model):
    """A date and time proposed in an availability poll."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("proposed slot")
        verbose_name_plural = _("proposed slots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="poll_slot_ends_after_start"
            )
        ]

    def __str__(self):
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{date_long(start)}, {time_short(start)}–{time_short(end)}"


class PollChoice(models.Model):
    """Whether one organisation could meet at one proposed slot."""

    class Available(models.TextChoices):
        YES = "yes", _("Available")
        IF_NEEDED = "if_needed", _("If needed")
        NO = "no", _("Not available")

    answer = models.ForeignKey(ConsultationAnswer, on_delete=models.CASCADE, related_name="choices")
    slot = models.ForeignKey(
        PollSlot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="choices"
    )
    available = models.CharField(_("availability"), max_length=10, choices=Available.choices)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        constraints = [
            models.UniqueConstraint(fields=["answer", "slot"], name="one_choice_per_answer_and_slot")
        ]

    def __str__(self):
        return f"{self.slot}: {self.get_available_display()}"
