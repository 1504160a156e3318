"""Process indicators of a table for a period, computed from what the platform already
knows (Bourque: funders should "develop process indicators in addition to result
indicators"). Every figure comes from a fixed number of queries, whatever the period."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import combinations

from django.db.models import Avg, Count
from django.utils import timezone

from members.models import Delegation, Sector

from .models import (
    Action,
    ActionCommitment,
    ActionPlan,
    AssessmentAnswer,
    Attendance,
    FollowUp,
    GovernanceRules,
    Meeting,
    Membership,
    Resolution,
    SelfAssessment,
    Table,
)
from .ownership import agenda_ownership, total
from .plan_progress import plan_view

# The conditions members rate in the yearly self-assessment: CommunAgir's three
# dimensions and the eight operational conditions of Bourque (seed 002). Labels live in
# tables/assessment.py, where they are translated.
QUESTIONS = [
    "shared_understanding",
    "shared_intention",
    "shared_vision",
    "compromise",
    "relevant_actors",
    "other_concertations",
    "leadership",
    "collective_analysis",
    "participation",
    "time",
    "evaluation",
]
# Fewer answers than this are not shown, so that nobody's rating can be guessed.
MIN_ANSWERS_SHOWN = 3


def _rate(part, whole):
    return round(100 * part / whole) if whole else None


@dataclass
class MeetingRow:
    meeting: Meeting
    invited: int
    present: int
    voting: int
    required: int
    voting_present: int

    @property
    def quorum_reached(self):
        return self.voting > 0 and self.voting_present >= self.required

    @property
    def attendance_rate(self):
        return _rate(self.present, self.invited)


@dataclass
class ProcessIndicators:
    table: Table
    starts: date
    ends: date
    meetings: list = field(default_factory=list)  # MeetingRow
    cancelled: int = 0
    attendance_rate: int | None = None
    by_sector: list = field(default_factory=list)  # (label, invited, present, rate)
    by_organisation: list = field(default_factory=list)  # (organisation, invited, present, rate)
    sectors_never_present: list = field(default_factory=list)
    delegations_started: int = 0
    delegations_ended: int = 0
    seats: int = 0
    ownership: object = None
    ownership_by_meeting: list = field(default_factory=list)  # (meeting, Ownership)
    decision_modes: dict = field(default_factory=dict)
    resolutions_adopted: int = 0
    resolutions_rejected: int = 0
    follow_ups: dict = field(default_factory=dict)
    plan: object = None
    plan_view: object = None
    density: list = field(default_factory=list)  # (year, pairs, possible, rate)
    assessment: object = None
    assessment_scores: list = field(default_factory=list)  # (code, average, answers)
    assessment_participants: int = 0

    @property
    def quorum_reached(self):
        return sum(1 for row in self.meetings if row.quorum_reached)

    @property
    def quorum_missed(self):
        return sum(1 for row in self.meetings if row.voting and not row.quorum_reached)

    @property
    def turnover_rate(self):
        """Delegations that ended in the period, per seat."""
        return _rate(self.delegations_ended, self.seats)


def _aware(day, end=False):
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _active_on(membership, day):
    return membership.joined <= day and (membership.left is None or membership.left > day)


def process_indicators(table: Table, starts: date, ends: date, *, with_plan=True) -> ProcessIndicators:
    result = ProcessIndicators(table=table, starts=starts, ends=ends)
    period = (_aware(starts), _aware(ends, end=True))
    meetings = list(
        Meeting.objects.filter(table=table, starts_at__range=period)
        .exclude(status__in=[Meeting.Status.PLANNED, Meeting.Status.CONVENED])
        .select_related("committee")
        .prefetch_related("committee__members")
        .order_by("starts_at")
    )
    result.cancelled = sum(1 for m in meetings if m.status == Meeting.Status.CANCELLED)
    meetings = [m for m in meetings if m.status != Meeting.Status.CANCELLED]
    memberships = list(Membership.objects.filter(table=table).select_related("organisation"))
    rules = list(GovernanceRules.objects.filter(table=table).order_by("-effective_from", "-version"))
    attendances = defaultdict(dict)
    for attendance in Attendance.objects.filter(meeting__in=meetings).only(
        "meeting_id", "membership_id", "present", "attendee_role"
    ):
        attendances[attendance.meeting_id][attendance.membership_id] = attendance

    invited_by_org, present_by_org = Counter(), Counter()
    for meeting in meetings:
        day = meeting.date
        invited = [m for m in memberships if _active_on(m, day)]
        if meeting.committee_id:
            members = {m.pk for m in meeting.committee.members.all()}
            invited = [m for m in invited if m.pk in members]
        rule = next((r for r in rules if r.effective_from <= day), None)
        substitutes_vote = rule.substitutes_may_vote if rule else True
        present = voting_present = 0
        voting = [m for m in invited if m.status == Membership.Status.VOTING]
        for membership in invited:
            attendance = attendances[meeting.pk].get(membership.pk)
            invited_by_org[membership.organisation_id] += 1
            if attendance and attendance.present:
                present += 1
                present_by_org[membership.organisation_id] += 1
                if membership.status == Membership.Status.VOTING and (
                    attendance.attendee_role != "substitute" or substitutes_vote
                ):
                    voting_present += 1
        required = rule.quorum_required(len(voting)) if rule else len(voting) // 2 + 1
        result.meetings.append(
            MeetingRow(meeting, len(invited), present, len(voting), required, voting_present)
        )

    result.attendance_rate = _rate(
        sum(r.present for r in result.meetings), sum(r.invited for r in result.meetings)
    )
    organisations = {m.organisation_id: m.organisation for m in memberships}
    result.by_organisation = sorted(
        (
            (organisations[org_id], invited, present_by_org[org_id], _rate(present_by_org[org_id], invited))
            for org_id, invited in invited_by_org.items()
        ),
        key=lambda row: (row[3] if row[3] is not None else -1, row[0].name),
    )
    sector_invited, sector_present = Counter(), Counter()
    for organisation, invited, present, _r in result.by_organisation:
        sector_invited[organisation.sector] += invited
        sector_present[organisation.sector] += present
    labels = dict(Sector.choices)
    result.by_sector = [
        (
            labels[code],
            sector_invited[code],
            sector_present[code],
            _rate(sector_present[code], sector_invited[code]),
        )
        for code in Sector.values
        if sector_invited[code]
    ]
    result.sectors_never_present = [
        labels[code] for code in Sector.values if sector_invited[code] and not sector_present[code]
    ]

    delegations = Delegation.objects.filter(membership__table=table)
    result.delegations_started = delegations.filter(start__range=(starts, ends)).count()
    result.delegations_ended = delegations.filter(end__range=(starts, ends)).count()
    result.seats = sum(1 for m in memberships if _active_on(m, ends))

    shares = agenda_ownership(meetings)
    result.ownership_by_meeting = [(m, shares.get(m.pk)) for m in meetings]
    result.ownership = total(shares.values())

    outcomes = Counter()
    for row in (
        Resolution.objects.filter(meeting__in=meetings).values("mode", "result").annotate(n=Count("pk"))
    ):
        outcomes[("mode", row["mode"])] += row["n"]
        outcomes[("result", row["result"])] += row["n"]
    result.decision_modes = {
        Resolution.Mode(code).label: outcomes[("mode", code)]
        for code in Resolution.Mode.values
        if outcomes[("mode", code)]
    }
    result.resolutions_rejected = outcomes[("result", Resolution.Result.REJECTED)]
    result.resolutions_adopted = sum(n for (kind, _code), n in outcomes.items() if kind == "result") - (
        result.resolutions_rejected
    )

    result.follow_ups = _follow_ups(table, meetings)
    if with_plan:
        plan = (
            ActionPlan.objects.filter(table=table, starts__lte=ends, ends__gte=starts)
            .exclude(status__in=[ActionPlan.Status.COCONSTRUCTION, ActionPlan.Status.SUBMITTED])
            .order_by("-version")
            .first()
        )
        if plan:
            result.plan, result.plan_view = plan, plan_view(plan)
    result.density = partnership_density(table, range(starts.year, ends.year + 1), memberships)
    _assessment(result)
    return result


def _follow_ups(table, meetings):
    today = timezone.localdate()
    counts = Counter()
    for follow_up in FollowUp.objects.filter(table=table, meeting__in=meetings).only(
        "status", "due", "done_at"
    ):
        if follow_up.status == FollowUp.Status.DONE:
            on_time = follow_up.due is None or (
                follow_up.done_at and timezone.localtime(follow_up.done_at).date() <= follow_up.due
            )
            counts["done_on_time" if on_time else "done_late"] += 1
        elif follow_up.status == FollowUp.Status.OPEN:
            counts["overdue" if follow_up.due and follow_up.due < today else "open"] += 1
        else:
            counts["cancelled"] += 1
    return {key: counts[key] for key in ("done_on_time", "done_late", "open", "overdue", "cancelled")}


# Sources of "these two organisations work together". Other apps (joint projects) add
# theirs: a function (table, year) -> iterable of sets of organisation ids.
PAIR_SOURCES = []


def register_pair_source(function):
    PAIR_SOURCES.append(function)
    return function


@register_pair_source
def action_teams(table, years):
    """Organisations committed together (lead or partners) to the same action of the
    table's plans, per year the action runs."""
    teams = defaultdict(lambda: defaultdict(set))
    rows = ActionCommitment.objects.filter(
        action__objective__axis__plan__table=table,
        action__state=Action.State.ACCEPTED,
        role__in=[ActionCommitment.Role.LEAD, ActionCommitment.Role.PARTNER],
    ).values_list(
        "action_id",
        "organisation_id",
        "action__starts",
        "action__ends",
        "action__objective__axis__plan__starts",
        "action__objective__axis__plan__ends",
    )
    for action_id, organisation_id, starts, ends, plan_starts, plan_ends in rows:
        first, last = (starts or plan_starts).year, (ends or plan_ends).year
        for year in years:
            if first <= year <= last:
                teams[year][action_id].add(organisation_id)
    return {year: list(by_action.values()) for year, by_action in teams.items()}


def partnership_density(table, years, memberships=None):
    """Per year: pairs of member organisations that work together (in an action, a joint
    project …) out of all possible pairs of members — from competition to cooperation."""
    years = list(years)
    memberships = memberships if memberships is not None else list(Membership.objects.filter(table=table))
    pairs = defaultdict(set)
    for source in PAIR_SOURCES:
        for year, teams in source(table, years).items():
            for team in teams:
                pairs[year].update(combinations(sorted(team), 2))
    rows = []
    for year in years:
        members = {
            m.organisation_id
            for m in memberships
            if m.joined.year <= year and (m.left is None or m.left.year >= year)
        }
        possible = len(members) * (len(members) - 1) // 2
        working = {pair for pair in pairs[year] if pair[0] in members and pair[1] in members}
        rows.append(
            (year, len(working), possible, round(100 * len(working) / possible, 1) if possible else None)
        )
    return rows


def _assessment(result):
    assessment = SelfAssessment.objects.filter(table=result.table, year=result.ends.year).first()
    if assessment is None:
        return
    result.assessment = assessment
    result.assessment_participants = assessment.participations.count()
    scores = {
        row["question"]: (row["average"], row["n"])
        for row in AssessmentAnswer.objects.filter(assessment=assessment)
        .values("question")
        .annotate(average=Avg("score"), n=Count("pk"))
    }
    result.assessment_scores = [
        (
            code,
            round(scores[code][0], 1) if scores.get(code, (0, 0))[1] >= MIN_ANSWERS_SHOWN else None,
            scores.get(code, (0, 0))[1],
        )
        for code in QUESTIONS
    ]
