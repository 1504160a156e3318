"""Read-only queries of the funding area: for its own pages and for pages owned by other
apps (the home page, a table's page). Each costs a fixed number of queries, whatever the
number of calls, projects or reviews."""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.access import access_for
from members.todo import TodoItem
from projects.models import Collaborator, Partnership, Project
from tables.models import Membership

from .assignments import calls_using_assignments
from .conflicts import application_organisations, reviewer_organisations
from .models import (
    COMMITTED,
    SUBMITTED_ONCE,
    Application,
    CallFunder,
    Declaration,
    FundingCall,
    Report,
    Review,
    ReviewAssignment,
    Reviewer,
    Status,
    weighted_total,
)
from .permissions import FundingRoles, can_create_call, funding_roles

REPORTS_DUE_WITHIN = 30
# On the « À faire » list: what falls within this many days is "soon"; one line per row
# at most this many rows of a kind (the page it links to lists them all).
TODO_SOON_DAYS = 7
TODO_LIMIT = 10
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


REVIEWS_WAITING = {"to_declare", "to_score"}


def _reviews_waiting(user) -> int:
    """Applications in review the person still has to declare on or score."""
    return sum(
        1 for group in _my_reviews_for_home(user) for row in group["rows"] if row["state"] in REVIEWS_WAITING
    )


def _my_reviews_for_home(user) -> list[dict]:
    """`my_reviews`, read once for the home page's two uses of it (the count of reviews
    waiting and the « À faire » list), kept on the user object for the request."""
    if "_home_reviews" not in user.__dict__:
        user.__dict__["_home_reviews"] = my_reviews(user)
    return user.__dict__["_home_reviews"]


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
        "table_funded": public_results(table, user) if closed else [],
    }


def funded_results(calls) -> list[Application]:
    """The joint projects `calls` funded, for anyone who sees the call once decided: each
    application with its project's lead, confirmed partners (`partners`) and regions
    (`territories`), the largest award first. Four queries, whatever the number."""
    applications = list(
        Application.objects.filter(call__in=calls, status__in=COMMITTED)
        .select_related("project__lead", "call")
        .prefetch_related(
            Prefetch(
                "project__partnerships",
                queryset=Partnership.objects.confirmed()
                .select_related("organisation")
                .order_by("organisation__name"),
                to_attr="partners",
            ),
            "project__regions",
        )
        .order_by("-awarded_amount", "project__title")
    )
    return applications


def public_results(table, user) -> list[Application]:
    """The table's funded projects its page lists: calls published, their results public
    (or the person manages the call)."""
    from .permissions import can_manage_call

    calls = [
        call
        for call in FundingCall.objects.filter(table=table, published_at__isnull=False).prefetch_related(
            "shares"
        )
        if call.results_public or can_manage_call(user, call)
    ]
    return funded_results(calls)[:30] if calls else []


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
    due_on: date | None = None  # when the call assigns its applications


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
    # Once the call assigns its applications, a reviewer stands only on those assigned to
    # them (and any they already declared on or reviewed).
    assigned = {
        (reviewer_id, application_id): due_on
        for reviewer_id, application_id, due_on in ReviewAssignment.objects.filter(
            application__call=call
        ).values_list("reviewer_id", "application_id", "due_on")
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
            pair = (reviewer.pk, application.pk)
            declaration = declarations.get(pair)
            review = reviews.get(pair)
            if assigned and pair not in assigned and declaration is None and review is None:
                continue
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
            row.states.append(ReviewerState(reviewer, state, total, review, declaration, assigned.get(pair)))
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
    # In a call that assigns its applications, the reviewer's list is their assignments
    # (and what they already reviewed); elsewhere every application in review.
    assigning = calls_using_assignments(list(calls))
    due = dict(
        ReviewAssignment.objects.filter(reviewer__in=reviewers).values_list("application_id", "due_on")
    )
    by_call = {r.call_id: {"reviewer": r, "call": r.call, "rows": []} for r in reviewers}
    for application in applications:
        reviewer = by_call[application.call_id]["reviewer"]
        declaration = declarations.get(application.pk)
        review = reviews.get(application.pk)
        if (
            application.call_id in assigning
            and application.pk not in due
            and not (review is not None and review.is_submitted)
        ):
            continue
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
        by_call[application.call_id]["rows"].append(
            {"application": application, "state": state, "due_on": due.get(application.pk)}
        )
    return list(by_call.values())


# The « À faire » list of the home page (members.todo) -----------------------------------------


def todo_items(user) -> list[TodoItem]:
    """What waits on a person in funding: partnerships to confirm and reports to write for
    the organisations they speak for, reviews to declare on or score, decisions to record
    and reports to accept for the calls they decide. Registered in `FundingConfig.ready()`;
    a fixed number of queries."""
    roles = funding_roles(user)
    items = _partnerships_to_confirm(user) + _reports_to_write(user)
    if roles.reviewer_call_ids:
        items += _reviews_to_do(user)
    decided_calls = _calls_decided_by(roles)
    if decided_calls is not None:
        items += _decisions_to_record(decided_calls) + _reports_to_accept(decided_calls)
    return items


def _short_name(row: dict, prefix: str) -> str:
    return row[f"{prefix}acronym"] or row[f"{prefix}name"]


def _soon(moment) -> bool:
    return moment <= timezone.now() + timedelta(days=TODO_SOON_DAYS)


def _partnerships_to_confirm(user) -> list[TodoItem]:
    """The same invitations as the home page's "Partnerships to confirm", one line each,
    marked soon when the call closes within the week."""
    rows = (
        projects_for(user)["invitations"]
        .values(
            "pk",
            "project_id",
            "project__title",
            "project__table__name",
            "project__table__acronym",
            "project__applications__call__closes_at",
        )
        .order_by("project__applications__call__closes_at", "pk")[:TODO_LIMIT]
    )
    return [
        TodoItem(
            label=_("Confirm your organisation's part in “%(project)s”") % {"project": row["project__title"]},
            count=1,
            url=reverse("projects:partner-answer", args=[row["project_id"], row["pk"]]),
            urgency="soon" if _soon(row["project__applications__call__closes_at"]) else "normal",
            table=_short_name(row, "project__table__"),
        )
        for row in rows
    ]


def _reports_to_write(user) -> list[TodoItem]:
    """Reports the person's organisations owe as lead, late or due within the month: one
    line, late when one is."""
    found = reports_due(user).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(due_on__lt=timezone.localdate())),
        soon=Count("pk", filter=Q(due_on__lte=timezone.localdate() + timedelta(days=TODO_SOON_DAYS))),
        report_id=Min("pk"),
        project_id=Min("application__project_id"),
    )
    count = found["count"]
    if not count:
        return []
    url = (
        reverse("projects:report-update", args=[found["project_id"], found["report_id"]])
        if count == 1
        else reverse("projects:project-list")
    )
    return [
        TodoItem(
            label=ngettext("%(count)s report to write", "%(count)s reports to write", count)
            % {"count": count},
            count=count,
            url=url,
            urgency="overdue" if found["late"] else "soon" if found["soon"] else "normal",
        )
    ]


def _reviews_to_do(user) -> list[TodoItem]:
    """Per call, the applications the reviewer still has to declare on or score (those
    their organisation is in, or where they declared a conflict, are not theirs)."""
    items = []
    for group in _my_reviews_for_home(user):
        waiting = [row for row in group["rows"] if row["state"] in REVIEWS_WAITING]
        count = len(waiting)
        if count:
            call = group["call"]
            due = [row["due_on"] for row in waiting if row["due_on"] is not None]
            today = timezone.localdate()
            urgency = (
                "overdue"
                if due and min(due) < today
                else "soon"
                if due and min(due) <= today + timedelta(days=TODO_SOON_DAYS)
                else "normal"
            )
            items.append(
                TodoItem(
                    label=ngettext(
                        "%(count)s application to review for “%(call)s”",
                        "%(count)s applications to review for “%(call)s”",
                        count,
                    )
                    % {"count": count, "call": call.title},
                    count=count,
                    url=reverse("funding:review-list") + f"#call-{call.pk}",
                    urgency=urgency,
                    table=call.table.acronym or call.table.name,
                )
            )
    return items


def _calls_decided_by(roles: FundingRoles):
    """The calls whose decisions and reports the person records (see
    `permissions.can_decide`): their funder's as programme manager, their table's when the
    table decides by resolution. None when they decide none. Administrators may decide
    every call, but the network's whole backlog is not their to-do."""
    condition = Q()
    if roles.manager_funder_ids:
        condition |= Q(
            pk__in=CallFunder.objects.filter(funder_id__in=roles.manager_funder_ids).values("call_id")
        )
    if roles.access.coordinated_table_ids:
        condition |= Q(decision_by_resolution=True, table_id__in=roles.access.coordinated_table_ids)
    return FundingCall.objects.filter(condition).values("pk") if condition else None


def _decisions_to_record(calls) -> list[TodoItem]:
    rows = (
        Application.objects.filter(call__in=calls, status__in=[Status.RECOMMENDED, Status.NOT_RECOMMENDED])
        .values("call_id", "call__title", "call__closes_at", "call__table__name", "call__table__acronym")
        .annotate(count=Count("pk"))
        .order_by("call__closes_at", "call_id")
    )
    return [
        TodoItem(
            label=ngettext(
                "%(count)s funding decision to record for “%(call)s”",
                "%(count)s funding decisions to record for “%(call)s”",
                row["count"],
            )
            % {"count": row["count"], "call": row["call__title"]},
            count=row["count"],
            url=reverse("funding:call-decide", args=[row["call_id"]]),
            table=_short_name(row, "call__table__"),
        )
        for row in rows
    ]


def _reports_to_accept(calls) -> list[TodoItem]:
    """Submitted reports, per funded project: accepting one releases its tranche."""
    rows = (
        Report.objects.filter(status=Report.Status.SUBMITTED, application__call__in=calls)
        .values(
            "application_id",
            "application__call_id",
            "application__project__title",
            "application__call__table__name",
            "application__call__table__acronym",
        )
        .annotate(count=Count("pk"), due_on=Min("due_on"))
        .order_by("due_on", "application_id")[:TODO_LIMIT]
    )
    return [
        TodoItem(
            label=ngettext(
                "%(count)s report to accept for “%(project)s”",
                "%(count)s reports to accept for “%(project)s”",
                row["count"],
            )
            % {"count": row["count"], "project": row["application__project__title"]},
            count=row["count"],
            url=reverse(
                "funding:application-followup", args=[row["application__call_id"], row["application_id"]]
            ),
            table=_short_name(row, "application__call__table__"),
        )
        for row in rows
    ]
