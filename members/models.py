from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    COMMUNITY = "community", _("Community")
    PUBLIC_HEALTH = "public_health", _("Public institution: health and social services")
    PUBLIC_EDUCATION = "public_education", _("Public institution: education")
    PUBLIC_EMPLOYMENT = "public_employment", _("Public institution: employment")
    GOVERNMENT = "government", _("Ministry or government agency")
    MUNICIPAL = "municipal", _("Municipality or MRC")
    PRIVATE = "private", _("Private sector")
    PHILANTHROPIC = "philanthropic", _("Philanthropy")
    CITIZEN = "citizen", _("Citizens and lived-experience experts")


class ActorType(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic (holds levers and resources)")
    TACTICAL = "tactical", _("Tactical (acts in the field)")
    LIVED_EXPERIENCE = "lived_experience", _("Lived-experience expert")


class Region(models.Model):
    """One of the 17 administrative regions of Québec (loaded by a data migration)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative region")
        verbose_name_plural = _("administrative regions")

    def __str__(self):
        return f"{self.code} {self.name}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# Monday is 0, as datetime.date.weekday() counts.
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class User(AbstractUser):
    """A person with an account. The email address is the login."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        _("day of the weekly digest"), choices=WEEKDAYS, default=0
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return self.get_full_name() or self.email

    @cached_property
    def current_affiliation(self):
        return self.affiliations.filter(end__isnull=True).select_related("organisation").first()

    @property
    def organisation(self):
        affiliation = self.current_affiliation
        return affiliation.organisation if affiliation else None


class OrganisationQuerySet(models.QuerySet):
    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(acronym__icontains=text) | Q(territory__icontains=text)
        )


class Organisation(models.Model):
    """A member organisation, a funder or a coordinating body: any legal body at a table."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    actor_type = models.CharField(_("actor type"), max_length=30, choices=ActorType.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    territory = models.CharField(
        _("territory served"),
        max_length=200,
        blank=True,
        help_text=_("For example: Ville de Québec, MRC de Portneuf."),
    )
    mission = models.TextField(_("mission"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("general email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["sector"]),
            models.Index(Lower("name"), name="org_lower_name"),
            # The directory's order: a page of 12,000 organisations without a sort.
            models.Index(fields=["name"], name="org_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organisation, self.acronym or self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:organisation-detail", args=[self.slug])

    @property
    def short_name(self):
        return self.acronym or self.name


def unique_slug(model, text, max_length=60):
    """A slug for `text` not yet used by `model` (suffixes -2, -3 … when taken)."""
    base = slugify(text)[:max_length].strip("-") or "x"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Affiliation(models.Model):
    """A person works for an organisation. One current affiliation at most; the rest is history."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end__isnull=True),
                name="one_current_affiliation_per_person",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="affiliation_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.organisation}"


class DelegationQuerySet(models.QuerySet):
    def active(self, on=None):
        """Delegations in force on `on`: `end` is the first day the person no longer sits."""
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gt=on), start__lte=on)


class Delegation(models.Model):
    """A person represents a member organisation at a table, as delegate or substitute."""

    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        SUBSTITUTE = "substitute", _("Substitute")

    membership = models.ForeignKey(
        "tables.Membership",
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("to"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["role", "start"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "person"],
                condition=Q(end__isnull=True),
                name="one_open_delegation_per_person_and_membership",
            ),
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(end__isnull=True, role="delegate"),
                name="one_open_delegate_per_membership",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="delegation_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    @property
    def is_active(self):
        today = timezone.localdate()
        return self.start <= today and (self.end is None or self.end > today)


__all__ = [
    "ActorType",
    "Affiliation",
    "Delegation",
    "Organisation",
    "OutboxEmail",
    "Region",
    "Sector",
    "User",
]


class EmailKind(models.TextChoices):
    """What an email is about. Convocations (and their updates and cancellations) are the
    notice a table's rules require and account messages keep a person's access: they are
    always sent and carry no unsubscribe link. The others may be turned off, one kind at a
    time, by the link at the bottom of each message (RFC 8058 one-click)."""

    NOTICE = "notice", _("Convocations and cancellations")
    ACCOUNT = "account", _("Account and security")
    AGENDA = "agenda", _("Decisions on agenda proposals")
    MINUTES = "minutes", _("Minutes circulated")
    INVITATION = "invitation", _("Invitations to a table")
    PROJECTS = "projects", _("Joint projects and partners")
    FUNDING = "funding", _("Funding calls and applications")
    REGIONAL = "regional", _("Shared regional calendar")
    COMMUNIQUE = "communique", _("Communiqués of the coordination")
    REMINDER = "reminder", _("Reminders of what is due at my tables")
    DIGEST = "digest", _("Daily and weekly digests")
    CONSULTATION = "consultation", _("Consultations between meetings")

    @classmethod
    def required(cls) -> frozenset:
        return frozenset({cls.NOTICE, cls.ACCOUNT})


class EmailOptOut(models.Model):
    """An address that asked not to receive one kind of email any more. Kept by address,
    not by account: invitations reach people who have none yet."""

    address = models.EmailField(_("address"))
    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        constraints = [
            models.UniqueConstraint(Lower("address"), "kind", name="one_opt_out_per_address_and_kind")
        ]

    def __str__(self):
        return f"{self.address} – {self.get_kind_display()}"


class OutboxEmail(models.Model):
    """An email written in the same transaction as the change it tells about (the
    transactional outbox): if the broker is down when the request commits, the message
    waits here and a periodic sweep sends it later. Sending twice is prevented by
    `sent_at`."""

    to = models.JSONField(_("to"))
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=EmailKind.choices, default=EmailKind.ACCOUNT)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return self.subject


class Notification(models.Model):
    """Something that happened for one person: shown in their list on the site, and
    emailed at once, in their daily or weekly digest, or never, as they chose for its
    kind. Title and text are written in the person's language when it happens."""

    class Kind(models.TextChoices):
        PROPOSAL_DECIDED = "proposal_decided", _("My organisation's agenda proposals decided")
        MINUTES_CIRCULATED = "minutes_circulated", _("Draft minutes circulated for comments")
        PARTNER_INVITED = "partner_invited", _("Invitations to be a partner in a joint project")
        PARTNER_ANSWERED = "partner_answered", _("A partner's answer to my project")
        CALL_PUBLISHED = "call_published", _("Funding calls opened at my tables")
        APPLICATION_SUBMITTED = "application_submitted", _("Applications submitted to my calls")
        DECISION_MADE = "decision_made", _("Funding decisions on my projects")
        COMMUNIQUE = "communique", _("Communiqués of my tables' coordination")
        CONVOCATION_UNANSWERED = "convocation_unanswered", _("Reminders: a convocation not yet answered")
        PROPOSAL_DEADLINE = "proposal_deadline", _("Reminders: the deadline for agenda proposals")
        FOLLOW_UP_DUE = "follow_up_due", _("Reminders: my organisation's follow-ups coming due")
        FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Reminders: my organisation's overdue follow-ups")
        MINUTES_COMMENTS_CLOSING = "minutes_comments_closing", _("Reminders: draft minutes to comment")
        PROGRESS_REPORT_DUE = "progress_report_due", _("Reminders: progress reports on our actions")
        CONSULTATION_OPENED = "consultation_opened", _("Consultations my organisation is asked to answer")
        CONSULTATION_CLOSED = "consultation_closed", _("Results of the consultations at my tables")
        CONSULTATION_CLOSING = "consultation_closing", _("Reminders: a consultation closing unanswered")
        CONSULTATION_PROPOSED = "consultation_proposed", _("Consultations proposed by member organisations")
        FOLLOW_UP_ASSIGNED = "follow_up_assigned", _("Follow-ups given to my organisation")
        REVIEW_ASSIGNED = "review_assigned", _("Applications given to me to review")
        REPORT_SUBMITTED = "report_submitted", _("Reports submitted on the projects I fund")
        PROJECT_FOLLOW_UP = (
            "project_follow_up",
            _("My projects' reports accepted or sent back, tranches released"),
        )

    class Email(models.TextChoices):
        """Where the email of a notification stands."""

        NONE = "", _("not emailed")
        DAILY = "daily", _("waiting for the daily digest")
        WEEKLY = "weekly", _("waiting for the weekly digest")
        SENT = "sent", _("emailed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    # What the notification is about (a meeting, minutes, an application…): a digest sent
    # later leaves it out if the person may no longer see it (members.permissions.may_see).
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=10, choices=Email.choices, blank=True, default=Email.NONE)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["email", "recipient"],
                condition=Q(email__in=["daily", "weekly"]),
                name="notification_digest_due",
            ),
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind of notification by email. Without a row, the kind's
    default applies (`DEFAULT_DELIVERY`)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DAILY = "daily", _("In the daily digest")
        WEEKLY = "weekly", _("In the weekly digest")
        NEVER = "never", _("Never (on the site only)")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Notification.Kind.choices)
    delivery = models.CharField(_("by email"), max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.person} – {self.get_kind_display()}: {self.get_delivery_display()}"


# What a person gets by email until they choose. Each of these asks something of them or
# has a deadline (a call's closing date), so it comes at once; kinds that only inform
# (reminders, activity on a consultation) are meant to default to the daily digest.
DEFAULT_DELIVERY = {
    Notification.Kind.PROPOSAL_DECIDED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.MINUTES_CIRCULATED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.PARTNER_INVITED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.PARTNER_ANSWERED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.CALL_PUBLISHED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.APPLICATION_SUBMITTED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.DECISION_MADE: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.COMMUNIQUE: NotificationPreference.Delivery.IMMEDIATE,
    # Reminders that ask for something before a date come at once; an overdue follow-up
    # repeats every few days and can wait for the morning digest.
    Notification.Kind.CONVOCATION_UNANSWERED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.PROPOSAL_DEADLINE: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.FOLLOW_UP_DUE: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.FOLLOW_UP_OVERDUE: NotificationPreference.Delivery.DAILY,
    Notification.Kind.MINUTES_COMMENTS_CLOSING: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.PROGRESS_REPORT_DUE: NotificationPreference.Delivery.IMMEDIATE,
    # A consultation asks for an answer before it closes; its results only inform.
    Notification.Kind.CONSULTATION_OPENED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.CONSULTATION_CLOSED: NotificationPreference.Delivery.DAILY,
    Notification.Kind.CONSULTATION_CLOSING: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.CONSULTATION_PROPOSED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.FOLLOW_UP_ASSIGNED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.REVIEW_ASSIGNED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.REPORT_SUBMITTED: NotificationPreference.Delivery.IMMEDIATE,
    Notification.Kind.PROJECT_FOLLOW_UP: NotificationPreference.Delivery.IMMEDIATE,
}
