"""What waits on a person at their tables, for the « À faire » list of the home page
(`members.todo`): for the coordination, the proposals to decide, the minutes to circulate
or adopt, the overdue follow-ups and the answers still missing to a convocation; for a
delegate, the convocations to answer and the follow-ups of the organisations they
represent.

Each kind is one COUNT … GROUP BY query over every table of the person at once, so the
list costs the same few queries whatever the number of tables, meetings or follow-ups.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.access import Access, access_for
from members.formatting import date_long
from members.todo import TodoItem

from ..filters.minutes import FollowUpFilter
from ..models import AgendaItem, Attendance, Committee, FollowUp, Meeting, Membership, Minutes

__all__ = ["todo_items"]

# An item whose date falls within this many days is marked "soon".
SOON_DAYS = 7

EDITABLE = [Meeting.Status.PLANNED, Meeting.Status.CONVENED]


def todo_items(user) -> list[TodoItem]:
    """The provider registered in `TablesConfig.ready()`."""
    access = access_for(user)
    items: list[TodoItem] = []
    if access.coordinated_table_ids:
        tables = access.coordinated_table_ids
        items += _proposals_to_decide(tables)
        items += _minutes_to_move(tables)
        items += _overdue_follow_ups(tables)
        items += _answers_missing(
            Meeting.objects.filter(table_id__in=tables), Q(), label=_missing_answers_label
        )
    if access.delegations:
        items += _convocations_to_answer(access)
        items += _follow_ups_of_my_organisations(access)
    return items


def _short_name(row: dict, prefix: str = "table__") -> str:
    """The short name (acronym, or else name) of the table, or organisation, of a row."""
    return row[f"{prefix}acronym"] or row[f"{prefix}name"]


def _day(value) -> str:
    return date_long(value)


def _soon(moment) -> bool:
    return moment <= timezone.now() + timedelta(days=SOON_DAYS)


# The coordination ---------------------------------------------------------------------------


def _proposals_to_decide(table_ids) -> list[TodoItem]:
    """Members' proposals not yet retained or declined, per upcoming meeting."""
    rows = (
        AgendaItem.objects.proposals()
        .filter(
            meeting__table_id__in=table_ids,
            meeting__status__in=EDITABLE,
            meeting__ends_at__gte=timezone.now(),
        )
        .values(
            "meeting_id",
            "meeting__starts_at",
            "meeting__table__slug",
            "meeting__table__name",
            "meeting__table__acronym",
        )
        .annotate(count=Count("pk"))
        .order_by("meeting__starts_at", "meeting_id")
    )
    return [
        TodoItem(
            label=ngettext(
                "%(count)s proposal to decide for the meeting of %(date)s",
                "%(count)s proposals to decide for the meeting of %(date)s",
                row["count"],
            )
            % {"count": row["count"], "date": _day(row["meeting__starts_at"])},
            count=row["count"],
            url=reverse("tables:meeting-detail", args=[row["meeting__table__slug"], row["meeting_id"]])
            + "#proposals-title",
            urgency="soon" if _soon(row["meeting__starts_at"]) else "normal",
            table=_short_name(row, "meeting__table__"),
        )
        for row in rows
    ]


def _minutes_to_move(table_ids) -> list[TodoItem]:
    """Drafts of meetings already held, to circulate for comments; circulated minutes, to
    adopt by a resolution of the next meeting. Both from one query, per table."""
    rows = (
        Minutes.objects.filter(
            meeting__table_id__in=table_ids,
            status__in=[Minutes.Status.DRAFT, Minutes.Status.CIRCULATED],
            meeting__ends_at__lt=timezone.now(),
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .values("status", "meeting__table__slug", "meeting__table__name", "meeting__table__acronym")
        .annotate(count=Count("pk"), meeting_id=Min("meeting_id"))
        .order_by("meeting__table__name", "status")
    )
    items = []
    for row in rows:
        count, slug = row["count"], row["meeting__table__slug"]
        if row["status"] == Minutes.Status.DRAFT:
            label = ngettext(
                "%(count)s draft of minutes to circulate", "%(count)s drafts of minutes to circulate", count
            )
        else:
            label = ngettext(
                "%(count)s circulated draft of minutes to adopt",
                "%(count)s circulated drafts of minutes to adopt",
                count,
            )
        # One set of minutes opens directly; several, from the table's list of meetings.
        url = (
            reverse("tables:minutes-detail", args=[slug, row["meeting_id"]])
            if count == 1
            else reverse("tables:meeting-list", args=[slug])
        )
        items.append(
            TodoItem(
                label=label % {"count": count},
                count=count,
                url=url,
                table=_short_name(row, "meeting__table__"),
            )
        )
    return items


def _follow_up_list(slug: str, **filters) -> str:
    return reverse("tables:follow-up-list", args=[slug]) + "?" + urlencode(filters)


def _overdue_follow_ups(table_ids) -> list[TodoItem]:
    rows = (
        FollowUp.objects.overdue()
        .filter(table_id__in=table_ids)
        .values("table__slug", "table__name", "table__acronym")
        .annotate(count=Count("pk"))
        .order_by("table__name")
    )
    return [
        TodoItem(
            label=ngettext("%(count)s overdue follow-up", "%(count)s overdue follow-ups", row["count"])
            % {"count": row["count"]},
            count=row["count"],
            url=_follow_up_list(row["table__slug"], state=FollowUpFilter.OVERDUE),
            urgency="overdue",
            table=_short_name(row),
        )
        for row in rows
    ]


def _answers_missing(meetings, memberships: Q, *, label) -> list[TodoItem]:
    """Per upcoming convened meeting among `meetings`: the organisations called to it (those
    `memberships` selects) that have not answered yet. The called organisations are those
    of `Meeting.invited_memberships`: members on the meeting's day, of its committee if it
    has one."""
    # Inside the subquery on memberships, OuterRef is the membership, OuterRef(OuterRef)
    # the meeting.
    answered = Attendance.objects.filter(
        meeting_id=OuterRef(OuterRef("pk")), membership_id=OuterRef("pk")
    ).exclude(response="")
    whole_table = Meeting.objects.filter(pk=OuterRef(OuterRef("pk")), committee__isnull=True)
    in_committee = Committee.members.through.objects.filter(
        membership_id=OuterRef("pk"), committee_id=OuterRef(OuterRef("committee_id"))
    )
    unanswered = (
        Membership.objects.filter(memberships, table_id=OuterRef("table_id"), joined__lte=OuterRef("day"))
        .filter(Q(left__isnull=True) | Q(left__gt=OuterRef("day")))
        .filter(Exists(whole_table) | Exists(in_committee))
        .exclude(Exists(answered))
        .order_by()
        .values("table_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = (
        meetings.upcoming()
        .filter(status=Meeting.Status.CONVENED)
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .annotate(count=Coalesce(Subquery(unanswered, output_field=IntegerField()), 0))
        .filter(count__gt=0)
        .values("pk", "starts_at", "table__slug", "table__name", "table__acronym", "count")
        .order_by("starts_at", "pk")
    )
    return [
        TodoItem(
            label=label(row["count"]) % {"count": row["count"], "date": _day(row["starts_at"])},
            count=row["count"],
            url=reverse("tables:meeting-detail", args=[row["table__slug"], row["pk"]]),
            urgency="soon" if _soon(row["starts_at"]) else "normal",
            table=_short_name(row),
        )
        for row in rows
    ]


def _missing_answers_label(count: int) -> str:
    return ngettext(
        "%(count)s answer missing to the convocation of %(date)s",
        "%(count)s answers missing to the convocation of %(date)s",
        count,
    )


# Delegates and substitutes ------------------------------------------------------------------


def _represented(access: Access, *, table: str, organisation: str) -> Q:
    """Rows of the organisations the person represents, at the table where they do."""
    condition = Q()
    for table_id, organisation_ids in access.delegations.items():
        condition |= Q(**{table: table_id, f"{organisation}__in": organisation_ids})
    return condition


def _answer_label(count: int) -> str:
    return ngettext(
        "Answer the convocation of %(date)s",
        "Answer the convocation of %(date)s for your %(count)s organisations",
        count,
    )


def _convocations_to_answer(access: Access) -> list[TodoItem]:
    return _answers_missing(
        Meeting.objects.filter(table_id__in=access.delegated_table_ids),
        _represented(access, table="table_id", organisation="organisation_id"),
        label=_answer_label,
    )


def _follow_ups_of_my_organisations(access: Access) -> list[TodoItem]:
    """The open follow-ups of the organisations the person represents, per table and
    organisation; their delegates mark them done, with a note, from the follow-up list."""
    today = timezone.localdate()
    rows = (
        FollowUp.objects.open()
        .filter(_represented(access, table="table_id", organisation="organisation_id"))
        .values(
            "table__slug",
            "table__name",
            "table__acronym",
            "organisation_id",
            "organisation__name",
            "organisation__acronym",
        )
        .annotate(
            count=Count("pk"),
            overdue=Count("pk", filter=Q(due__lt=today)),
            soon=Count("pk", filter=Q(due__gte=today, due__lte=today + timedelta(days=SOON_DAYS))),
        )
        .order_by("table__name", "organisation_id")
    )
    items = []
    for row in rows:
        label = ngettext(
            "%(count)s open follow-up of %(organisation)s",
            "%(count)s open follow-ups of %(organisation)s",
            row["count"],
        ) % {"count": row["count"], "organisation": _short_name(row, "organisation__")}
        if row["overdue"]:
            label = _("%(label)s, %(overdue)s overdue") % {"label": label, "overdue": row["overdue"]}
        items.append(
            TodoItem(
                label=label,
                count=row["count"],
                url=_follow_up_list(
                    row["table__slug"], state=FollowUpFilter.OPEN, organisation=row["organisation_id"]
                ),
                urgency="overdue" if row["overdue"] else "soon" if row["soon"] else "normal",
                table=_short_name(row),
            )
        )
    return items
