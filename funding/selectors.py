"""Read-only queries of the funding area: for its own pages and for pages owned by other
apps (the home page, a table's page). Each costs a fixed number of queries, whatever the
number of calls, projects or reviews."""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from members.access import access_for
from projects.models import Collaborator, Partnership, Project
from tables.models import Membership

from .conflicts import application_organisations, reviewer_organisations
from .models import (
    SUBMITTED_ONCE,
    Application,
    Declaration,
    FundingCall,
    Report,
    Review,
    Reviewer,
    Status,
    weighted_total,
)
from .permissions import can_create_call, funding_roles

REPORTS_DUE_WITHIN = 30
# Applications a reviewer finds on their list: in review, and after (read only).
REVIEWED_STATUSES = [
    Status.IN_REVIEW,
    Status.RECOMMENDED,
    Status.NOT_RECOMMENDED,
    Status.FUNDED,
    Status.REFUSED,
    Status.IN_PROGRESS,
    Status.CLOSED,
]


# Projects of a person -------------------------------------------------------------------------


def _organisation_filters(user, *, organisation_field: str, table_field: str):
    """A Q matching rows whose organisation the person speaks for (see
    projects.permissions.acts_for), or None if they speak for none."""
    access = access_for(user)
    condition = Q()
    for table_id, organisation_ids in access.delegations.items():
        condition |= Q(**{table_field: table_id, f"{organisation_field}__in": organisation_ids})
    if access.organisation_id:
        member = Membership.objects.active().filter(
            table_id=OuterRef(table_field), organisation_id=access.organisation_id
        )
        condition |= Q(**{organisation_field: access.organisation_id}) & ~Exists(member)
    return condition or None


def projects_for(user) -> dict:
    """The projects a person works on (their organisation leads or partners them, or the
    lead shared them), and the partnership invitations waiting for their organisation."""
    lead_q = _organisation_filters(user, organisation_field="lead_id", table_field="table_id")
    partner_q = _organisation_filters(
        user, organisation_field="organisation_id", table_field="project__table_id"
    )
    # The projects' ids as a UNION of the three ways in, each read through its own index
    # (an OR of the three tested every project of the network, 10,000 at scale 50).
    ways_in = [Collaborator.objects.filter(person=user).order_by().values("project_id")]
    if lead_q is not None:
        ways_in.append(Project.objects.filter(lead_q).order_by().values("pk"))
    invitations = Partnership.objects.none()
    if partner_q is not None:
        partnerships = Partnership.objects.filter(partner_q)
        ways_in.append(partnerships.involved().order_by().values("project_id"))
        invitations = (
            partnerships.filter(status=Partnership.Status.INVITED)
            .filter(project__applications__status=Status.DRAFT)
            .select_related("project__lead", "organisation")
            .order_by("-invited_at")
        )
    projects = (
        Project.objects.filter(pk__in=ways_in[0].union(*ways_in[1:]))
        .select_related("lead", "table")
        .prefetch_related(Prefetch("applications", queryset=Application.objects.select_related("call")))
        .order_by("-updated_at")
    )
    return {"projects": projects, "invitations": invitations}


def reports_due(user, *, within_days=REPORTS_DUE_WITHIN):
    """Reports the person's organisations owe as lead: late or due soon."""
    lead_q = _organisation_filters(
        user,
        organisation_field="application__project__lead_id",
        table_field="application__project__table_id",
    )
    if lead_q is None:
        return Report.objects.none()
    return (
        Report.objects.due_within(within_days)
        .filter(lead_q, application__status__in=[Status.FUNDED, Status.IN_PROGRESS])
        .select_related("application__project", "application__call")
        .order_by("due_on")
    )


# The home page and a table's page -------------------------------------------------------------


def home_context(user) -> dict:
    """What the home page shows a signed-in person about funding (their projects,
    partnership invitations to confirm, reports due, calls open at their tables)."""
    access = access_for(user)
    if not access.is_authenticated:
        return {}
    mine = projects_for(user)
    roles = funding_roles(user)
    open_calls = (
        FundingCall.objects.open()
        .filter(table_id__in=access.table_ids)
        .select_related("table")
        .order_by("closes_at")[:6]
    )
    return {
        "funding_projects": list(mine["projects"][:8]),
        "funding_invitations": list(mine["invitations"][:10]),
        "funding_reports_due": list(reports_due(user)[:10]),
        "funding_open_calls": list(open_calls),
        "funding_reviews": _reviews_waiting(user) if roles.reviewer_call_ids else 0,
        "funding_dashboard": access.is_admin or access.is_coordinator or access.is_funder_staff,
        "funding_today": timezone.localdate(),
    }


def _reviews_waiting(user) -> int:
    """Applications in review the person still has to declare on or score."""
    return sum(
        1 for group in my_reviews(user) for row in group["rows"] if row["state"] in {"to_declare", "to_score"}
    )


def calls_for_table(table, user) -> dict:
    """For the table's page (templates/funding/_table_calls.html): its published calls,
    open ones first, and whether the person may create one."""
    now = timezone.now()
    calls = list(
        FundingCall.objects.filter(table=table)
        .filter(Q(published_at__isnull=False) | Q(pk__in=_managed_call_ids(user, table)))
        .order_by("-closes_at")[:20]
    )
    open_calls = [c for c in calls if c.is_published and c.opens_at <= now < c.closes_at]
    upcoming = [c for c in calls if c.is_published and now < c.opens_at]
    drafts = [c for c in calls if not c.is_published]
    closed = [c for c in calls if c.is_published and c.closes_at <= now][:5]
    return {
        "table_calls_open": open_calls,
        "table_calls_upcoming": upcoming,
        "table_calls_closed": closed,
        "table_calls_drafts": drafts,
        "can_create_call": can_create_call(user, table),
        "funding_table": table,
    }


def _managed_call_ids(user, table):
    roles = funding_roles(user)
    if roles.access.coordinates(table.pk):
        return FundingCall.objects.filter(table=table).values("pk")
    return FundingCall.objects.filter(table=table, shares__funder_id__in=roles.manager_funder_ids).values(
        "pk"
    )


# Reviews --------------------------------------------------------------------------------------


@dataclass
class ReviewerState:
    reviewer: Reviewer
    state: str  # excluded, conflict, to_declare, declared, draft, submitted
    total: Decimal | None = None
    review: Review | None = None
    declaration: Declaration | None = None


@dataclass
class BoardRow:
    application: Application
    partners: int = 0
    states: list[ReviewerState] = field(default_factory=list)

    @property
    def totals(self) -> list[Decimal]:
        return [s.total for s in self.states if s.state == "submitted" and s.total is not None]

    @property
    def expected(self) -> int:
        return sum(1 for s in self.states if s.state not in {"excluded", "conflict"})

    @property
    def submitted(self) -> int:
        return len(self.totals)

    @property
    def mean(self):
        totals = self.totals
        return (sum(totals) / len(totals)).quantize(Decimal("0.1")) if totals else None

    @property
    def spread(self):
        totals = self.totals
        return (max(totals) - min(totals)) if len(totals) > 1 else None

    @property
    def stdev(self):
        totals = self.totals
        return (
            Decimal(str(round(statistics.pstdev(float(t) for t in totals), 1))) if len(totals) > 1 else None
        )

    @property
    def low(self):
        return min(self.totals) if self.totals else None

    @property
    def high(self):
        return max(self.totals) if self.totals else None

    @property
    def conflicts(self) -> list[ReviewerState]:
        return [s for s in self.states if s.state in {"excluded", "conflict"}]


def review_board(call: FundingCall, *, statuses=None) -> list[BoardRow]:
    """Every submitted application of the call with, for each reviewer, where they stand:
    excluded (their organisation is in the project), declared conflict, to declare,
    scoring, submitted (with the weighted total)."""
    applications = list(
        Application.objects.filter(call=call, status__in=statuses or SUBMITTED_ONCE)
        .select_related("project__lead")
        .order_by("project__title", "pk")
    )
    for application in applications:
        application.call = call
    reviewers = list(Reviewer.objects.filter(call=call).select_related("person", "organisation"))
    for reviewer in reviewers:
        reviewer.call = call
    mine = reviewer_organisations(reviewers)
    theirs = application_organisations(applications)
    declarations = {
        (d.reviewer_id, d.application_id): d for d in Declaration.objects.filter(application__in=applications)
    }
    criteria = list(call.criteria.all())
    reviews = {
        (r.reviewer_id, r.application_id): r
        for r in Review.objects.filter(application__in=applications).prefetch_related("scores")
    }
    partners = {}
    for project_id in (
        Partnership.objects.confirmed()
        .filter(project_id__in=[a.project_id for a in applications])
        .values_list("project_id", flat=True)
    ):
        partners[project_id] = partners.get(project_id, 0) + 1
    rows = []
    for application in applications:
        row = BoardRow(application=application, partners=partners.get(application.project_id, 0))
        for reviewer in reviewers:
            declaration = declarations.get((reviewer.pk, application.pk))
            review = reviews.get((reviewer.pk, application.pk))
            if mine[reviewer.pk] & theirs[application.pk]:
                state = "excluded"
            elif declaration is not None and declaration.has_conflict:
                state = "conflict"
            elif declaration is None:
                state = "to_declare"
            elif review is None:
                state = "declared"
            elif review.is_submitted:
                state = "submitted"
            else:
                state = "draft"
            total = weighted_total(review.scores.all(), criteria) if state == "submitted" else None
            row.states.append(ReviewerState(reviewer, state, total, review, declaration))
        rows.append(row)
    return rows


def anonymous_reviews(application: Application) -> list[dict]:
    """The submitted reviews of a decided application as the applicants read them: scores
    and comments, never the reviewer's name; conflicts left out."""
    if application is None:
        return []
    call = application.call
    criteria = list(call.criteria.all())
    conflicts = set(
        Declaration.objects.filter(application=application, has_conflict=True).values_list(
            "reviewer_id", flat=True
        )
    )
    reviews = list(
        Review.objects.filter(application=application, submitted_at__isnull=False)
        .exclude(reviewer_id__in=conflicts)
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    result = []
    for number, review in enumerate(reviews, start=1):
        scores = {s.criterion_id: s for s in review.scores.all()}
        result.append(
            {
                "number": number,
                "total": weighted_total(review.scores.all(), criteria),
                "comment": review.comment,
                "scores": [(criterion, scores.get(criterion.pk)) for criterion in criteria],
            }
        )
    return result


def my_reviews(user) -> list[dict]:
    """For the reviewer's list: per call they review, the applications in review and
    where they stand with each."""
    reviewers = list(
        Reviewer.objects.filter(person=user).select_related("call__table").order_by("-call__closes_at")
    )
    if not reviewers:
        return []
    applications = list(
        Application.objects.filter(
            call_id__in=[r.call_id for r in reviewers],
            status__in=REVIEWED_STATUSES,
        )
        .select_related("project__lead")
        .order_by("project__title")
    )
    calls = {r.call_id: r.call for r in reviewers}
    for application in applications:
        application.call = calls[application.call_id]
    mine = reviewer_organisations(reviewers)
    theirs = application_organisations(applications)
    declarations = {
        d.application_id: d
        for d in Declaration.objects.filter(reviewer__in=reviewers, application__in=applications)
    }
    reviews = {
        r.application_id: r
        for r in Review.objects.filter(reviewer__in=reviewers, application__in=applications)
    }
    by_call = {r.call_id: {"reviewer": r, "call": r.call, "rows": []} for r in reviewers}
    for application in applications:
        reviewer = by_call[application.call_id]["reviewer"]
        declaration = declarations.get(application.pk)
        review = reviews.get(application.pk)
        if mine[reviewer.pk] & theirs[application.pk]:
            state = "excluded"
        elif declaration is not None and declaration.has_conflict:
            state = "conflict"
        elif declaration is None:
            state = "to_declare"
        elif review is not None and review.is_submitted:
            state = "submitted"
        else:
            state = "to_score"
        by_call[application.call_id]["rows"].append({"application": application, "state": state})
    return list(by_call.values())
