"""The committee's side-by-side comparison of a call's applications: for each, the
average of every criterion, the overall average out of 100, the reviews submitted against
those expected, and how far the reviewers disagree. Sorted and paginated in the database,
so a page costs the same number of queries whatever the number of applications.

Reviews by a reviewer excluded from the application (their organisation leads or
partners it, or they declared a conflict) never count. A viewer who does not manage the
call sees no scores of an application they are excluded from, nor of one whose review
they still owe (the reviews page keeps the same rule).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .assignments import calls_using_assignments
from .conflicts import application_organisations, excluded_application_ids, reviewer_organisations
from .models import (
    SCORE_MAX,
    SUBMITTED_ONCE,
    Application,
    Declaration,
    Review,
    ReviewAssignment,
    Reviewer,
    Status,
)

PAGE_SIZE = 50
# Two reviewers this many points apart (out of 100) or more disagree enough for the
# committee to discuss the application before relying on its average.
DISAGREEMENT_POINTS = 20

SORTS = {
    "title": ("project__title", _("Project")),
    "lead": ("project__lead__name", _("Lead organisation")),
    "amount": ("requested_amount", _("Amount requested")),
    "average": ("overall", _("Overall average")),
    "submitted": ("submitted_count", _("Reviews submitted")),
    "spread": ("spread", _("Spread")),
}
STATUSES = [s for s in SUBMITTED_ONCE if s not in {Status.WITHDRAWN}]


def _excluded_reviews(call) -> list[int]:
    """Ids of the call's submitted reviews that must not count: their reviewer is
    excluded from the application. Five queries, whatever the number of reviews."""
    reviewers = list(Reviewer.objects.filter(call=call))
    for reviewer in reviewers:
        reviewer.call = call
    mine = reviewer_organisations(reviewers)
    rows = list(
        Review.objects.filter(application__call=call, submitted_at__isnull=False).values_list(
            "pk", "reviewer_id", "application_id", "application__project_id", "application__project__lead_id"
        )
    )
    if not rows:
        return []
    applications = {}
    for _pk, _reviewer, application_id, project_id, lead_id in rows:
        applications[application_id] = Application(pk=application_id, project_id=project_id)
        applications[application_id]._lead_id = lead_id
    theirs = _organisations(applications.values())
    declared = set(
        Declaration.objects.filter(application__call=call, has_conflict=True).values_list(
            "reviewer_id", "application_id"
        )
    )
    return [
        pk
        for pk, reviewer_id, application_id, _project, _lead in rows
        if mine.get(reviewer_id, set()) & theirs[application_id] or (reviewer_id, application_id) in declared
    ]


def _organisations(applications) -> dict[int, set[int]]:
    """`conflicts.application_organisations` for bare applications carrying `_lead_id`."""
    from projects.models import Partnership

    applications = list(applications)
    by_project = {}
    for project_id, organisation_id in (
        Partnership.objects.involved()
        .filter(project_id__in={a.project_id for a in applications})
        .values_list("project_id", "organisation_id")
    ):
        by_project.setdefault(project_id, set()).add(organisation_id)
    return {a.pk: {a._lead_id} | by_project.get(a.project_id, set()) for a in applications}


@dataclass
class ComparisonRow:
    application: Application
    criteria: list  # (criterion, average or None)
    overall: Decimal | None
    submitted: int
    expected: int
    spread: Decimal | None
    hidden: str = ""  # why the viewer sees no scores: "excluded" or "owed"

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_POINTS


@dataclass
class Comparison:
    page: object
    rows: list[ComparisonRow]
    criteria: list
    sort: str
    status: str
    sorts: dict
    statuses: list
    columns: list


def _column(key: str, label, sort: str) -> dict:
    """A sortable heading: its link sorts by it (text ascending, figures descending
    first), again reverses it; `aria_sort` says how the table is sorted now."""
    text = key in {"title", "lead"}
    current = sort.removeprefix("-") == key
    descending = sort.startswith("-")
    if current:
        following = key if descending else f"-{key}"
        aria = "descending" if descending else "ascending"
    else:
        following = key if text else f"-{key}"
        aria = ""
    return {"key": key, "label": label, "next": following, "aria_sort": aria, "number": not text}


def _hidden_for(viewer, call, manages: bool) -> dict[int, str]:
    """application id -> why `viewer` sees none of its scores."""
    if manages:
        return {}
    applications = list(
        Application.objects.filter(call=call, status__in=STATUSES)
        .select_related("project")
        .only("pk", "call_id", "project_id", "project__lead_id")
    )
    for application in applications:
        application.call = call
    hidden = dict.fromkeys(excluded_application_ids(viewer, applications), "excluded")
    reviewer = Reviewer.objects.filter(call=call, person=viewer).first()
    if reviewer is not None:
        done = set(
            Review.objects.filter(reviewer=reviewer, submitted_at__isnull=False).values_list(
                "application_id", flat=True
            )
        )
        if calls_using_assignments([call.pk]):
            owed = set(reviewer.assignments.values_list("application_id", flat=True))
        else:
            owed = {a.pk for a in applications if a.status == Status.IN_REVIEW}
        for application_id in owed - done:
            hidden.setdefault(application_id, "owed")
    return hidden


def call_comparison(
    call, *, viewer, manages: bool, sort: str = "-average", status: str = "", page=1
) -> Comparison:
    """One page of the comparison, sorted by `sort` (a key of SORTS or "c<criterion id>",
    "-" first for descending), limited to `status` when given."""
    criteria = list(call.criteria.all())
    weights = sum(c.weight for c in criteria) or 1
    excluded = _excluded_reviews(call)
    hidden = _hidden_for(viewer, call, manages)

    counted = Review.objects.filter(application=OuterRef("pk"), submitted_at__isnull=False).exclude(
        pk__in=excluded
    )
    decimal = DecimalField(max_digits=8, decimal_places=2)

    def _blind(expression):
        """The value, or nothing for the applications whose scores the viewer may not see."""
        if not hidden:
            return expression
        return Case(When(pk__in=list(hidden), then=Value(None, output_field=decimal)), default=expression)

    per_review_total = counted.annotate(
        points=Sum(F("scores__value") * F("scores__criterion__weight"))
    ).values("points")
    scale = Decimal(100) / (SCORE_MAX * weights)
    applications = Application.objects.filter(call=call, status__in=[status] if status else STATUSES)
    annotations = {
        "submitted_count": Coalesce(
            Subquery(
                counted.order_by().values("application").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        "overall": _blind(
            ExpressionWrapper(
                Subquery(
                    counted.order_by()
                    .values("application")
                    .annotate(
                        mean=Sum(F("scores__value") * F("scores__criterion__weight"))
                        * Decimal("1.0")
                        / Count("pk", distinct=True)
                    )
                    .values("mean"),
                    output_field=decimal,
                )
                * scale,
                output_field=decimal,
            )
        ),
        "spread": _blind(
            ExpressionWrapper(
                (
                    Subquery(per_review_total.order_by("-points")[:1], output_field=decimal)
                    - Subquery(per_review_total.order_by("points")[:1], output_field=decimal)
                )
                * scale,
                output_field=decimal,
            )
        ),
    }
    for criterion in criteria:
        annotations[f"c{criterion.pk}"] = _blind(
            Subquery(
                counted.filter(scores__criterion=criterion, scores__value__isnull=False)
                .order_by()
                .values("application")
                .annotate(mean=Avg("scores__value"))
                .values("mean"),
                output_field=decimal,
            )
        )
    applications = applications.annotate(**annotations).select_related("project__lead")

    sorts = {
        **{key: field for key, (field, _label) in SORTS.items()},
        **{f"c{c.pk}": f"c{c.pk}" for c in criteria},
    }
    key = sort.removeprefix("-")
    if key not in sorts:
        sort, key = "-average", "average"
    field = sorts[key]
    ordering = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    applications = applications.order_by(ordering, "project__title", "pk")

    page = Paginator(applications, PAGE_SIZE).get_page(page)
    rows = _rows(call, list(page.object_list), criteria, hidden)
    columns = [("title", SORTS["title"][1]), ("lead", SORTS["lead"][1]), ("amount", SORTS["amount"][1])]
    columns += [(f"c{c.pk}", c.title) for c in criteria]
    columns += [(k, SORTS[k][1]) for k in ("average", "submitted", "spread")]
    return Comparison(
        page=page,
        columns=[_column(k, label, sort) for k, label in columns],
        rows=rows,
        criteria=criteria,
        sort=sort,
        status=status,
        sorts={k: label for k, (_f, label) in SORTS.items()},
        statuses=[(code, Status(code).label) for code in STATUSES],
    )


def _rows(call, applications, criteria, hidden) -> list[ComparisonRow]:
    """The page's rows, with the reviews each expects: its assignments when the call
    assigns, else the call's reviewers not excluded from it. Five queries."""
    for application in applications:
        application.call = call
    assigning = bool(calls_using_assignments([call.pk]))
    expected = {}
    if assigning:
        for application_id, count in (
            ReviewAssignment.objects.filter(application__in=applications)
            .values("application_id")
            .annotate(n=Count("pk"))
            .values_list("application_id", "n")
        ):
            expected[application_id] = count
    else:
        reviewers = list(Reviewer.objects.filter(call=call))
        for reviewer in reviewers:
            reviewer.call = call
        mine = reviewer_organisations(reviewers)
        theirs = application_organisations(applications)
        declared = set(
            Declaration.objects.filter(application__in=applications, has_conflict=True).values_list(
                "reviewer_id", "application_id"
            )
        )
        for application in applications:
            expected[application.pk] = sum(
                1
                for r in reviewers
                if not mine[r.pk] & theirs[application.pk] and (r.pk, application.pk) not in declared
            )
    tenth = Decimal("0.1")
    rows = []
    for application in applications:

        def rounded(value):
            return None if value is None else Decimal(value).quantize(tenth)

        rows.append(
            ComparisonRow(
                application=application,
                criteria=[(c, rounded(getattr(application, f"c{c.pk}"))) for c in criteria],
                overall=rounded(application.overall),
                submitted=application.submitted_count or 0,
                expected=expected.get(application.pk, 0),
                spread=rounded(application.spread),
                hidden=hidden.get(application.pk, ""),
            )
        )
    return rows
