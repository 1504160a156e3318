"""What the funding area adds to the tables' indicators, bilans and pages: joint projects
count as organisations working together (partnership density), the bilan lists the funded
joint projects with their partners and contributions, and a table's page shows its calls
(templatetags/funding_tables.py). Registered at start-up."""

from collections import defaultdict

from django.utils.translation import gettext as _

from projects.models import Partnership
from tables.selectors.navigation import TableLink

from .models import COMMITTED, Application
from .selectors import calls_for_table


def project_teams(table, years):
    """Per year: the lead and confirmed partners of each joint project that applied to one
    of the table's calls (drafts and withdrawals aside), over the years the project runs."""
    teams = defaultdict(lambda: defaultdict(set))
    applications = (
        Application.objects.filter(call__table=table)
        .exclude(status__in=["draft", "withdrawn"])
        .select_related("project", "call")
    )
    projects = {a.project_id: a for a in applications}
    partners = (
        Partnership.objects.confirmed()
        .filter(project_id__in=projects)
        .values_list("project_id", "organisation_id")
    )
    members = defaultdict(set)
    for project_id, organisation_id in partners:
        members[project_id].add(organisation_id)
    for project_id, application in projects.items():
        project = application.project
        team = members[project_id] | {project.lead_id}
        first = (project.starts or application.call.opens_at.date()).year
        last = (project.ends or application.call.closes_at.date()).year
        for year in years:
            if first <= year <= last:
                teams[year][project_id] = team
    return {year: list(by_project.values()) for year, by_project in teams.items()}


def funded_projects_section(bilan):
    """The joint projects funded by the table's calls and running during the bilan's period."""
    applications = list(
        Application.objects.filter(call__table=bilan.table, status__in=COMMITTED)
        .filter(project__starts__lte=bilan.ends)
        .exclude(project__ends__lt=bilan.starts)
        .select_related("project__lead", "call")
        .order_by("call__opens_at", "project__title")
    )
    if not applications:
        return None
    partners = defaultdict(list)
    for partnership in (
        Partnership.objects.confirmed()
        .filter(project__in=[a.project_id for a in applications])
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        partners[partnership.project_id].append(partnership)
    rows = [
        {
            "application": application,
            "partners": partners[application.project_id],
            "contributions": sum((p.contribution for p in partners[application.project_id]), start=0),
        }
        for application in applications
    ]
    return {
        "anchor": "funded-projects",
        "title": _("Funded joint projects"),
        "template": "funding/pdf/_bilan_projects.html",
        "rows": rows,
        "awarded": sum((row["application"].awarded_amount or 0 for row in rows), start=0),
        "leverage": sum((row["contributions"] for row in rows), start=0),
    }


def table_calls(table, user) -> dict:
    """`calls_for_table`, read once per request and kept on the table object: the table's
    page asks it for the calls section and again for the link to that section."""
    cached = table.__dict__.setdefault("_funding_calls", {})
    if user.pk not in cached:
        cached[user.pk] = calls_for_table(table, user)
    return cached[user.pk]


def table_links(user, table):
    """The table page's link to its calls, for those who see at least one call or may
    prepare one (the same answer as the calls section it leads to)."""
    calls = table_calls(table, user)
    if any(calls[name] for name in ("table_calls_open", "table_calls_upcoming", "table_calls_closed")) or (
        calls["table_calls_drafts"] or calls["can_create_call"]
    ):
        yield TableLink(_("Funding calls"), f"{table.get_absolute_url()}#table-calls-title")


def register():
    from tables.bilan import register_bilan_section
    from tables.indicators import register_pair_source
    from tables.selectors.navigation import register as register_table_links

    register_pair_source(project_teams)
    register_bilan_section(funded_projects_section)
    register_table_links(table_links)
