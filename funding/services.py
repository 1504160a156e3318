"""Writing to calls and applications: preparing and publishing a call, submitting and
withdrawing, every transition of an application by the role allowed to make it, reviews
and declarations of interest, decisions within the envelope, and the follow-up of funded
projects (reports, tranches).

Every decision and transition leaves an AuditEntry (who, when, what changed). Emails and
PDFs are queued with transaction.on_commit: nothing leaves for a change rolled back.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.formatting import date_long
from members.models import Delegation, EmailKind, Notification, User
from members.services.editing import EditConflict
from members.services.notifications import notify
from projects.budget import budget_totals
from projects.emails import absolute, people_acting_for, send_to
from projects.models import BudgetLine, Partnership, Project
from projects.permissions import acts_for, can_lead_project
from tables.models import Membership, Resolution
from tables.templatetags.ui import money

from .assignments import call_uses_assignments, may_review
from .conflicts import (
    application_organisations,
    excluded_automatically,
    person_conflict,
    reviewer_organisations,
)
from .models import (
    Actor,
    Application,
    ApplicationVersion,
    AuditEntry,
    CallFunder,
    Criterion,
    Declaration,
    FunderStaff,
    FundingCall,
    Report,
    ReportContribution,
    ReportIndicatorValue,
    RequiredDocument,
    Review,
    Reviewer,
    Score,
    Status,
    Tranche,
)
from .models.followup import exceeds_commitment
from .permissions import can_decide, can_manage_call
from .rules import RuleCheck, check_rules, unmet
from .snapshot import project_snapshot

__all__ = [
    "CALL_FIELDS",
    "RULE_FIELDS",
    "RulesNotMet",
    "application_decide",
    "application_submit",
    "application_transition",
    "call_create",
    "call_publish",
    "call_set_criteria",
    "call_set_documents",
    "call_set_shares",
    "call_update",
    "declaration_record",
    "report_accept",
    "report_contribution_confirm",
    "report_return",
    "report_save",
    "report_unconfirmed_partners",
    "review_save",
    "reviewer_add",
    "reviewer_remove",
    "schedule_update",
    "tranche_release",
]

CALL_FIELDS = (
    "title",
    "description",
    "envelope",
    "opens_at",
    "closes_at",
    "min_partners",
    "min_sectors",
    "max_applications_per_lead",
    "max_request",
    "max_request_share",
    "partners_must_be_members",
    "decision_by_resolution",
    "results_public",
)
CALL_RELATIONS = ("regions", "objectives")
# What applicants built their projects on: fixed once the first application is submitted.
RULE_FIELDS = (
    "min_partners",
    "min_sectors",
    "max_applications_per_lead",
    "max_request",
    "max_request_share",
    "partners_must_be_members",
    "regions",
    "objectives",
)
CENT = Decimal("0.01")


class RulesNotMet(ValidationError):
    """Submission refused: carries every rule check, met or not."""

    def __init__(self, checks: list[RuleCheck]):
        self.checks = checks
        super().__init__([check.message for check in unmet(checks)], code="rules")


def _plain(value) -> str:
    """A value as the audit log shows it: plain text, dates in local time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def _diff(before: dict, after: dict) -> dict:
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in after
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def _audit(
    *,
    call: FundingCall,
    action: str,
    by: User | None,
    application: Application | None = None,
    from_status: str = "",
    to_status: str = "",
    changes: dict | None = None,
    note: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        call=call,
        application=application,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        note=note,
    )


def _locked_call(call: FundingCall) -> FundingCall:
    return FundingCall.objects.select_for_update().get(pk=call.pk)


def _locked_application(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    # Relations are read from the objects the caller already loaded.
    locked.call = application.call
    locked.project = application.project
    return locked


# Calls ----------------------------------------------------------------------------------------


def _check_dates(opens_at, closes_at) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The call must close after it opens.")})


@transaction.atomic
def call_create(*, table, by: User, regions=(), objectives=(), **fields) -> FundingCall:
    """A new call, not yet published: the coordination prepares it with the funders."""
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    _check_dates(fields.get("opens_at"), fields.get("closes_at"))
    call = FundingCall.objects.create(table=table, created_by=by, **fields)
    call.regions.set(regions)
    call.objectives.set(objectives)
    _audit(call=call, action=AuditEntry.Action.CALL_CREATED, by=by, changes=_diff({}, fields))
    return call


def _has_submissions(call: FundingCall) -> bool:
    return Application.objects.counted().filter(call=call).exists()


@transaction.atomic
def call_update(*, call: FundingCall, by: User, **fields) -> FundingCall:
    """Change a call. Its partnership rules, territories and objectives are fixed once an
    application is submitted under them; the envelope never goes below what is
    committed."""
    unknown = set(fields) - set(CALL_FIELDS) - set(CALL_RELATIONS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    locked = _locked_call(call)
    before = {name: getattr(locked, name) for name in fields if name in CALL_FIELDS}
    before |= {
        name: sorted(str(o) for o in getattr(locked, name).all()) for name in CALL_RELATIONS if name in fields
    }
    after = {name: value for name, value in fields.items() if name in CALL_FIELDS}
    after |= {name: sorted(str(o) for o in fields[name]) for name in CALL_RELATIONS if name in fields}
    changes = _diff(before, after)
    if _has_submissions(locked):
        frozen = sorted(set(changes) & set(RULE_FIELDS))
        if frozen:
            raise ValidationError(
                {
                    name: _("Applications were submitted under this rule: it can no longer change.")
                    for name in frozen
                }
            )
    _check_dates(fields.get("opens_at", locked.opens_at), fields.get("closes_at", locked.closes_at))
    envelope = fields.get("envelope", locked.envelope)
    committed = Application.objects.filter(call=locked).committed_total()
    if envelope < committed:
        raise ValidationError(
            {
                "envelope": _("The envelope cannot be less than what is already committed (%(committed)s).")
                % {"committed": money(committed)}
            }
        )
    for name in CALL_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.save()
    for name in CALL_RELATIONS:
        if name in fields:
            getattr(locked, name).set(fields[name])
    if changes:
        _audit(call=locked, action=AuditEntry.Action.CALL_UPDATED, by=by, changes=changes)
    return locked


@transaction.atomic
def call_set_shares(*, call: FundingCall, shares: list[tuple], by: User) -> list[CallFunder]:
    """Replace the funders' shares. Their sum may not exceed the envelope; a funder whose
    money is committed stays."""
    locked = _locked_call(call)
    funders = [funder for funder, _amount in shares]
    if len({f.pk for f in funders}) != len(funders):
        raise ValidationError(_("Each funder appears once."))
    total = sum((amount for _funder, amount in shares), Decimal("0"))
    if total > locked.envelope:
        raise ValidationError(
            _("The shares add up to %(total)s, more than the envelope (%(envelope)s).")
            % {"total": money(total), "envelope": money(locked.envelope)}
        )
    before = {str(s.funder): s.amount for s in locked.shares.select_related("funder__organisation")}
    if locked.applications.committed().exists():
        dropped = set(before) - {str(f) for f in funders}
        if dropped:
            raise ValidationError(
                _("Money of %(funders)s is already committed: it stays a funder of the call.")
                % {"funders": ", ".join(sorted(dropped))}
            )
    locked.shares.all().delete()
    created = CallFunder.objects.bulk_create(
        CallFunder(call=locked, funder=funder, amount=amount) for funder, amount in shares
    )
    changes = _diff(before, {str(funder): amount for funder, amount in shares})
    changes |= {name: [_plain(before[name]), ""] for name in before if name not in {str(f) for f in funders}}
    if changes:
        _audit(call=locked, action=AuditEntry.Action.FUNDERS_CHANGED, by=by, changes=changes)
    return created


def _sync_rows(*, call, model, rows: list[dict], fields: tuple[str, ...], protected=None) -> dict:
    """Make the call's rows of `model` match `rows` (each with an optional "id"); returns
    the changes for the audit log. `protected(row)` names rows that may not be removed."""
    existing = {row.pk: row for row in model.objects.filter(call=call)}
    kept, changes = set(), {}
    for position, data in enumerate(rows, start=1):
        pk = data.get("id")
        values = {name: data[name] for name in fields} | {"position": position}
        if pk:
            row = existing.get(pk)
            if row is None:
                raise ValidationError(_("This line belongs to another call."))
            diff = _diff({n: getattr(row, n) for n in fields}, {n: values[n] for n in fields})
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            kept.add(pk)
            if diff:
                changes[str(row)] = diff
        else:
            row = model.objects.create(call=call, **values)
            changes[str(row)] = [_plain(""), _("added")]
    for pk, row in existing.items():
        if pk not in kept:
            if protected is not None and protected(row):
                raise ValidationError(
                    _("“%(name)s” is already used: it cannot be removed.") % {"name": str(row)}
                )
            changes[str(row)] = [_("removed"), ""]
            row.delete()
    return changes


@transaction.atomic
def call_set_criteria(*, call: FundingCall, criteria: list[dict], by: User) -> None:
    """The evaluation grid. Fixed once a reviewer has scored an application with it."""
    locked = _locked_call(call)
    if Score.objects.filter(criterion__call=locked, value__isnull=False).exists():
        raise ValidationError(_("Reviewers have started scoring: the grid can no longer change."))
    if not criteria:
        raise ValidationError(_("The grid needs at least one criterion."))
    changes = _sync_rows(call=locked, model=Criterion, rows=criteria, fields=("title", "guidance", "weight"))
    if changes:
        _audit(call=locked, action=AuditEntry.Action.GRID_CHANGED, by=by, changes=changes)


@transaction.atomic
def call_set_documents(*, call: FundingCall, documents: list[dict], by: User) -> None:
    locked = _locked_call(call)
    documents = [{"from_each_partner": False, **document} for document in documents]
    if _has_submissions(locked) and any(d.get("mandatory") and not d.get("id") for d in documents):
        raise ValidationError(
            _("Applications were submitted: a new document can be asked for, but not made mandatory.")
        )
    changes = _sync_rows(
        call=locked,
        model=RequiredDocument,
        rows=documents,
        fields=("name", "description", "mandatory", "from_each_partner"),
        protected=lambda document: document.attachments.exists(),
    )
    if changes:
        _audit(call=locked, action=AuditEntry.Action.DOCUMENTS_CHANGED, by=by, changes=changes)


def publication_problems(call: FundingCall) -> list[str]:
    """What keeps a call from being published, in plain words."""
    problems = []
    shares = list(call.shares.all())
    total = sum((share.amount for share in shares), Decimal("0"))
    if not shares:
        problems.append(_("Name at least one funder and its share of the envelope."))
    elif total != call.envelope:
        problems.append(
            _("The funders' shares add up to %(total)s; the envelope is %(envelope)s.")
            % {"total": money(total), "envelope": money(call.envelope)}
        )
    if not call.criteria.exists():
        problems.append(_("Write the evaluation grid (at least one criterion)."))
    if call.closes_at <= timezone.now():
        problems.append(_("The deadline has passed: set a later one."))
    return problems


@transaction.atomic
def call_publish(*, call: FundingCall, by: User) -> FundingCall:
    """Publish the call on the table's page and email its members (through Celery)."""
    locked = _locked_call(call)
    if locked.is_published:
        return locked
    problems = publication_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.published_at = timezone.now()
    locked.published_by = by
    locked.save(update_fields=["published_at", "published_by", "updated_at"])
    _audit(call=locked, action=AuditEntry.Action.CALL_PUBLISHED, by=by)
    from .tasks import notify_call_published

    transaction.on_commit(lambda: notify_call_published.delay(locked.pk))
    return locked


def call_notify_members(call: FundingCall) -> int:
    """Email every delegate and substitute of the table's members about a published call,
    once (the task may run twice). Returns how many were sent."""
    claimed = FundingCall.objects.filter(
        pk=call.pk, published_at__isnull=False, members_notified_at__isnull=True
    ).update(members_notified_at=timezone.now())
    if not claimed:
        return 0
    people = {
        d.person_id: d.person
        for d in Delegation.objects.active()
        .filter(membership__in=Membership.objects.active().filter(table_id=call.table_id))
        .select_related("person")
    }
    return send_to(
        [p for p in people.values() if p.is_active and p.email],
        "funding/email/call_published",
        {"call": call, "table": call.table, "url": absolute(call.get_absolute_url())},
        kind=EmailKind.FUNDING,
        notification=Notification.Kind.CALL_PUBLISHED,
        about=call,
        # Questions about the call go to whoever prepared it.
        reply_to=[call.created_by.email] if call.created_by and call.created_by.email else None,
    )


# Reviewers ------------------------------------------------------------------------------------


def reviewer_candidates(call: FundingCall):
    """People who may be named: staff of the call's funders, and delegates and
    substitutes of the table's members."""
    staff = FunderStaff.objects.filter(funder__in=call.shares.values("funder"), active=True).values("person")
    delegates = (
        Delegation.objects.active()
        .filter(membership__in=Membership.objects.active().filter(table_id=call.table_id))
        .values("person")
    )
    return User.objects.filter(is_active=True).filter(Q(pk__in=staff) | Q(pk__in=delegates))


@transaction.atomic
def reviewer_add(*, call: FundingCall, person: User, by: User) -> Reviewer:
    staff = (
        FunderStaff.objects.filter(person=person, active=True, funder__in=call.shares.values("funder"))
        .select_related("funder")
        .first()
    )
    if staff is not None:
        kind, organisation_id = Reviewer.Kind.FUNDER_STAFF, staff.funder.organisation_id
    else:
        delegation = (
            Delegation.objects.active()
            .filter(person=person, membership__in=Membership.objects.active().filter(table_id=call.table_id))
            .select_related("membership")
            .first()
        )
        if delegation is None:
            raise ValidationError(
                {
                    "person": _(
                        "%(name)s neither works for one of the call's funders nor represents a member "
                        "of the table."
                    )
                    % {"name": person.display_name}
                }
            )
        kind, organisation_id = Reviewer.Kind.TABLE_MEMBER, delegation.membership.organisation_id
    reviewer, created = Reviewer.objects.get_or_create(
        call=call, person=person, defaults={"kind": kind, "organisation_id": organisation_id, "added_by": by}
    )
    if created:
        _audit(
            call=call,
            action=AuditEntry.Action.REVIEWER_ADDED,
            by=by,
            changes={"reviewer": ["", person.display_name]},
        )
        reviewer.call = call
        in_review = Application.objects.filter(call=call, status=Status.IN_REVIEW).select_related(
            "project__lead"
        )
        # Once the call assigns its applications, a new reviewer hears when given some.
        if not call_uses_assignments(call):
            _tell_reviewers(reviewers=[reviewer], applications=in_review.order_by("project__title"), by=by)
    return reviewer


@transaction.atomic
def reviewer_remove(*, reviewer: Reviewer, by: User) -> None:
    if reviewer.reviews.filter(submitted_at__isnull=False).exists():
        raise ValidationError(_("This reviewer submitted reviews: they stay on the call's record."))
    _audit(
        call=reviewer.call,
        action=AuditEntry.Action.REVIEWER_REMOVED,
        by=by,
        changes={"reviewer": [reviewer.person.display_name, ""]},
    )
    reviewer.delete()


# Submission and transitions -------------------------------------------------------------------


@transaction.atomic
def application_submit(*, application: Application, by: User, now=None) -> Application:
    """Submit when every rule of the call holds, else raise RulesNotMet with all of them.

    The call row is locked for the duration, so that two applications of the same lead
    submitted at once cannot both slip under the limit per lead. The project is frozen as
    a new ApplicationVersion.
    """
    project = application.project
    if not can_lead_project(by, project):
        raise PermissionDenied
    _locked_call(application.call)
    Project.objects.select_for_update().get(pk=project.pk)
    locked = _locked_application(application)
    if locked.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    checks = check_rules(locked, now=now)
    if unmet(checks):
        raise RulesNotMet(checks)
    number = locked.versions.count() + 1
    data = project_snapshot(project.pk, rules=checks, by=by, number=number)
    ApplicationVersion.objects.create(
        application=locked, number=number, data=data, submitted_by=by, submitted_at=timezone.now()
    )
    locked.set_status(Status.SUBMITTED)
    locked.requested_amount = budget_totals(BudgetLine.objects.filter(project=project)).requested
    locked.submitted_at = timezone.now()
    locked.save()
    _audit(
        call=locked.call,
        application=locked,
        action=AuditEntry.Action.STATUS_CHANGED,
        by=by,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        changes={"version": ["", str(number)], "requested_amount": ["", str(locked.requested_amount)]},
    )
    send_to(
        [c.person for c in locked.call.table.coordinators.select_related("person")],
        "funding/email/application_submitted",
        {
            "application": locked,
            "project": project,
            "call": locked.call,
            "url": absolute(reverse("funding:call-manage", args=[locked.call_id])),
        },
        kind=EmailKind.FUNDING,
        notification=Notification.Kind.APPLICATION_SUBMITTED,
        reply_to=[by.email] if by.email else None,
        about=locked,
    )
    return locked


def _actor_allowed(actor: str, by: User, application: Application) -> bool:
    if actor == Actor.LEAD:
        return can_lead_project(by, application.project)
    if actor == Actor.MANAGER:
        return can_manage_call(by, application.call)
    return can_decide(by, application.call)


def _submitted_reviews(application: Application) -> int:
    reviews = Review.objects.filter(application=application, submitted_at__isnull=False).select_related(
        "reviewer", "application__call", "application__project"
    )
    declared = set(
        Declaration.objects.filter(application=application, has_conflict=True).values_list(
            "reviewer_id", flat=True
        )
    )
    return sum(
        1
        for review in reviews
        if review.reviewer_id not in declared and not excluded_automatically(review.reviewer, application)
    )


def _check_edge(application: Application, to: str, note: str, now) -> None:
    call = application.call
    if to in {Status.WITHDRAWN, Status.DRAFT} and not call.before_deadline(now):
        raise ValidationError(
            _("The deadline has passed: the application can no longer be withdrawn or changed.")
        )
    if to == Status.INELIGIBLE and not note.strip():
        raise ValidationError({"note": _("Say which rule the application does not meet.")})
    if to in {Status.RECOMMENDED, Status.NOT_RECOMMENDED} and not _submitted_reviews(application):
        raise ValidationError(
            _("No review is submitted yet (reviewers with a conflict of interest do not count).")
        )
    if (
        to == Status.CLOSED
        and not application.reports.filter(kind=Report.Kind.FINAL, status=Report.Status.ACCEPTED).exists()
    ):
        raise ValidationError(_("The project closes once its final report is accepted."))


@transaction.atomic
def application_transition(
    *, application: Application, to: str, by: User, note: str = "", now=None
) -> Application:
    """Move an application along one edge of its path, if `by` holds the role that edge
    belongs to. Submission and funding decisions have their own services (they need
    more than a status); everything else goes through here."""
    now = now or timezone.now()
    actor = Application.actor_for(application.status, to)
    if actor is None:
        raise ValidationError(
            _("An application cannot go from “%(current)s” to “%(new)s”.")
            % {"current": application.get_status_display(), "new": Status(to).label}
        )
    if not _actor_allowed(actor, by, application):
        raise PermissionDenied
    if to == Status.SUBMITTED:
        return application_submit(application=application, by=by, now=now)
    if to in {Status.FUNDED, Status.REFUSED}:
        raise ValidationError(_("Record the decision on the committee's page, with its amount or reasons."))
    locked = _locked_application(application)
    if locked.status != application.status:
        raise ValidationError(_("Someone changed this application's status meanwhile. Look again."))
    _check_edge(locked, to, note, now)
    before = locked.status
    locked.set_status(to)
    changes = {}
    if to == Status.IN_PROGRESS:
        locked.conditions_accepted_at = now
        locked.conditions_accepted_by = by
        changes["conditions_accepted"] = ["", by.display_name]
    if to == Status.INELIGIBLE:
        locked.decision_note = note.strip()
    locked.save()
    if to == Status.IN_REVIEW:
        reviewers = Reviewer.objects.filter(call=locked.call)
        if call_uses_assignments(locked.call):
            reviewers = reviewers.filter(assignments__application=locked)
        _tell_reviewers(
            reviewers=reviewers.select_related("person", "call__table"),
            applications=[locked],
            by=by,
        )
    _audit(
        call=locked.call,
        application=locked,
        action=AuditEntry.Action.STATUS_CHANGED,
        by=by,
        from_status=before,
        to_status=to,
        changes=changes,
        note=note.strip(),
    )
    return locked


# Decisions ------------------------------------------------------------------------------------


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _default_schedule(application: Application, project: Project, today) -> None:
    """Half on signing, 30 % once the progress report is accepted, the rest once the
    final report is: the managers can change it afterwards."""
    starts = project.starts or today
    ends = project.ends if project.ends and project.ends > starts else starts + timedelta(days=365)
    middle = starts + (ends - starts) / 2
    progress = Report.objects.create(
        application=application,
        kind=Report.Kind.PROGRESS,
        number=1,
        due_on=max(middle, today + timedelta(days=30)),
    )
    final = Report.objects.create(
        application=application, kind=Report.Kind.FINAL, number=2, due_on=ends + timedelta(days=60)
    )
    amount = application.awarded_amount
    first, second = _round(amount * Decimal("0.5")), _round(amount * Decimal("0.3"))
    Tranche.objects.bulk_create(
        [
            Tranche(application=application, number=1, amount=first, planned_on=today),
            Tranche(
                application=application, number=2, amount=second, planned_on=progress.due_on, report=progress
            ),
            Tranche(
                application=application,
                number=3,
                amount=amount - first - second,
                planned_on=final.due_on,
                report=final,
            ),
        ]
    )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    by: User,
    funded: bool,
    amount: Decimal | None = None,
    conditions: str = "",
    resolution: Resolution | None = None,
    note: str = "",
) -> Application:
    """Fund (an amount, with conditions) or refuse a recommended or not-recommended
    application.

    The call row is locked first (SELECT … FOR UPDATE), then what is committed is summed:
    two decisions taken at the same moment are made one after the other, and the second
    sees the first, so the call never commits more than its envelope.
    """
    call = _locked_call(application.call)
    if not can_decide(by, call):
        raise PermissionDenied
    locked = _locked_application(application)
    to = Status.FUNDED if funded else Status.REFUSED
    if Application.actor_for(locked.status, to) != Actor.DECIDER:
        raise ValidationError(
            _("An application cannot go from “%(current)s” to “%(new)s”.")
            % {"current": locked.get_status_display(), "new": Status(to).label}
        )
    if call.decision_by_resolution and resolution is None:
        raise ValidationError(
            {"resolution": _("This call's decisions are recorded with a resolution of the table.")}
        )
    if resolution is not None and (resolution.table_id != call.table_id or not resolution.is_adopted):
        raise ValidationError({"resolution": _("Choose an adopted resolution of this call's table.")})
    changes = {}
    conflict = person_conflict(by, locked)
    if conflict and resolution is None:
        raise ValidationError(
            _(
                "You cannot decide on this application: %(reason)s. Another manager of the call decides "
                "it, or the table by resolution."
            )
            % {"reason": conflict}
        )
    if conflict:
        # Recorded for the table's resolution, which is the decision: the history says who
        # recorded it and why they could not have decided alone.
        changes["recorded_despite_conflict"] = ["", conflict]
    if funded:
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("Enter the amount awarded.")})
        if amount > locked.requested_amount:
            raise ValidationError(
                {
                    "amount": _("The amount awarded cannot exceed the amount requested (%(requested)s).")
                    % {"requested": money(locked.requested_amount)}
                }
            )
        committed = Application.objects.filter(call=call).committed_total()
        available = call.envelope - committed
        if amount > available:
            raise ValidationError(
                {
                    "amount": _(
                        "Only %(available)s is left in the envelope (%(envelope)s, of which "
                        "%(committed)s is committed). Lower the amount or refuse."
                    )
                    % {
                        "available": money(available),
                        "envelope": money(call.envelope),
                        "committed": money(committed),
                    }
                }
            )
        locked.awarded_amount = amount
        locked.conditions = conditions.strip()
        changes.update({"awarded_amount": ["", str(amount)], "conditions": ["", locked.conditions]})
    else:
        if not note.strip():
            raise ValidationError({"note": _("Give the reasons of the refusal: the applicants read them.")})
        locked.decision_note = note.strip()
    before = locked.status
    locked.set_status(to)
    locked.resolution = resolution
    locked.decided_at = timezone.now()
    locked.decided_by = by
    if funded:
        locked.decision_note = note.strip()
    locked.save()
    if resolution is not None:
        changes["resolution"] = ["", resolution.number]
    if funded:
        _default_schedule(locked, locked.project, timezone.localdate())
    _audit(
        call=call,
        application=locked,
        action=AuditEntry.Action.DECIDED,
        by=by,
        from_status=before,
        to_status=to,
        changes=changes,
        note=note.strip(),
    )
    _after_decision(locked, by)
    return locked


def _after_decision(application: Application, by: User) -> None:
    from tables.services.documents import document_request

    from .documents import DECISION_LETTER

    document_request(source=application, kind=DECISION_LETTER, language=settings.LANGUAGE_CODE, by=by)
    _tell_project(
        application,
        "funding/email/decision",
        {"application": application},
        by,
        notification=Notification.Kind.DECISION_MADE,
    )


# Reviews --------------------------------------------------------------------------------------


def _tell_reviewers(*, reviewers, applications, by: User | None) -> int:
    """Tell each reviewer of the applications now given to them to review (one
    notification each, answered to `by`, who gave the work), leaving out every one whose
    lead or partners include the reviewer's organisation: they are excluded from it and
    see nothing of it. Nobody has declared a conflict yet: declarations are made on the
    review page, once the application is in review and the reviewer named. Reviewers need
    their `call`, applications their `project` loaded. Returns how many were told."""
    reviewers, applications = list(reviewers), list(applications)
    if not reviewers or not applications:
        return 0
    mine = reviewer_organisations(reviewers)
    theirs = application_organisations(applications)
    people, each = [], {}
    for reviewer in reviewers:
        given = [
            application for application in applications if not mine[reviewer.pk] & theirs[application.pk]
        ]
        if not given or not reviewer.person.email:
            continue
        first = given[0]
        page = (
            reverse("funding:review-form", args=[first.call_id, first.pk])
            if len(given) == 1
            else reverse("funding:review-list")
        )
        people.append(reviewer.person)
        each[reviewer.person_id] = {"applications": given, "url": absolute(page)}
    call = reviewers[0].call
    return notify(
        people=people,
        kind=Notification.Kind.REVIEW_ASSIGNED,
        template="funding/email/review_assigned",
        context={"call": call, "table": call.table},
        email_kind=EmailKind.FUNDING,
        reply_to=[by.email] if by and by.email else None,
        each=each,
        about=call,
    )


def _check_reviewer(reviewer: Reviewer, application: Application, by: User) -> None:
    if reviewer.person_id != by.pk or reviewer.call_id != application.call_id:
        raise PermissionDenied
    if application.status != Status.IN_REVIEW:
        raise ValidationError(_("This application is not in review."))
    if not may_review(reviewer, application):
        raise PermissionDenied


@transaction.atomic
def declaration_record(
    *, reviewer: Reviewer, application: Application, has_conflict: bool, details: str = "", by: User
) -> Declaration:
    """The reviewer's declaration of interests, before they see the application. A
    declared conflict can be added later but never taken back."""
    _check_reviewer(reviewer, application, by)
    if excluded_automatically(reviewer, application):
        raise ValidationError(_("Your organisation leads or partners this project: you do not review it."))
    if has_conflict and not details.strip():
        raise ValidationError({"details": _("Say briefly what the conflict is (a link, an interest).")})
    declaration = (
        Declaration.objects.select_for_update().filter(reviewer=reviewer, application=application).first()
    )
    if declaration is not None:
        if declaration.has_conflict and not has_conflict:
            raise ValidationError(_("A declared conflict of interest cannot be withdrawn."))
        if declaration.has_conflict == has_conflict:
            return declaration
        declaration.has_conflict, declaration.details = has_conflict, details.strip()
        declaration.save()
    else:
        declaration = Declaration.objects.create(
            reviewer=reviewer, application=application, has_conflict=has_conflict, details=details.strip()
        )
    _audit(
        call=application.call,
        application=application,
        action=AuditEntry.Action.CONFLICT_DECLARED,
        by=by,
        changes={"conflict": ["", _("yes") if has_conflict else _("no")]},
    )
    return declaration


@transaction.atomic
def review_save(
    *,
    reviewer: Reviewer,
    application: Application,
    by: User,
    expected_version: int,
    comment: str,
    scores: dict[int, tuple[int | None, str]],
    submit: bool = False,
) -> Review:
    """Save the scores (criterion id -> (score, comment)) and the overall comment, with
    optimistic locking; `submit` makes the review final once every criterion is scored."""
    _check_reviewer(reviewer, application, by)
    declaration = Declaration.objects.filter(reviewer=reviewer, application=application).first()
    if declaration is None:
        raise ValidationError(_("Declare your interests first."))
    if declaration.has_conflict or excluded_automatically(reviewer, application):
        raise ValidationError(_("You declared a conflict of interest: you do not review this application."))
    criteria = {c.pk: c for c in application.call.criteria.all()}
    if set(scores) - set(criteria):
        raise ValidationError(_("A criterion of another call was sent."))
    review, _created = Review.objects.select_for_update().get_or_create(
        reviewer=reviewer, application=application
    )
    if review.is_submitted:
        raise ValidationError(_("Your review is submitted: it can no longer change."))
    if review.version != expected_version:
        raise EditConflict(
            current={
                "comment": review.comment,
                "scores": {s.criterion_id: (s.value, s.comment) for s in review.scores.all()},
            },
            version=review.version,
            saved_by=by,
            saved_at=review.updated_at,
        )
    if submit and any(scores.get(pk, (None, ""))[0] is None for pk in criteria):
        raise ValidationError(_("Score every criterion before submitting."))
    existing = {s.criterion_id: s for s in review.scores.all()}
    for criterion_id, (value, text) in scores.items():
        score = existing.get(criterion_id) or Score(review=review, criterion_id=criterion_id)
        score.value, score.comment = value, (text or "").strip()
        score.save()
    review.comment = (comment or "").strip()
    review.version = F("version") + 1
    if submit:
        review.submitted_at = timezone.now()
    review.save()
    review.refresh_from_db()
    if submit:
        _audit(
            call=application.call, application=application, action=AuditEntry.Action.REVIEW_SUBMITTED, by=by
        )
    return review


# Follow-up ------------------------------------------------------------------------------------


REPORT_FIELDS = ("summary", "results", "collaboration", "next_steps")


@transaction.atomic
def report_save(
    *,
    report: Report,
    by: User,
    expected_version: int,
    indicator_values: dict | None = None,
    contributions: dict | None = None,
    submit: bool = False,
    **fields,
) -> Report:
    """The lead writes a report: the narrative, the indicators reached and what each
    partner actually delivered (partnership id -> (cash, in kind, note))."""
    application = report.application
    if not can_lead_project(by, application.project):
        raise PermissionDenied
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status != Report.Status.EXPECTED:
        raise ValidationError(_("This report was submitted: it can no longer change."))
    if locked.version != expected_version:
        raise EditConflict(
            current={name: getattr(locked, name) for name in REPORT_FIELDS},
            version=locked.version,
            saved_by=locked.submitted_by,
            saved_at=locked.updated_at,
        )
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(locked, name, (value or "").replace("\r\n", "\n").strip())
    if submit and not locked.summary:
        raise ValidationError({"summary": _("Say what was done.")})
    indicator_ids = set(application.project.indicators.values_list("pk", flat=True))
    for indicator_id, (value, comment) in (indicator_values or {}).items():
        if indicator_id not in indicator_ids:
            raise ValidationError(_("An indicator of another project was sent."))
        ReportIndicatorValue.objects.update_or_create(
            report=locked, indicator_id=indicator_id, defaults={"value": value, "comment": comment or ""}
        )
    to_confirm = _report_propose_contributions(report=locked, project=application.project, rows=contributions)
    locked.version += 1
    if submit:
        locked.status = Report.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = by
    locked.save()
    _ask_partners_to_confirm(report=locked, project=application.project, partnerships=to_confirm, by=by)
    if submit:
        _audit(
            call=application.call,
            application=application,
            action=AuditEntry.Action.REPORT_SUBMITTED,
            by=by,
            changes={"report": ["", str(locked)]},
        )
        call = application.call
        send_to(
            _deciders(call),
            "funding/email/report_submitted",
            {
                "report": locked,
                "project": application.project,
                "call": call,
                "unconfirmed": [
                    p.organisation.short_name for p in report_unconfirmed_partners(report=locked)
                ],
                "url": absolute(reverse("funding:application-followup", args=[call.pk, application.pk])),
            },
            kind=EmailKind.FUNDING,
            reply_to=[by.email] if by.email else None,
            notification=Notification.Kind.REPORT_SUBMITTED,
            about=locked,
        )
    return locked


# What each partner actually provided: the lead proposes, the partner confirms ---------------


def _delivered_in_other_reports(report: Report) -> dict[int, tuple[Decimal, Decimal]]:
    """Partnership id -> (cash, in kind) the application's other reports count."""
    totals = {}
    for row in ReportContribution.objects.filter(report__application_id=report.application_id).exclude(
        report=report
    ):
        cash, in_kind = totals.get(row.partnership_id, (Decimal("0"), Decimal("0")))
        totals[row.partnership_id] = (cash + row.cash, in_kind + row.in_kind)
    return totals


def _check_over_commitment(partnership: Partnership, *, cash, in_kind, reason: str, earlier) -> None:
    """A figure far above what the partner confirmed (OVER_COMMITMENT_RATIO, over all the
    reports) is accepted only with a written reason, which the funder reads."""
    before_cash, before_in_kind = earlier.get(partnership.pk, (Decimal("0"), Decimal("0")))
    over = [
        (label, delivered, committed)
        for label, delivered, committed in (
            (_("in cash"), before_cash + cash, partnership.cash),
            (_("in kind"), before_in_kind + in_kind, partnership.in_kind),
        )
        if exceeds_commitment(delivered=delivered, committed=committed)
    ]
    if over and not (reason or "").strip():
        label, delivered, committed = over[0]
        message = _(
            "%(organisation)s: %(delivered)s %(nature)s over the reports is far above what it "
            "confirmed (%(committed)s). Correct the figure, or say why in the reason."
        ) % {
            "organisation": partnership.organisation.short_name,
            "delivered": money(delivered),
            "nature": label,
            "committed": money(committed),
        }
        raise ValidationError({f"reason_{partnership.pk}": ValidationError(message, code="reason_required")})


def _report_propose_contributions(
    *, report: Report, project: Project, rows: dict | None
) -> list[Partnership]:
    """Save the lead's figures (partnership id -> (cash, in kind, note[, reason])) as
    proposals. A partner's confirmation stands while the lead sends back the figures it
    proposed or the ones the partner confirmed; other figures are a new proposal, to be
    confirmed again. Returns the partnerships now asked to confirm."""
    partnerships = {
        p.pk: p
        for p in Partnership.objects.confirmed().filter(project=project).select_related("organisation")
    }
    existing = {c.partnership_id: c for c in ReportContribution.objects.filter(report=report)}
    earlier = _delivered_in_other_reports(report)
    to_confirm = []
    for partnership_id, (cash, in_kind, note, *more) in (rows or {}).items():
        partnership = partnerships.get(partnership_id)
        if partnership is None:
            raise ValidationError(_("A partner of another project was sent."))
        contribution = existing.get(partnership_id)
        if contribution is None and cash is None and in_kind is None and not note:
            continue  # nothing said about this partner yet
        cash, in_kind = cash or Decimal("0"), in_kind or Decimal("0")
        reason = ((more[0] if more else "") or "").strip()
        _check_over_commitment(partnership, cash=cash, in_kind=in_kind, reason=reason, earlier=earlier)
        if contribution is None:
            contribution = ReportContribution(report=report, partnership=partnership)
        figures = (cash, in_kind)
        kept = contribution.pk is not None and figures in {
            (contribution.cash, contribution.in_kind),
            (contribution.proposed_cash, contribution.proposed_in_kind),
        }
        contribution.note = note or ""
        if not kept:
            contribution.cash, contribution.in_kind = figures
            contribution.proposed_cash, contribution.proposed_in_kind = figures
            contribution.reason = reason
            contribution.confirmed_by = contribution.confirmed_at = None
            to_confirm.append(partnership)
        elif not contribution.is_confirmed:
            contribution.reason = reason
        contribution.save()
    return to_confirm


def _ask_partners_to_confirm(*, report: Report, project: Project, partnerships, by: User) -> None:
    """Each partner's own people are asked to confirm the figures the lead proposed."""
    for partnership in partnerships:
        send_to(
            people_acting_for([partnership.organisation_id], project.table_id),
            "funding/email/contribution_to_confirm",
            {
                "report": report,
                "project": project,
                "partnership": partnership,
                "lead": project.lead,
                "contribution": ReportContribution.objects.get(report=report, partnership=partnership),
                "url": absolute(
                    reverse("projects:report-contribution", args=[project.pk, report.pk, partnership.pk])
                ),
            },
            kind=EmailKind.FUNDING,
            reply_to=[by.email] if by.email else None,
            notification=Notification.Kind.PROJECT_FOLLOW_UP,
            about=partnership,
        )


def report_unconfirmed_partners(*, report: Report) -> list[Partnership]:
    """Confirmed partners of the project whose figures in `report` their own people have
    not confirmed (proposed by the lead only, or not reported at all)."""
    confirmed = set(
        ReportContribution.objects.filter(report=report, confirmed_at__isnull=False).values_list(
            "partnership_id", flat=True
        )
    )
    return [
        p
        for p in Partnership.objects.confirmed()
        .filter(project_id=report.application.project_id)
        .select_related("organisation")
        if p.pk not in confirmed
    ]


@transaction.atomic
def report_contribution_confirm(
    *,
    report: Report,
    partnership: Partnership,
    by: User,
    cash: Decimal,
    in_kind: Decimal,
    note: str = "",
    reason: str = "",
) -> ReportContribution:
    """The partner organisation confirms (or corrects) what it actually provided during
    the report's period. Only its own people may; until the funder accepts the report,
    the partner's figures are the ones that count, and the lead's proposal is kept beside
    them for the funder to read."""
    project = report.application.project
    if partnership.project_id != project.pk or partnership.status != Partnership.Status.CONFIRMED:
        raise ValidationError(_("This organisation is not a confirmed partner of the project."))
    if not acts_for(by, partnership.organisation_id, project.table_id):
        raise PermissionDenied
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status == Report.Status.ACCEPTED:
        raise ValidationError(
            _("The funder accepted this report: its figures can no longer change."), code="accepted"
        )
    cash, in_kind = cash or Decimal("0"), in_kind or Decimal("0")
    reason = (reason or "").replace("\r\n", "\n").strip()
    _check_over_commitment(
        partnership, cash=cash, in_kind=in_kind, reason=reason, earlier=_delivered_in_other_reports(locked)
    )
    contribution, _created = ReportContribution.objects.select_for_update().get_or_create(
        report=locked, partnership=partnership
    )
    contribution.cash, contribution.in_kind = cash, in_kind
    contribution.note = (note or "").strip()[:500]
    contribution.reason = reason
    contribution.confirmed_by = by
    contribution.confirmed_at = timezone.now()
    contribution.save()
    send_to(
        people_acting_for([project.lead_id], project.table_id),
        "funding/email/contribution_confirmed",
        {
            "report": locked,
            "project": project,
            "partnership": partnership,
            "contribution": contribution,
            "by": by,
            "url": absolute(reverse("projects:report-update", args=[project.pk, locked.pk])),
        },
        kind=EmailKind.FUNDING,
        reply_to=[by.email] if by.email else None,
        notification=Notification.Kind.PROJECT_FOLLOW_UP,
        about=project,
    )
    return contribution


def _deciders(call) -> list[User]:
    """Who accepts the call's reports and releases its tranches: its funders' programme
    managers, and the table's coordination when decisions are the table's (`can_decide`)."""
    people = User.objects.filter(
        funder_roles__funder__in=call.shares.values("funder"),
        funder_roles__active=True,
        funder_roles__role=FunderStaff.Role.MANAGER,
    )
    if call.decision_by_resolution:
        people = people | User.objects.filter(coordinator_roles__table=call.table_id)
    return list(people.distinct().order_by("pk"))


def _tell_project(
    application: Application,
    template: str,
    context: dict,
    by: User,
    *,
    notification: str = Notification.Kind.PROJECT_FOLLOW_UP,
) -> int:
    """Tell the project's lead and confirmed partners (who act for them at the table) of
    what the call decided on it or on its follow-up."""
    project = application.project
    organisations = [
        project.lead_id,
        *Partnership.objects.confirmed().filter(project=project).values_list("organisation_id", flat=True),
    ]
    return send_to(
        people_acting_for(organisations, project.table_id),
        template,
        {
            "project": project,
            "call": application.call,
            "url": absolute(project.get_absolute_url()),
            **context,
        },
        kind=EmailKind.FUNDING,
        reply_to=[by.email] if by.email else None,
        notification=notification,
        about=project,
    )


def _check_follow_up(report_or_application, by: User) -> Application:
    """The person decides on the call, and nothing ties them to this project."""
    application = getattr(report_or_application, "application", report_or_application)
    if not can_decide(by, application.call):
        raise PermissionDenied
    conflict = person_conflict(by, application)
    if conflict:
        raise ValidationError(
            _(
                "You cannot accept this project's reports or release its tranches: %(reason)s. "
                "Another manager of the call does."
            )
            % {"reason": conflict}
        )
    return application


@transaction.atomic
def report_accept(*, report: Report, by: User) -> Report:
    application = _check_follow_up(report, by)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted."))
    locked.status = Report.Status.ACCEPTED
    locked.accepted_at = timezone.now()
    locked.accepted_by = by
    locked.save()
    _audit(
        call=application.call,
        application=application,
        action=AuditEntry.Action.REPORT_ACCEPTED,
        by=by,
        changes={"report": ["", str(locked)]},
    )
    _tell_project(application, "funding/email/report_decided", {"report": locked}, by)
    return locked


@transaction.atomic
def report_return(*, report: Report, by: User, note: str) -> Report:
    """Send a submitted report back to the lead with what to complete."""
    application = _check_follow_up(report, by)
    if not note.strip():
        raise ValidationError({"note": _("Say what to complete.")})
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be sent back."))
    locked.status = Report.Status.EXPECTED
    locked.submitted_at = None
    locked.version += 1
    locked.save()
    _audit(
        call=application.call,
        application=application,
        action=AuditEntry.Action.REPORT_SUBMITTED,
        by=by,
        changes={"report": [str(locked), _("sent back")]},
        note=note.strip(),
    )
    _tell_project(application, "funding/email/report_decided", {"report": locked, "note": note.strip()}, by)
    return locked


@transaction.atomic
def tranche_release(*, tranche: Tranche, by: User) -> Tranche:
    application = _check_follow_up(tranche.application, by)
    locked = Tranche.objects.select_for_update(of=("self",)).select_related("report").get(pk=tranche.pk)
    if locked.is_released:
        return locked
    if not locked.is_releasable:
        raise ValidationError(_("This tranche is released once its report is accepted."))
    locked.released_at = timezone.now()
    locked.released_by = by
    locked.save()
    _audit(
        call=application.call,
        application=application,
        action=AuditEntry.Action.TRANCHE_RELEASED,
        by=by,
        changes={"tranche": ["", f"{locked.number}: {locked.amount} $"]},
    )
    _tell_project(application, "funding/email/tranche_released", {"tranche": locked}, by)
    return locked


@transaction.atomic
def schedule_update(*, application: Application, by: User, tranches: list[dict]) -> None:
    """Change the amounts, dates and reports of the tranches not yet released. Together
    they always add up to the amount awarded."""
    _check_follow_up(application, by)
    locked = _locked_application(application)
    current = {t.pk: t for t in Tranche.objects.select_for_update().filter(application=locked)}
    reports = {r.pk: r for r in Report.objects.filter(application=locked)}
    changes = {}
    total = Decimal("0")
    for row in tranches:
        tranche = current.get(row["id"])
        if tranche is None:
            raise ValidationError(_("This tranche belongs to another project."))
        report = row.get("report")
        if report is not None and report.pk not in reports:
            raise ValidationError(_("This report belongs to another project."))
        if tranche.is_released:
            if (row["amount"], row["planned_on"], report) != (
                tranche.amount,
                tranche.planned_on,
                tranche.report,
            ):
                raise ValidationError(
                    _("Tranche %(number)s was released on %(date)s: it can no longer change.")
                    % {
                        "number": tranche.number,
                        "date": date_long(tranche.released_at),
                    }
                )
            total += tranche.amount
            continue
        before = {"amount": tranche.amount, "planned_on": tranche.planned_on, "report": tranche.report}
        tranche.amount, tranche.planned_on, tranche.report = row["amount"], row["planned_on"], report
        diff = _diff(before, {"amount": tranche.amount, "planned_on": tranche.planned_on, "report": report})
        if diff:
            changes[str(tranche.number)] = diff
        total += tranche.amount
    if total != locked.awarded_amount:
        raise ValidationError(
            _("The tranches add up to %(total)s; they must add up to the amount awarded (%(awarded)s).")
            % {"total": money(total), "awarded": money(locked.awarded_amount)}
        )
    for tranche in current.values():
        tranche.save()
    if changes:
        _audit(
            call=locked.call,
            application=locked,
            action=AuditEntry.Action.SCHEDULE_CHANGED,
            by=by,
            changes=changes,
        )
