"""Conflicts of interest: a reviewer whose organisation leads or partners a project is
out of its review, whatever they declare. Computed in bulk for a call's pages."""

from collections import defaultdict

from django.utils.translation import gettext as _

from members.models import Affiliation, Delegation, Organisation
from projects.models import Partnership

from .models import Application, Declaration, FunderStaff, Reviewer


def reviewer_organisations(reviewers) -> dict[int, set[int]]:
    """reviewer id -> the organisations they belong to: the one they were named for, the
    one they work for now, and those they represent at the call's table. Two queries,
    whatever the number of reviewers and calls (reviewers need their `call` loaded)."""
    reviewers = list(reviewers)
    people = {reviewer.person_id for reviewer in reviewers}
    tables = {reviewer.call.table_id for reviewer in reviewers}
    employer = defaultdict(set)
    for person_id, organisation_id in Affiliation.objects.filter(
        person_id__in=people, end__isnull=True
    ).values_list("person_id", "organisation_id"):
        employer[person_id].add(organisation_id)
    represented = defaultdict(set)
    for person_id, table_id, organisation_id in (
        Delegation.objects.active()
        .filter(person_id__in=people, membership__table_id__in=tables)
        .values_list("person_id", "membership__table_id", "membership__organisation_id")
    ):
        represented[(person_id, table_id)].add(organisation_id)
    result = {}
    for reviewer in reviewers:
        organisations = (
            employer[reviewer.person_id] | represented[(reviewer.person_id, reviewer.call.table_id)]
        )
        if reviewer.organisation_id:
            organisations = organisations | {reviewer.organisation_id}
        result[reviewer.pk] = organisations
    return result


def application_organisations(applications) -> dict[int, set[int]]:
    """application id -> its lead and the partners still in it (invited or confirmed).
    One query."""
    applications = list(applications)
    by_project = defaultdict(set)
    for project_id, organisation_id in (
        Partnership.objects.involved()
        .filter(project_id__in={a.project_id for a in applications})
        .values_list("project_id", "organisation_id")
    ):
        by_project[project_id].add(organisation_id)
    return {a.pk: {a.project.lead_id} | by_project[a.project_id] for a in applications}


def excluded_automatically(reviewer: Reviewer, application: Application) -> bool:
    """For one pair (the review page)."""
    reviewer.call = application.call
    mine = reviewer_organisations([reviewer])[reviewer.pk]
    theirs = application_organisations([application])[application.pk]
    return bool(mine & theirs)


def _ties(person) -> tuple[set[int], dict[int, set[int]]]:
    """The organisations `person` belongs to at every table (the one they work for now, the
    funders they are staff of), and those they represent, by table. Three queries."""
    everywhere = set(
        Affiliation.objects.filter(person=person, end__isnull=True).values_list("organisation_id", flat=True)
    )
    everywhere |= set(
        FunderStaff.objects.filter(person=person, active=True).values_list(
            "funder__organisation_id", flat=True
        )
    )
    by_table = defaultdict(set)
    for table_id, organisation_id in (
        Delegation.objects.active()
        .filter(person=person)
        .values_list("membership__table_id", "membership__organisation_id")
    ):
        by_table[table_id].add(organisation_id)
    return everywhere, by_table


def person_conflict(person, application: Application) -> str:
    """Why `person` may not decide on `application`, its reports or its tranches (an empty
    string when nothing stands in the way): an organisation they work for, represent at
    the call's table or are a funder's staff for leads it or partners in it, or they
    declared a conflict of interest as its reviewer. The same exclusion as the review's."""
    everywhere, by_table = _ties(person)
    mine = everywhere | by_table[application.call.table_id]
    theirs = application_organisations([application])[application.pk]
    shared = Organisation.objects.filter(pk__in=mine & theirs).order_by("name").first()
    if shared is not None:
        return _("%(organisation)s, which you belong to, leads this project or is one of its partners") % {
            "organisation": shared.name
        }
    if Declaration.objects.filter(
        reviewer__person=person, application=application, has_conflict=True
    ).exists():
        return _("you declared a conflict of interest with this application")
    return ""


def excluded_application_ids(person, applications) -> set[int]:
    """The applications among `applications` that `person` is excluded from, by the same
    ties as `person_conflict`, in bulk (five queries): for the pages and exports that
    list many applications to someone who does not manage their call (applications need
    their `call` loaded)."""
    applications = list(applications)
    if not applications or not person.is_authenticated:
        return set()
    everywhere, by_table = _ties(person)
    theirs = application_organisations(applications)
    declared = set(
        Declaration.objects.filter(
            reviewer__person=person, has_conflict=True, application__in=applications
        ).values_list("application_id", flat=True)
    )
    return {a.pk for a in applications if (everywhere | by_table[a.call.table_id]) & theirs[a.pk]} | declared
