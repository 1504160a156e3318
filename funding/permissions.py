"""Who may do what with calls, applications, reviews and dashboards.

Coordinating a table gives power over its calls only; a funder's programme managers
manage the calls their funder pays into. Whoever may not see a call gets a 404 from the
views; whoever sees it but may not act gets a 403.
"""

from dataclasses import dataclass

from django.db.models import Q

from members.access import Access, access_for
from tables.permissions import can_view_table

from .models import Application, CallFunder, FunderStaff, FundingCall, Reviewer


@dataclass(frozen=True)
class FundingRoles:
    access: Access
    manager_funder_ids: frozenset[int] = frozenset()
    reviewer_call_ids: frozenset[int] = frozenset()


def funding_roles(user) -> FundingRoles:
    """The person's roles in funding, computed once per request (cached on the user)."""
    access = access_for(user)
    if not access.is_authenticated:
        return FundingRoles(access=access)
    cached = getattr(user, "_funding_roles", None)
    if cached is not None:
        return cached
    managers = frozenset()
    if access.funder_ids:
        managers = frozenset(
            FunderStaff.objects.filter(person=user, active=True, role=FunderStaff.Role.MANAGER).values_list(
                "funder_id", flat=True
            )
        )
    roles = FundingRoles(
        access=access,
        manager_funder_ids=managers,
        reviewer_call_ids=frozenset(Reviewer.objects.filter(person=user).values_list("call_id", flat=True)),
    )
    user._funding_roles = roles
    return roles


# Calls ---------------------------------------------------------------------------------------


def can_create_call(user, table) -> bool:
    return access_for(user).coordinates(table.pk)


def can_manage_call(user, call: FundingCall) -> bool:
    """Prepare the call, name reviewers, check eligibility, follow the review."""
    roles = funding_roles(user)
    return roles.access.coordinates(call.table_id) or bool(roles.manager_funder_ids & call.funder_ids)


def can_decide(user, call: FundingCall) -> bool:
    """Record funding decisions: the funders' programme managers, or the table's
    coordination when the call's decisions are adopted by resolution of the table."""
    roles = funding_roles(user)
    if roles.access.is_admin or roles.manager_funder_ids & call.funder_ids:
        return True
    return call.decision_by_resolution and roles.access.coordinates(call.table_id)


def can_view_call(user, call: FundingCall) -> bool:
    if can_manage_call(user, call):
        return True
    if not call.is_published:
        return False
    roles = funding_roles(user)
    return (
        call.pk in roles.reviewer_call_ids
        or bool(roles.access.funder_ids & call.funder_ids)
        or can_view_table(user, call.table)
    )


def lead_choices(user, call: FundingCall) -> frozenset[int]:
    """Organisations the person may start a project for in this call: those they
    represent at the call's table, and, when the call accepts non-members, the one they
    work for."""
    access = access_for(user)
    ids = set(access.delegations.get(call.table_id, ()))
    if not call.partners_must_be_members and access.organisation_id:
        ids.add(access.organisation_id)
    return frozenset(ids)


def can_apply(user, call: FundingCall) -> bool:
    return call.is_open() and bool(lead_choices(user, call))


# Reviews -------------------------------------------------------------------------------------


def reviewer_for(user, call: FundingCall) -> Reviewer | None:
    if call.pk not in funding_roles(user).reviewer_call_ids:
        return None
    return Reviewer.objects.filter(call=call, person=user).select_related("organisation").first()


def can_review(user, call: FundingCall) -> bool:
    return call.pk in funding_roles(user).reviewer_call_ids


def can_compare_applications(user, call: FundingCall) -> bool:
    """The committee's side-by-side comparison of the call's applications: those who
    manage or decide the call, and its reviewers (who see no scores of an application
    they are excluded from, nor of one whose review they still owe)."""
    return can_manage_call(user, call) or can_decide(user, call) or can_review(user, call)


# Applications --------------------------------------------------------------------------------


def can_see_application(user, application: Application) -> bool:
    """The managers' view of a submitted application (the applicants use the project's
    workspace; reviewers their review page)."""
    return not application.is_draft and can_manage_call(user, application.call)


def can_read_application_files(user, application: Application) -> bool:
    """The attachments of a submitted application: its managers, and the reviewers who
    declared no conflict and whose organisation is not in the project."""
    from .conflicts import excluded_automatically
    from .models import Declaration

    if application.is_draft:
        return False
    if can_manage_call(user, application.call):
        return True
    from .assignments import may_review

    reviewer = reviewer_for(user, application.call)
    if reviewer is None or excluded_automatically(reviewer, application):
        return False
    if not may_review(reviewer, application):
        return False
    return Declaration.objects.filter(reviewer=reviewer, application=application, has_conflict=False).exists()


# Dashboards ----------------------------------------------------------------------------------


def can_see_dashboard(user) -> bool:
    access = access_for(user)
    return access.is_admin or access.is_coordinator or access.is_funder_staff


def dashboard_calls(user):
    """The calls a person's dashboard covers: every call for an admin, those of the
    tables they coordinate, and those their funder pays into."""
    access = access_for(user)
    calls = FundingCall.objects.all()
    if access.is_admin:
        return calls
    return calls.filter(
        Q(table_id__in=access.coordinated_table_ids)
        | Q(pk__in=CallFunder.objects.filter(funder_id__in=access.funder_ids).values("call_id"))
    )


def _hides_nothing(user, calls) -> bool:
    """A summary PDF is drawn once for all its readers, so only someone from whom the
    dashboard hides none of its applications may read it: the calls' managers, and funder
    staff excluded from none of them (the others read the dashboard and its exports, which
    leave those applications out)."""
    from .conflicts import excluded_application_ids

    unmanaged = [call for call in calls if not can_manage_call(user, call)]
    if not unmanaged:
        return True
    calls_by_pk = {call.pk: call for call in unmanaged}
    applications = list(
        Application.objects.filter(call__in=unmanaged)
        .exclude(status=Application.Status.DRAFT)
        .select_related("project")
        .only("pk", "call_id", "project", "project__lead")
    )
    for application in applications:
        application.call = calls_by_pk[application.call_id]
    return not excluded_application_ids(user, applications)


def can_download_funder_summary(user, funder) -> bool:
    access = access_for(user)
    if not (access.is_admin or funder.pk in access.funder_ids):
        return False
    return _hides_nothing(
        user, list(FundingCall.objects.filter(shares__funder=funder).distinct().prefetch_related("shares"))
    )


def can_download_call_summary(user, call: FundingCall) -> bool:
    access = access_for(user)
    if can_manage_call(user, call):
        return True
    return bool(access.funder_ids & call.funder_ids) and _hides_nothing(user, [call])


# One answer per object, for every channel (members.permissions.may_see / may_act) ----------


def can_see_application_anywhere(user, application: Application) -> bool:
    """Its managers, the people of its project, and the reviewers not excluded from it."""
    from projects.permissions import can_view_project

    return (
        can_see_application(user, application)
        or can_view_project(user, application.project)
        or can_read_application_files(user, application)
    )


def register_rules() -> None:
    from members.permissions import register_rules as rule

    from .models import Funder, Report

    rule(FundingCall, see=can_view_call, act=can_manage_call)
    rule(Application, see=can_see_application_anywhere, act=lambda user, a: can_decide(user, a.call))
    rule(
        Report,
        see=lambda user, report: can_see_application_anywhere(user, report.application),
        act=lambda user, report: can_manage_call(user, report.application.call),
    )
    rule(
        Funder,
        see=lambda user, funder: access_for(user).is_admin or funder.pk in access_for(user).funder_ids,
        act=lambda user, funder: (
            access_for(user).is_admin or funder.pk in funding_roles(user).manager_funder_ids
        ),
    )
