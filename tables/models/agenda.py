from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.fields import ChoiceListField
from members.models import Organisation

from .meeting import Meeting
from .membership import Power


class ItemKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    CONSULTATION = "consultation", _("Consultation")
    DISCUSSION = "discussion", _("Discussion")
    DECISION = "decision", _("Decision")


class TableRole(models.TextChoices):
    """The roles a table plays (CommunAgir), which each item serves."""

    NETWORKING = "networking", _("Networking and communication")
    COHERENCE = "coherence", _("Coherence and complementarity")
    COLLECTIVE_PROJECTS = "collective_projects", _("Collective projects")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    INFLUENCE = "influence", _("Positioning and influence")


class StandardItem(models.TextChoices):
    """Items every meeting opens and closes with, in this order around the others."""

    OPENING = "opening", _("Opening of the meeting and quorum check")
    AGENDA_ADOPTION = "agenda_adoption", _("Adoption of the agenda")
    MINUTES_ADOPTION = "minutes_adoption", _("Adoption of the minutes of the previous meeting")
    BUSINESS_ARISING = "business_arising", _("Business arising from the minutes")
    # Only on the agenda of a meeting that follows decisions taken by electronic vote.
    RATIFICATION = "ratification", _("Ratification of the decisions taken between meetings")
    VARIA = "varia", _("Other business")
    CLOSING = "closing", _("Closing of the meeting")


# Standard items before and after the members' items, and their usual length.
STANDARD_BEFORE = [
    (StandardItem.OPENING, ItemKind.INFORMATION, 5),
    (StandardItem.AGENDA_ADOPTION, ItemKind.DECISION, 5),
    (StandardItem.MINUTES_ADOPTION, ItemKind.DECISION, 5),
    (StandardItem.BUSINESS_ARISING, ItemKind.INFORMATION, 10),
]
STANDARD_AFTER = [
    (StandardItem.VARIA, ItemKind.INFORMATION, 10),
    (StandardItem.CLOSING, ItemKind.INFORMATION, 5),
]


class AgendaItemQuerySet(models.QuerySet):
    def retained(self):
        return self.filter(status=AgendaItem.Status.RETAINED)

    def proposals(self):
        return self.filter(status=AgendaItem.Status.PROPOSED)


class AgendaItem(models.Model):
    """An item of a meeting's agenda, or a member's proposal for one."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        RETAINED = "retained", _("On the agenda")
        DEFERRED = "deferred", _("Deferred to a later meeting")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("under item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    standard = models.CharField(max_length=30, choices=StandardItem.choices, blank=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, default=ItemKind.INFORMATION)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=10)
    presenter = models.ForeignKey(
        Organisation,
        verbose_name=_("presented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    table_role = models.CharField(
        _("role of the table it serves"), max_length=30, choices=TableRole.choices, blank=True
    )
    powers = ChoiceListField(_("powers of the members on this item"), choices_class=Power)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RETAINED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when a member organisation (not the coordination) proposed the item: this is
    # what the agenda-ownership measure counts.
    proposed_by_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("proposed by the organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason given to the proposer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    deferred_from = models.ForeignKey(
        Meeting,
        verbose_name=_("deferred from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        indexes = [models.Index(fields=["meeting", "status", "position"])]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        """Standard items are named in the reader's language; others as written."""
        return StandardItem(self.standard).label if self.standard else self.title

    @property
    def is_member_proposal(self):
        return self.proposed_by_organisation_id is not None


class AgendaAttachment(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="agenda/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


def number_items(items):
    """Give each retained item its agenda number (1, 2, 2.1 …) from positions, in place,
    and return them in agenda order (parents followed by their sub-items)."""
    top = sorted((i for i in items if i.parent_id is None), key=lambda i: (i.position, i.pk))
    children = {}
    for item in items:
        if item.parent_id is not None:
            children.setdefault(item.parent_id, []).append(item)
    ordered = []
    for n, item in enumerate(top, start=1):
        item.number = str(n)
        item.depth = 0
        ordered.append(item)
        for m, child in enumerate(
            sorted(children.get(item.pk, []), key=lambda i: (i.position, i.pk)), start=1
        ):
            child.number = f"{n}.{m}"
            child.depth = 1
            ordered.append(child)
    return ordered
