"""Charts and table rows of the dashboard, shared by the page, the PDF and the exports."""

from django.utils.translation import gettext as _

from members.documents.charts import Network, NetworkEdge, NetworkNode, growth_chart, hbar_chart, network_svg
from members.documents.exports import Money, money_or_none
from members.formatting import percent
from tables.templatetags.ui import money


def call_label(call) -> str:
    """A short name for a call in a chart: its year and what follows the colon of its
    title (calls of one table often share the beginning of their titles)."""
    tail = call.title.split(":", 1)[-1].strip() if ":" in call.title else call.title
    return f"{call.opens_at:%Y} · {tail}"


def dashboard_charts(dashboard) -> dict:
    """The dashboard's SVG charts (each page shows the same numbers in a table)."""
    return {
        "envelope": hbar_chart(
            [(call_label(row.call), row.committed, row.envelope) for row in dashboard.calls],
            title=_("Envelope committed, by call"),
            description=_("Dark: committed; light: the whole envelope."),
            chart_id="chart-envelope",
            format_value=money,
        ),
        "regions": hbar_chart(
            [(name, amount, None) for name, _count, amount in dashboard.by_region],
            title=_("Funding by region served"),
            description=_("A project serving several regions is shared equally between them."),
            chart_id="chart-regions",
            format_value=money,
        ),
        "sectors": hbar_chart(
            [(label, led + partner, None) for label, led, partner, _amount in dashboard.by_sector],
            title=_("Organisations in funded projects, by sector"),
            description=_("Projects led plus partnerships, per sector."),
            chart_id="chart-sectors",
        ),
        "objectives": hbar_chart(
            [(name, amount, None) for name, _count, amount in dashboard.by_objective],
            title=_("Funding by action-plan objective"),
            description=_("A project serving several objectives is shared equally between them."),
            chart_id="chart-objectives",
            format_value=money,
        ),
        "network": network_svg(
            Network(
                [NetworkNode(pk, label, size=degree) for pk, label, degree in dashboard.network_nodes],
                [NetworkEdge(a, b, weight) for a, b, weight, *_rest in dashboard.network_edges],
            ),
            title=_("Partnership network"),
            description=_(
                "Each dot is an organisation in a funded project; a line joins two organisations "
                "that work on a project together. The table below lists every link."
            ),
            chart_id="chart-network",
            size_unit=_("links"),
        ),
        "growth": growth_chart(
            [
                (f"{g['call'].opens_at:%Y-%m}", g["earlier_links"], g["new_links"])
                for g in dashboard.network_growth
            ],
            title=_("Links between organisations, call after call"),
            description=_("Light: links that existed before the call; dark: new links made by the call."),
            chart_id="chart-growth",
        ),
    }


def export_rows(dashboard) -> tuple[list[str], list[list]]:
    """One row per submitted application, for CSV and XLSX (members.documents.exports
    writes them, keeping text that a spreadsheet would take for a formula as text, and
    the amounts, marked `Money`, as numbers with a money format)."""
    header = [
        _("Call"),
        _("Table"),
        _("Project"),
        _("Lead organisation"),
        _("Lead's sector"),
        _("Regions"),
        _("Action-plan objectives"),
        _("Confirmed partners"),
        _("Number of partners"),
        _("Status"),
        _("Requested ($)"),
        _("Awarded ($)"),
        _("Partners' cash ($)"),
        _("Partners' in kind ($)"),
        _("Delivered in cash ($)"),
        _("Delivered in kind ($)"),
        _("Disbursed ($)"),
        _("Late reports"),
    ]
    rows = []
    for row in dashboard.projects:
        application = row.application
        rows.append(
            [
                application.call.title,
                application.call.table.name,
                row.project.title,
                row.project.lead.name,
                str(row.project.lead.get_sector_display()),
                ", ".join(name for _pk, name in row.regions),
                "; ".join(name for _pk, name in row.objectives),
                ", ".join(p["organisation__name"] for p in row.partners),
                len(row.partners),
                str(application.get_status_display()),
                money_or_none(application.requested_amount),
                Money(application.awarded_amount or 0),
                money_or_none(row.partner_cash),
                money_or_none(row.partner_in_kind),
                money_or_none(row.delivered_cash),
                money_or_none(row.delivered_in_kind),
                money_or_none(row.disbursed),
                row.late_reports,
            ]
        )
    return header, rows


def review_rows(call, board) -> tuple[list[str], list[list]]:
    """The call's reviews for its committee, one row per application and reviewer (from
    `selectors.review_board`): where the reviewer stands, each criterion's score and
    comment once the review is submitted, the weighted total and the overall comment.
    Excluded reviewers and declared conflicts are listed, without scores."""
    from .templatetags.funding_ui import REVIEWER_STATES

    criteria = list(call.criteria.all())
    header = [_("Project"), _("Lead organisation"), _("Status"), _("Reviewer"), _("Where the review stands")]
    for criterion in criteria:
        header += [
            f"{criterion.title} ({percent(criterion.weight)})",
            _("Comment on “%(criterion)s”") % {"criterion": criterion.title},
        ]
    header += [_("Weighted total"), _("Overall comment")]
    rows = []
    for row in board:
        application = row.application
        for state in row.states:
            submitted = state.state == "submitted"
            scores = {score.criterion_id: score for score in state.review.scores.all()} if submitted else {}
            line = [
                application.project.title,
                application.project.lead.name,
                application.get_status_display(),
                state.reviewer.person.display_name,
                str(REVIEWER_STATES.get(state.state, state.state)),
            ]
            for criterion in criteria:
                score = scores.get(criterion.pk)
                line += [score.value if score else None, score.comment if score else ""]
            line += [state.total if submitted else None, state.review.comment if submitted else ""]
            rows.append(line)
    return header, rows
