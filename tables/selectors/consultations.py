"""Reads of consultations: the table's list, the live count, the answers as each reader
may see them, and what waits on a person for the home page's « À faire » list.

Each costs a fixed number of queries whatever the number of answers or consultations."""

from datetime import timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.access import Access, access_for
from members.formatting import datetime_long
from members.todo import TodoItem

from ..models import Consultation, ConsultationAnswer, Membership, PollChoice

__all__ = ["consultation_answers", "consultation_counts", "consultation_list", "todo_items"]

# A consultation closing within this many days is marked "soon" in the « À faire » list.
SOON_DAYS = 2


def consultation_list(table, *, organisation_ids=frozenset(), manage=False):
    """The table's consultations, members' proposals awaiting a decision first, then
    those accepting answers, then those still to open, then the others, newest first
    within each; each with its number of answers and whether one of `organisation_ids`
    (the reader's) answered it. Proposals, and declined ones, are listed for the
    coordination (`manage`) and the organisation that proposed them only."""
    now = timezone.now()
    mine = ConsultationAnswer.objects.filter(
        consultation_id=OuterRef("pk"), membership__organisation_id__in=organisation_ids
    )
    consultations = Consultation.objects.filter(table=table)
    if not manage:
        consultations = consultations.filter(
            Q(status__in=[Consultation.Status.OPEN, Consultation.Status.CLOSED])
            | Q(proposed_by__organisation_id__in=organisation_ids)
        )
    return (
        consultations.select_related("table", "committee", "proposed_by__organisation")
        .annotate(
            answer_count=Count("answers"),
            answered_by_mine=Exists(mine),
            rank=Case(
                When(status=Consultation.Status.PROPOSED, then=Value(0)),
                When(status=Consultation.Status.OPEN, opens_at__lte=now, closes_at__gt=now, then=Value(1)),
                When(status=Consultation.Status.OPEN, opens_at__gt=now, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .order_by("rank", "-opens_at", "-pk")
    )


def consultation_counts(consultation: Consultation) -> dict:
    """The live count: organisations consulted and those that answered, and for a poll how
    many are available, available if needed, or not, at each slot."""
    available = PollChoice.Available
    slots = []
    if consultation.is_poll:
        slots = list(
            consultation.slots.annotate(
                yes=Count("choices", filter=Q(choices__available=available.YES)),
                if_needed=Count("choices", filter=Q(choices__available=available.IF_NEEDED)),
                no=Count("choices", filter=Q(choices__available=available.NO)),
            )
        )
    counts = {"consulted": consultation.consulted_memberships().count(), "slots": slots}
    if consultation.is_vote:
        Vote = ConsultationAnswer.Vote
        counts |= consultation.answers.aggregate(
            answered=Count("pk"),
            votes_for=Count("pk", filter=Q(vote=Vote.FOR)),
            votes_against=Count("pk", filter=Q(vote=Vote.AGAINST)),
            abstentions=Count("pk", filter=Q(vote=Vote.ABSTAIN)),
            objections=Count("pk", filter=Q(objection=True)),
        )
    else:
        counts["answered"] = consultation.answers.count()
    return counts


def consultation_answers(consultation: Consultation):
    """The answers with what a reader may see of them: with anonymous answers, not who
    gave them (the organisation is not even read from the database), in the order they
    came; otherwise by organisation."""
    answers = consultation.answers.prefetch_related("choices")
    if consultation.anonymous:
        return answers.only(
            "pk", "consultation_id", "comment", "vote", "objection", "created_at", "updated_at"
        ).order_by("pk")
    answers = answers.select_related("membership__organisation", "person")
    return answers.order_by("membership__organisation__name")


# « À faire » -------------------------------------------------------------------------------


def todo_items(user) -> list[TodoItem]:
    """The provider registered in `TablesConfig.ready()`: for a delegate, the open
    consultations their organisation has not answered; for the coordination, those past
    their closing time, to close. One query each."""
    access = access_for(user)
    items: list[TodoItem] = []
    if access.delegations:
        items += _to_answer(access)
    if access.coordinated_table_ids:
        items += _to_decide(access.coordinated_table_ids)
        items += _to_close(access.coordinated_table_ids)
    return items


def _short_name(row: dict) -> str:
    return row["table__acronym"] or row["table__name"]


def _to_answer(access: Access) -> list[TodoItem]:
    represented = Q()
    for table_id, organisation_ids in access.delegations.items():
        represented |= Q(table_id=table_id, organisation_id__in=organisation_ids)
    answered = ConsultationAnswer.objects.filter(
        consultation_id=OuterRef(OuterRef("pk")), membership_id=OuterRef("pk")
    )
    # The organisations the person represents that are still waiting, as
    # `Consultation.consulted_memberships` selects them, for each audience.
    waiting = (
        Membership.objects.active()
        .filter(represented, table_id=OuterRef("table_id"))
        .exclude(Exists(answered))
    )
    rows = (
        Consultation.objects.open_now()
        .filter(table_id__in=access.delegated_table_ids)
        .annotate(
            all_waiting=Exists(waiting),
            voting_waiting=Exists(waiting.voting()),
            committee_waiting=Exists(waiting.filter(committees=OuterRef("committee_id"))),
        )
        .filter(
            Q(audience=Consultation.Audience.ALL, all_waiting=True)
            | Q(audience=Consultation.Audience.VOTING, voting_waiting=True)
            | Q(audience=Consultation.Audience.COMMITTEE, committee_waiting=True)
        )
        .values("pk", "kind", "title", "closes_at", "table__slug", "table__name", "table__acronym")
        .order_by("closes_at", "pk")
    )
    soon = timezone.now() + timedelta(days=SOON_DAYS)
    return [
        TodoItem(
            label=(
                _("Vote on “%(title)s” (closes on %(date)s)")
                if row["kind"] == Consultation.Kind.VOTE
                else _("Answer the consultation “%(title)s” (closes on %(date)s)")
            )
            % {
                "title": row["title"],
                "date": datetime_long(row["closes_at"]),
            },
            count=1,
            url=reverse("tables:consultation-detail", args=[row["table__slug"], row["pk"]]),
            urgency="soon" if row["closes_at"] <= soon else "normal",
            table=_short_name(row),
        )
        for row in rows
    ]


def _to_decide(table_ids) -> list[TodoItem]:
    rows = (
        Consultation.objects.filter(status=Consultation.Status.PROPOSED, table_id__in=table_ids)
        .values("table__slug", "table__name", "table__acronym")
        .annotate(count=Count("pk"))
        .order_by("table__name")
    )
    return [
        TodoItem(
            label=ngettext(
                "%(count)s consultation proposed by members to accept or decline",
                "%(count)s consultations proposed by members to accept or decline",
                row["count"],
            )
            % {"count": row["count"]},
            count=row["count"],
            url=reverse("tables:consultation-list", args=[row["table__slug"]]),
            urgency="normal",
            table=_short_name(row),
        )
        for row in rows
    ]


def _to_close(table_ids) -> list[TodoItem]:
    rows = (
        Consultation.objects.to_close()
        .filter(table_id__in=table_ids)
        .values("table__slug", "table__name", "table__acronym")
        .annotate(count=Count("pk"))
        .order_by("table__name")
    )
    return [
        TodoItem(
            label=ngettext(
                "%(count)s consultation to close", "%(count)s consultations to close", row["count"]
            )
            % {"count": row["count"]},
            count=row["count"],
            url=reverse("tables:consultation-list", args=[row["table__slug"]]),
            urgency="overdue",
            table=_short_name(row),
        )
        for row in rows
    ]
