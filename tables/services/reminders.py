"""Reminders between meetings: each morning, what is due at every table, told to the people
who must act, as each table chose (`ReminderSettings`).

Every reminder is about a subject (an organisation that has not answered a convocation, a
follow-up, an action…) whose key names the date it is about. A subject is told once: its
`ReminderSent` row is written in the same transaction as the notifications, under a unique
key, so a second run the same day (or one racing it) tells nobody twice. A reminder falls
due N days ahead and stays due until the date, so that a morning the job did not run is
caught up the next morning.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone

from members.emails import site_url
from members.models import Delegation, EmailKind, Notification
from members.services.notifications import notify

from ..models import (
    Action,
    ActionPlan,
    Attendance,
    Consultation,
    ConsultationAnswer,
    FollowUp,
    Meeting,
    Minutes,
    MinutesComment,
    ReminderSent,
    ReminderSettings,
    Table,
)

__all__ = ["Planned", "reminders_due", "reminders_send"]

Kind = Notification.Kind


@dataclass
class Subject:
    """One thing to remind of, and the organisations whose people must act on it."""

    key: str
    organisation_ids: set
    entry: object = None


@dataclass
class Batch:
    """One reminder of one kind at one table: one notify() call."""

    kind: str
    table: Table
    template: str
    context: dict
    subjects: list[Subject]
    # organisation id → the people who sit for it (filled by `_seat`).
    seats: dict = field(default_factory=dict)
    # A subject per organisation: the link goes to the page where it acts on it.
    url_of_entry: object = None


@dataclass(frozen=True)
class Planned:
    """One person told of one reminder (what --dry-run prints)."""

    table: str
    kind: str
    person: str
    subjects: tuple


def reminders_due(*, today: date) -> list[Batch]:
    """What falls due today at every table, each subject not yet told, with its people."""
    tables = list(Table.objects.select_related("reminder_settings").order_by("pk"))
    batches = []
    for table in tables:
        try:
            settings = table.reminder_settings
        except ReminderSettings.DoesNotExist:
            settings = ReminderSettings(table=table)
        for collect in COLLECTORS:
            batches.extend(collect(table, settings, today))
    batches = _not_yet_sent(batches)
    _seat(batches, today)
    return [batch for batch in batches if batch.subjects]


def reminders_send(*, today: date, dry_run: bool = False) -> list[Planned]:
    """Tell everyone what is due today (see the module's docstring). Returns who was told
    of what; with `dry_run`, who would be, and nothing is written."""
    planned = []
    for batch in reminders_due(today=today):
        people, each = _recipients(batch)
        if not people:
            continue
        told = [
            Planned(batch.table.slug, batch.kind, person.email, tuple(each[person.pk]["keys"]))
            for person in people
        ]
        if dry_run:
            planned.extend(told)
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.bulk_create(
                    [
                        ReminderSent(
                            kind=batch.kind,
                            key=subject.key,
                            day=today,
                            recipients=sum(len(batch.seats.get(o, ())) for o in subject.organisation_ids),
                        )
                        for subject in batch.subjects
                    ]
                )
                notify(
                    people=people,
                    kind=batch.kind,
                    template=batch.template,
                    context={**batch.context, "table": batch.table},
                    email_kind=EmailKind.REMINDER,
                    each=each,
                )
        except IntegrityError:
            # Another run told these subjects a moment ago: nothing of this batch is kept.
            continue
        planned.extend(told)
    return planned


def _recipients(batch: Batch):
    """Each person once, with the entries of their organisations and the page to act on."""
    people, each = {}, {}
    for subject in batch.subjects:
        for organisation_id in sorted(subject.organisation_ids):
            for person, organisation in batch.seats.get(organisation_id, ()):
                people.setdefault(person.pk, person)
                mine = each.setdefault(person.pk, {"entries": [], "organisations": [], "keys": []})
                if subject.key not in mine["keys"]:
                    mine["keys"].append(subject.key)
                    if subject.entry is not None:
                        mine["entries"].append(subject.entry)
                if organisation.name not in mine["organisations"]:
                    mine["organisations"].append(organisation.name)
    for mine in each.values():
        mine["organisation"] = ", ".join(mine["organisations"])
        if batch.url_of_entry and len(mine["entries"]) == 1:
            mine["url"] = batch.url_of_entry(mine["entries"][0])
    return sorted(people.values(), key=lambda person: person.pk), each


def _not_yet_sent(batches: list[Batch]) -> list[Batch]:
    """The batches without the subjects already told (one query)."""
    wanted = Q(pk__in=[])
    for batch in batches:
        wanted |= Q(kind=batch.kind, key__in=[subject.key for subject in batch.subjects])
    sent = set(ReminderSent.objects.filter(wanted).values_list("kind", "key")) if batches else set()
    for batch in batches:
        batch.subjects = [s for s in batch.subjects if (batch.kind, s.key) not in sent]
    return [batch for batch in batches if batch.subjects]


def _seat(batches: list[Batch], today: date) -> None:
    """The delegates and substitutes of the organisations concerned, at each table, active
    today (one query for all the batches)."""
    wanted = defaultdict(set)
    for batch in batches:
        for subject in batch.subjects:
            wanted[batch.table.pk] |= subject.organisation_ids
    if not wanted:
        return
    where = Q(pk__in=[])
    for table_id, organisation_ids in wanted.items():
        where |= Q(membership__table_id=table_id, membership__organisation_id__in=organisation_ids)
    delegations = (
        Delegation.objects.active(on=today)
        .filter(where, person__is_active=True)
        .filter(
            Q(membership__left__isnull=True) | Q(membership__left__gt=today), membership__joined__lte=today
        )
        .exclude(person__email="")
        .select_related("person", "membership__organisation")
        .order_by("person_id")
    )
    seats = defaultdict(lambda: defaultdict(list))
    for delegation in delegations:
        membership = delegation.membership
        seats[membership.table_id][membership.organisation_id].append(
            (delegation.person, membership.organisation)
        )
    for batch in batches:
        batch.seats = seats.get(batch.table.pk, {})


def _local_date(moment) -> date:
    return timezone.localtime(moment).date()


def _meetings(table: Table, statuses, today: date, days: int):
    """The table's meetings in these statuses from tomorrow to `days` days ahead."""
    return list(
        Meeting.objects.filter(table=table, status__in=statuses, starts_at__date__gt=today)
        .filter(starts_at__date__lte=date.fromordinal(today.toordinal() + days))
        .order_by("starts_at")
    )


def convocation_unanswered(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """N days before a convened meeting (and until the day before), the delegates and
    substitutes of each invited organisation that has not answered. A convocation sent
    today is not chased today."""
    if not settings.convocation_unanswered:
        return []
    batches = []
    for meeting in _meetings(table, [Meeting.Status.CONVENED], today, settings.convocation_unanswered_days):
        if meeting.convened_at and _local_date(meeting.convened_at) >= today:
            continue
        answered = Attendance.objects.filter(meeting=meeting, membership=OuterRef("pk")).exclude(response="")
        silent = meeting.invited_memberships().exclude(Exists(answered)).values_list("pk", "organisation_id")
        subjects = [
            Subject(
                key=f"meeting:{meeting.pk}:{meeting.date}:membership:{pk}", organisation_ids={organisation}
            )
            for pk, organisation in silent
        ]
        if subjects:
            batches.append(
                Batch(
                    Kind.CONVOCATION_UNANSWERED,
                    table,
                    "tables/email/reminder_convocation",
                    {"meeting": meeting, "url": site_url(meeting.get_absolute_url())},
                    subjects,
                )
            )
    return batches


def proposal_deadline(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """N days before the deadline for members' proposals (and until it passes), every
    delegate and substitute invited to the meeting."""
    if not settings.proposal_deadline:
        return []
    last_day = date.fromordinal(today.toordinal() + settings.proposal_deadline_days)
    meetings = Meeting.objects.filter(
        table=table,
        status__in=[Meeting.Status.PLANNED, Meeting.Status.CONVENED],
        proposals_deadline__date__gte=today,
        proposals_deadline__date__lte=last_day,
    ).order_by("proposals_deadline")
    batches = []
    for meeting in meetings:
        deadline = timezone.localtime(meeting.proposals_deadline)
        organisations = set(meeting.invited_memberships().values_list("organisation_id", flat=True))
        if organisations:
            batches.append(
                Batch(
                    Kind.PROPOSAL_DEADLINE,
                    table,
                    "tables/email/reminder_proposal_deadline",
                    {
                        "meeting": meeting,
                        "deadline": deadline,
                        "url": site_url(reverse("tables:item-propose", args=[table.slug, meeting.pk])),
                    },
                    [
                        Subject(
                            key=f"meeting:{meeting.pk}:{deadline:%Y-%m-%d}", organisation_ids=organisations
                        )
                    ],
                )
            )
    return batches


def _follow_up_batch(table, kind, template, follow_ups, key) -> list[Batch]:
    subjects = [Subject(key=key(f), organisation_ids={f.organisation_id}, entry=f) for f in follow_ups]
    if not subjects:
        return []
    url = site_url(reverse("tables:follow-up-list", args=[table.slug]))
    return [Batch(kind, table, template, {"url": url}, subjects)]


def follow_up_due(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """N days before an open follow-up is due (and until that day), the delegates and
    substitutes of the organisation responsible for it."""
    if not settings.follow_up_due:
        return []
    follow_ups = (
        FollowUp.objects.open()
        .filter(table=table, organisation__isnull=False, due__gte=today)
        .filter(due__lte=date.fromordinal(today.toordinal() + settings.follow_up_due_days))
        .order_by("due", "pk")
    )
    return _follow_up_batch(
        table,
        Kind.FOLLOW_UP_DUE,
        "tables/email/reminder_follow_up_due",
        follow_ups,
        lambda f: f"follow_up:{f.pk}:{f.due}",
    )


def follow_up_overdue(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """The day after an open follow-up was due, then every N days until it is done or
    cancelled, the delegates and substitutes of the organisation responsible for it."""
    if not settings.follow_up_overdue:
        return []
    every = settings.follow_up_overdue_days
    follow_ups = (
        FollowUp.objects.overdue(today).filter(table=table, organisation__isnull=False).order_by("due", "pk")
    )

    def key(follow_up):
        round_ = ((today - follow_up.due).days - 1) // every
        return f"follow_up:{follow_up.pk}:{follow_up.due}:late:{every}:{round_}"

    return _follow_up_batch(
        table, Kind.FOLLOW_UP_OVERDUE, "tables/email/reminder_follow_up_overdue", follow_ups, key
    )


def minutes_comments_closing(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """N days before the next meeting of the same body (which will adopt them), the
    organisations that have not commented the circulated draft minutes. The minutes have
    no deadline of their own: comments are taken until that meeting."""
    if not settings.minutes_comments:
        return []
    circulated = list(
        Minutes.objects.filter(meeting__table=table, status=Minutes.Status.CIRCULATED).select_related(
            "meeting"
        )
    )
    if not circulated:
        return []
    upcoming = _meetings(
        table, [Meeting.Status.PLANNED, Meeting.Status.CONVENED], today, settings.minutes_comments_days
    )
    batches = []
    for minutes in circulated:
        after = minutes.meeting.starts_at
        following = next(
            (m for m in upcoming if m.starts_at > after and m.committee_id == minutes.meeting.committee_id),
            None,
        )
        if following is None:
            continue
        commented = MinutesComment.objects.filter(
            minutes=minutes, organisation_id=OuterRef("organisation_id")
        )
        organisations = set(
            table.memberships.active(on=today)
            .exclude(Exists(commented))
            .values_list("organisation_id", flat=True)
        )
        if organisations:
            batches.append(
                Batch(
                    Kind.MINUTES_COMMENTS_CLOSING,
                    table,
                    "tables/email/reminder_minutes_comments",
                    {
                        "meeting": minutes.meeting,
                        "next_meeting": following,
                        "url": site_url(
                            reverse("tables:minutes-detail", args=[table.slug, minutes.meeting_id])
                        ),
                    },
                    [
                        Subject(
                            key=f"minutes:{minutes.pk}:before:{following.pk}:{following.date}",
                            organisation_ids=organisations,
                        )
                    ],
                )
            )
    return batches


def progress_report_due(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """Every N days without a progress report, the lead organisation of each action still
    under way in an adopted plan whose period has begun and not ended. The count starts
    at the last report, or at the plan's adoption."""
    if not settings.progress_report:
        return []
    every = settings.progress_report_days
    actions = (
        Action.objects.in_plan()
        .filter(
            objective__axis__plan__table=table,
            objective__axis__plan__status__in=[ActionPlan.Status.ADOPTED, ActionPlan.Status.IN_PROGRESS],
            objective__axis__plan__starts__lte=today,
            objective__axis__plan__ends__gte=today,
            lead__isnull=False,
        )
        .exclude(status__in=[Action.Status.DONE, Action.Status.ABANDONED])
        .annotate(last_report=Max("updates__created_at"))
        .select_related("objective__axis__plan")
        .order_by("pk")
    )
    subjects = []
    for action in actions:
        plan = action.objective.axis.plan
        since = max(
            day
            for day in (
                _local_date(action.last_report) if action.last_report else None,
                _local_date(plan.adopted_at) if plan.adopted_at else None,
                plan.starts,
            )
            if day is not None
        )
        waited = (today - since).days
        if waited >= every:
            subjects.append(
                Subject(
                    key=f"action:{action.pk}:since:{since}:{every}:{waited // every}",
                    organisation_ids={action.lead_id},
                    entry=action,
                )
            )
    if not subjects:
        return []

    def url_of(action):
        plan = action.objective.axis.plan
        return site_url(reverse("tables:action-detail", args=[table.slug, plan.pk, action.pk]))

    return [
        Batch(
            Kind.PROGRESS_REPORT_DUE,
            table,
            "tables/email/reminder_progress_report",
            {"url": site_url(reverse("tables:plan-list", args=[table.slug])), "every": every},
            subjects,
            url_of_entry=url_of,
        )
    ]


def _unanswered(consultations: list[Consultation]):
    """(consultation id, membership id, organisation id) of every organisation consulted
    that has not answered, for all these consultations in one query: each one's audience
    is its own, so each is a part of the union."""
    parts = [
        consultation.consulted_memberships()
        .exclude(
            Exists(ConsultationAnswer.objects.filter(consultation=consultation, membership=OuterRef("pk")))
        )
        .annotate(consultation_pk=Value(consultation.pk))
        .order_by()
        .values_list("consultation_pk", "pk", "organisation_id")
        for consultation in consultations
    ]
    return parts[0].union(*parts[1:], all=True)


def consultation_unanswered(table: Table, settings: ReminderSettings, today: date) -> list[Batch]:
    """N days before an open consultation closes (and until it closes), the delegates and
    substitutes of each consulted organisation that has not answered. A consultation that
    opened today is not chased the same day: nobody has had the time to answer. The key
    names the closing date, so that a consultation given more time is reminded again
    before it closes."""
    if not settings.consultation_unanswered:
        return []
    last_day = date.fromordinal(today.toordinal() + settings.consultation_unanswered_days)
    consultations = list(
        Consultation.objects.open_now()
        .filter(table=table, opens_at__date__lt=today, closes_at__date__lte=last_day)
        .order_by("closes_at", "pk")
    )
    if not consultations:
        return []
    silent = defaultdict(list)
    for consultation_id, membership_id, organisation_id in _unanswered(consultations):
        silent[consultation_id].append((membership_id, organisation_id))
    batches = []
    for consultation in consultations:
        consultation.table = table
        closes = _local_date(consultation.closes_at)
        subjects = [
            Subject(
                key=f"consultation:{consultation.pk}:{closes}:membership:{pk}",
                organisation_ids={organisation},
            )
            for pk, organisation in sorted(silent[consultation.pk])
        ]
        if subjects:
            batches.append(
                Batch(
                    Kind.CONSULTATION_CLOSING,
                    table,
                    "tables/email/reminder_consultation",
                    {"consultation": consultation, "url": site_url(consultation.get_absolute_url())},
                    subjects,
                )
            )
    return batches


COLLECTORS = [
    convocation_unanswered,
    proposal_deadline,
    follow_up_due,
    follow_up_overdue,
    minutes_comments_closing,
    progress_report_due,
    consultation_unanswered,
]
