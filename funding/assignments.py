"""Review assignments: which of a call's reviewers reviews which application, by when.

A call without any assignment keeps the first rule (every reviewer reviews every
application in review); from its first assignment on, each reviewer reviews only the
applications assigned to them. Nobody is ever assigned an application they are excluded
from (`conflicts`): their organisation leads or partners it, or they declared a conflict.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import EmailKind, Notification, User
from members.services.notifications import notify
from projects.emails import absolute

from .conflicts import application_organisations, reviewer_organisations
from .models import (
    Application,
    AuditEntry,
    Declaration,
    FundingCall,
    Review,
    ReviewAssignment,
    Reviewer,
    Status,
)

# Applications a manager may assign: checked for eligibility or in review (not yet
# recommended or decided).
ASSIGNABLE_STATUSES = [Status.ELIGIBILITY, Status.IN_REVIEW]
MAX_PER_APPLICATION = 6


def call_uses_assignments(call: FundingCall) -> bool:
    return ReviewAssignment.objects.filter(application__call=call).exists()


def calls_using_assignments(call_ids) -> set[int]:
    """Among `call_ids`, those with at least one assignment. One query."""
    return set(
        ReviewAssignment.objects.filter(application__call_id__in=call_ids)
        .values_list("application__call_id", flat=True)
        .distinct()
    )


def may_review(reviewer: Reviewer, application: Application) -> bool:
    """Is `application` on this reviewer's list (conflicts aside): every application when
    the call has no assignment, else those assigned to them, and any they already
    submitted a review of (it stays theirs to read)."""
    if ReviewAssignment.objects.filter(reviewer=reviewer, application=application).exists():
        return True
    if not call_uses_assignments(application.call):
        return True
    return Review.objects.filter(
        reviewer=reviewer, application=application, submitted_at__isnull=False
    ).exists()


def _excluded_pairs(reviewers, applications) -> set[tuple[int, int]]:
    """(reviewer id, application id) pairs a conflict of interest rules out: an
    organisation in common, or a declared conflict. Four queries."""
    reviewers, applications = list(reviewers), list(applications)
    if not reviewers or not applications:
        return set()
    mine = reviewer_organisations(reviewers)
    theirs = application_organisations(applications)
    pairs = {(r.pk, a.pk) for r in reviewers for a in applications if mine[r.pk] & theirs[a.pk]}
    pairs |= set(
        Declaration.objects.filter(
            reviewer__in=reviewers, application__in=applications, has_conflict=True
        ).values_list("reviewer_id", "application_id")
    )
    return pairs


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """A field's error that keeps its code (a dict of plain messages drops it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _check_due(due_on: date | None, call: FundingCall) -> date:
    due_on = due_on or call.review_due_on
    if due_on is None:
        raise _field_error(
            "due_on", _("Give a due date, or set the call's default due date first."), "no_due_date"
        )
    if due_on < timezone.localdate():
        raise _field_error("due_on", _("The due date cannot be in the past."), "past_due_date")
    return due_on


@transaction.atomic
def call_review_due_set(*, call: FundingCall, due_on: date | None, by: User) -> FundingCall:
    """The call's default due date for reviews: what a new assignment gets unless the
    manager gives another. Assignments already made keep theirs."""
    if due_on is not None and due_on < timezone.localdate():
        raise _field_error("due_on", _("The due date cannot be in the past."), "past_due_date")
    locked = FundingCall.objects.select_for_update().get(pk=call.pk)
    before = locked.review_due_on
    if before != due_on:
        locked.review_due_on = due_on
        locked.save(update_fields=["review_due_on", "updated_at"])
        AuditEntry.objects.create(
            call=locked,
            action=AuditEntry.Action.CALL_UPDATED,
            actor=by,
            changes={"review_due_on": [str(before or ""), str(due_on or "")]},
        )
    call.review_due_on = due_on
    return locked


@transaction.atomic
def assignments_create(
    *, call: FundingCall, pairs: list[tuple[int, int]], due_on: date | None, by: User
) -> list[ReviewAssignment]:
    """Assign each (application id, reviewer id) of `pairs`, all due on `due_on` (the
    call's default when None), and tell each reviewer once of what they were given. All
    or nothing: a reviewer of another call, an application that cannot be assigned or a
    conflict of interest refuses the whole batch. Pairs already assigned are left as they
    are."""
    due_on = _check_due(due_on, call)
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        raise ValidationError(_("Nothing to assign."), code="empty")
    FundingCall.objects.select_for_update().filter(pk=call.pk).first()
    applications = {
        a.pk: a
        for a in Application.objects.filter(call=call, pk__in={a for a, _r in pairs}).select_related(
            "project__lead"
        )
    }
    reviewers = {
        r.pk: r
        for r in Reviewer.objects.filter(call=call, pk__in={r for _a, r in pairs}).select_related(
            "person", "organisation"
        )
    }
    for application in applications.values():
        application.call = call
    for reviewer in reviewers.values():
        reviewer.call = call
    errors = []
    for application_id, reviewer_id in pairs:
        if reviewer_id not in reviewers:
            errors.append(
                ValidationError(_("This person is not a reviewer of this call."), code="not_a_reviewer")
            )
        if application_id not in applications:
            errors.append(
                ValidationError(_("This application is not one of this call's."), code="other_call")
            )
        elif applications[application_id].status not in ASSIGNABLE_STATUSES:
            errors.append(
                ValidationError(
                    _("“%(project)s” is no longer waiting for reviews: it cannot be assigned.")
                    % {"project": applications[application_id].project.title},
                    code="not_assignable",
                )
            )
    if errors:
        raise ValidationError(errors)
    excluded = _excluded_pairs(reviewers.values(), applications.values())
    for application_id, reviewer_id in pairs:
        if (reviewer_id, application_id) in excluded:
            errors.append(
                ValidationError(
                    _("%(name)s has a conflict of interest with “%(project)s”: they cannot review it.")
                    % {
                        "name": reviewers[reviewer_id].person.display_name,
                        "project": applications[application_id].project.title,
                    },
                    code="conflict",
                )
            )
    if errors:
        raise ValidationError(errors)
    existing = set(
        ReviewAssignment.objects.filter(application__call=call).values_list("application_id", "reviewer_id")
    )
    created = ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(application_id=a, reviewer_id=r, due_on=due_on, assigned_by=by)
            for a, r in pairs
            if (a, r) not in existing
        ]
    )
    for assignment in created:
        assignment.application = applications[assignment.application_id]
        assignment.reviewer = reviewers[assignment.reviewer_id]
        AuditEntry.objects.create(
            call=call,
            application=assignment.application,
            action=AuditEntry.Action.REVIEWER_ADDED,
            actor=by,
            changes={"assigned": ["", assignment.reviewer.person.display_name], "due_on": ["", str(due_on)]},
        )
    _tell_assigned(call=call, assignments=created, by=by)
    return created


def _tell_assigned(*, call: FundingCall, assignments: list[ReviewAssignment], by: User | None) -> int:
    """One notification (and email, as each chose) per reviewer, listing the applications
    just assigned to them and their due dates, answered to whoever assigned them."""
    by_reviewer = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer_id].append(assignment)
    people, each = [], {}
    for given in by_reviewer.values():
        person = given[0].reviewer.person
        given.sort(key=lambda a: (a.due_on, a.application.project.title))
        first = given[0].application
        page = (
            reverse("funding:review-form", args=[call.pk, first.pk])
            if len(given) == 1
            else reverse("funding:review-list") + f"#call-{call.pk}"
        )
        people.append(person)
        each[person.pk] = {
            "assignments": given,
            "url": absolute(page),
            "waiting": any(a.application.status != Status.IN_REVIEW for a in given),
        }
    if not people:
        return 0
    return notify(
        people=people,
        kind=Notification.Kind.REVIEW_ASSIGNED,
        template="funding/email/review_assignments",
        context={"call": call, "table": call.table},
        email_kind=EmailKind.FUNDING,
        reply_to=[by.email] if by and by.email else None,
        each=each,
        about=call,
    )


@transaction.atomic
def assignment_remove(*, assignment: ReviewAssignment, by: User) -> None:
    """Take an application off a reviewer's list, unless they submitted its review."""
    if Review.objects.filter(
        reviewer_id=assignment.reviewer_id,
        application_id=assignment.application_id,
        submitted_at__isnull=False,
    ).exists():
        raise ValidationError(
            _("This reviewer submitted their review: the assignment stays on the record."), code="submitted"
        )
    AuditEntry.objects.create(
        call=assignment.application.call,
        application=assignment.application,
        action=AuditEntry.Action.REVIEWER_REMOVED,
        actor=by,
        changes={"assigned": [assignment.reviewer.person.display_name, ""]},
    )
    assignment.delete()


# The balance helper ---------------------------------------------------------------------------


@dataclass
class Shortfall:
    application: Application
    needed: int
    found: int


@dataclass
class Proposal:
    """What `assignments_propose` suggests: new (application, reviewer) pairs, each
    reviewer's load before and after, and the applications that cannot reach the number."""

    per_application: int
    pairs: list[tuple[Application, Reviewer]] = field(default_factory=list)
    loads: list[dict] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    applications: int = 0

    @property
    def by_application(self) -> list[tuple[Application, list[Reviewer]]]:
        grouped = {}
        for application, reviewer in self.pairs:
            grouped.setdefault(application.pk, (application, []))[1].append(reviewer)
        return list(grouped.values())

    def encoded(self) -> list[str]:
        return [f"{application.pk}:{reviewer.pk}" for application, reviewer in self.pairs]


def assignments_propose(*, call: FundingCall, per_application: int) -> Proposal:
    """Propose assignments so that each assignable application has `per_application`
    reviewers, keeping those already assigned: the applications with the fewest eligible
    reviewers are served first, and each goes to the eligible reviewers with the lightest
    load in the call so far (the first named on a tie). Saves nothing. A fixed number of
    queries."""
    if not 1 <= per_application <= MAX_PER_APPLICATION:
        raise _field_error(
            "per_application",
            _("Between 1 and %(max)s reviewers per application.") % {"max": MAX_PER_APPLICATION},
            "per_application",
        )
    applications = list(
        Application.objects.filter(call=call, status__in=ASSIGNABLE_STATUSES)
        .select_related("project__lead")
        .order_by("project__title", "pk")
    )
    reviewers = list(Reviewer.objects.filter(call=call).select_related("person", "organisation"))
    for application in applications:
        application.call = call
    for reviewer in reviewers:
        reviewer.call = call
    excluded = _excluded_pairs(reviewers, applications)
    assigned = defaultdict(set)
    load = dict.fromkeys((r.pk for r in reviewers), 0)
    for application_id, reviewer_id in ReviewAssignment.objects.filter(application__call=call).values_list(
        "application_id", "reviewer_id"
    ):
        assigned[application_id].add(reviewer_id)
        load[reviewer_id] = load.get(reviewer_id, 0) + 1
    before = dict(load)
    order = {r.pk: position for position, r in enumerate(reviewers)}
    eligible = {
        a.pk: [r for r in reviewers if (r.pk, a.pk) not in excluded and r.pk not in assigned[a.pk]]
        for a in applications
    }
    proposal = Proposal(per_application=per_application, applications=len(applications))
    for application in sorted(applications, key=lambda a: (len(eligible[a.pk]), a.project.title, a.pk)):
        needed = per_application - len(assigned[application.pk])
        if needed <= 0:
            continue
        candidates = sorted(eligible[application.pk], key=lambda r: (load[r.pk], order[r.pk]))
        chosen = candidates[:needed]
        for reviewer in chosen:
            load[reviewer.pk] += 1
            proposal.pairs.append((application, reviewer))
        if len(chosen) < needed:
            proposal.shortfalls.append(
                Shortfall(
                    application=application,
                    needed=per_application,
                    found=len(assigned[application.pk]) + len(chosen),
                )
            )
    position = {a.pk: i for i, a in enumerate(applications)}
    proposal.pairs.sort(key=lambda pair: (position[pair[0].pk], order[pair[1].pk]))
    proposal.shortfalls.sort(key=lambda s: position[s.application.pk])
    proposal.loads = [
        {"reviewer": r, "before": before[r.pk], "added": load[r.pk] - before[r.pk], "after": load[r.pk]}
        for r in reviewers
    ]
    return proposal


def decode_pairs(values) -> list[tuple[int, int]]:
    """The "application:reviewer" values the confirmation form posts back."""
    pairs = []
    for value in values:
        application, _sep, reviewer = str(value).partition(":")
        if not (application.isdigit() and reviewer.isdigit()):
            raise ValidationError(
                _("The proposal sent back is not readable. Propose again."), code="bad_pairs"
            )
        pairs.append((int(application), int(reviewer)))
    return pairs


# For the managers' pages ----------------------------------------------------------------------


def assignment_board(call: FundingCall, applications) -> dict[int, list[dict]]:
    """application id -> its assignments with where each stands (submitted, overdue),
    for the given applications. Two queries."""
    applications = list(applications)
    today = timezone.localdate()
    submitted = set(
        Review.objects.filter(application__in=applications, submitted_at__isnull=False).values_list(
            "reviewer_id", "application_id"
        )
    )
    result = defaultdict(list)
    for assignment in (
        ReviewAssignment.objects.filter(application__in=applications)
        .select_related("reviewer__person")
        .order_by("reviewer__person__last_name", "reviewer__person__first_name", "pk")
    ):
        done = (assignment.reviewer_id, assignment.application_id) in submitted
        result[assignment.application_id].append(
            {"assignment": assignment, "submitted": done, "overdue": not done and assignment.due_on < today}
        )
    return result


def overdue_assignments(call: FundingCall):
    return (
        ReviewAssignment.objects.overdue()
        .filter(application__call=call)
        .select_related("reviewer__person", "application__project__lead")
        .order_by("due_on", "application__project__title", "pk")
    )
