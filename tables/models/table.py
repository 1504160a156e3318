import math

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, Region


class Theme(models.TextChoices):
    IMMIGRATION = "immigration", _("Immigration and integration")
    EMPLOYMENT = "employment", _("Employment and workforce")
    YOUTH = "youth", _("Youth")
    EARLY_CHILDHOOD = "early_childhood", _("Early childhood and families")
    SENIORS = "seniors", _("Seniors")
    SOCIAL_DEVELOPMENT = "social_development", _("Social development and poverty")
    FOOD_SECURITY = "food_security", _("Food security")
    HOUSING = "housing", _("Housing")
    HEALTH = "health", _("Health and well-being")
    EDUCATION = "education", _("Education and school success")
    CULTURE = "culture", _("Culture")
    ENVIRONMENT = "environment", _("Environment and land use")
    WOMEN = "women", _("Women and equality")
    OTHER = "other", _("Other")


class TableQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Table.Visibility.PUBLIC)

    def visible_to(self, user):
        """Tables a user may see: public ones, and private ones they coordinate or sit at."""
        from members.access import access_for

        access = access_for(user)
        if access.is_admin:
            return self
        return self.filter(Q(visibility=Table.Visibility.PUBLIC) | Q(pk__in=access.table_ids))


class Table(models.Model):
    """A lasting meeting place where autonomous organisations work together."""

    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("Thematic")
        TERRITORIAL = "territorial", _("Territorial")

    class Scope(models.TextChoices):
        SECTORAL = "sectoral", _("Sectoral (community organisations only)")
        MULTISECTORAL = "multisectoral", _("Multisectoral")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can see its page")
        PRIVATE = "private", _("Private: members and coordination only")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="tables"
    )
    territory = models.CharField(_("territory"), max_length=200, blank=True)
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    mandate = models.TextField(_("mandate"), blank=True)
    founded = models.DateField(_("founded"), null=True, blank=True)
    coordinating_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("coordinating organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_tables",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    publish_minutes = models.BooleanField(
        _("publish adopted minutes on the public page"),
        default=False,
        help_text=_("Only for a public table. Drafts are never published."),
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        indexes = [models.Index(fields=["region", "theme"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tables:table-detail", args=[self.slug])

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    def rules_on(self, day=None):
        """The governance rules in force on `day` (today by default), or None."""
        day = day or timezone.localdate()
        return (
            self.rules_versions.filter(effective_from__lte=day)
            .order_by("-effective_from", "-version")
            .first()
        )


class EVoteMajority(models.TextChoices):
    CAST = "cast", _("A share of the votes cast (abstentions not counted)")
    MEMBERS = "members", _("A share of all the voting members")
    UNANIMITY = "unanimity", _("Unanimity of those who answer (no vote against)")


class GovernanceRules(models.Model):
    """One version of a table's rules of operation. Versions are never edited: a change by
    resolution adds a new version that takes effect on a date."""

    class DecisionMode(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")
        CONSENT = "consent", _("Consent (no reasoned objection)")
        MAJORITY = "majority", _("Majority vote")

    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="rules_versions"
    )
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of voting members)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        default=50,
    )
    quorum_strictly_more = models.BooleanField(
        _("quorum is more than this share"),
        default=True,
        help_text=_("Checked: 50 % means half plus one. Unchecked: at least half."),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice period for a convocation (days)"),
        default=10,
        validators=[MaxValueValidator(90)],
    )
    decision_mode = models.CharField(
        _("decision mode"), max_length=20, choices=DecisionMode.choices, default=DecisionMode.CONSENSUS
    )
    majority_percent = models.PositiveSmallIntegerField(
        _("majority required (% of votes cast)"),
        default=50,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("50 means more than half of the votes cast; 66 means two thirds."),
    )
    one_vote_per_organisation = models.BooleanField(_("one vote per member organisation"), default=True)
    substitutes_may_vote = models.BooleanField(
        _("a substitute votes when the delegate is absent"), default=True
    )
    # Decisions between meetings (electronic votes) and consultations proposed by members.
    e_votes_allowed = models.BooleanField(
        _("decisions between meetings by electronic vote"),
        default=False,
        help_text=_("Each adopted vote is recorded in the register and ratified at the next meeting."),
    )
    e_vote_majority = models.CharField(
        _("majority required for an electronic vote"),
        max_length=20,
        choices=EVoteMajority.choices,
        default=EVoteMajority.CAST,
    )
    e_vote_majority_percent = models.PositiveSmallIntegerField(
        _("share of the votes (%)"),
        default=50,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("50 means more than half; 66 means two thirds. Not used for unanimity."),
    )
    e_vote_participation_percent = models.PositiveSmallIntegerField(
        _("minimum participation (% of voting members)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("Below this share of voting members answering (abstentions count), the vote fails."),
    )
    e_vote_min_days = models.PositiveSmallIntegerField(
        _("shortest electronic vote (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    e_vote_objections = models.PositiveSmallIntegerField(
        _("objections that send the matter back to a meeting"),
        default=1,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "This many organisations asking for a debate send the proposal to the next meeting. 0: never."
        ),
    )
    members_may_propose = models.BooleanField(
        _("member organisations may propose consultations"),
        default=False,
        help_text=_("The coordination accepts or declines each proposal."),
    )
    note = models.TextField(_("what changed and why"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["table", "-effective_from", "-version"]
        verbose_name = _("governance rules")
        verbose_name_plural = _("governance rules")
        constraints = [
            models.UniqueConstraint(fields=["table", "version"], name="one_rules_version_number"),
        ]

    def __str__(self):
        return _("%(table)s, rules v%(version)s") % {"table": self.table, "version": self.version}

    def quorum_required(self, voting_members):
        """How many voting members must be present for `voting_members` voting members."""
        if voting_members <= 0:
            return 0
        share = voting_members * self.quorum_percent / 100
        needed = math.floor(share) + 1 if self.quorum_strictly_more else math.ceil(share)
        return min(needed, voting_members)
