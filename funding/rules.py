"""The rules an application must meet to be submitted, checked all at once so that the
applicants see every unmet rule together, in plain words, with what is missing."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.formatting import datetime_long
from members.models import Sector
from projects.budget import budget_totals
from projects.models import BudgetLine, Partnership, ProjectAttachment
from tables.models import Membership
from tables.templatetags.ui import money, percent

from .models import Application, CallFunder


@dataclass(frozen=True)
class RuleCheck:
    code: str
    ok: bool
    message: str


def _names(organisations) -> str:
    return ", ".join(sorted(str(o.short_name) for o in organisations))


def _when(moment) -> str:
    return datetime_long(moment)


def _call_open(call, now) -> RuleCheck:
    if call.is_open(now):
        return RuleCheck(
            "call_open",
            True,
            _("The call accepts submissions until %(deadline)s.") % {"deadline": _when(call.closes_at)},
        )
    return RuleCheck(
        "call_open",
        False,
        _("The call is not open: it accepts submissions from %(opens)s to %(closes)s.")
        % {"opens": _when(call.opens_at), "closes": _when(call.closes_at)},
    )


def _content(project) -> list[RuleCheck]:
    missing = [
        label
        for label, value in (
            (_("summary"), project.summary),
            (_("needs addressed"), project.needs),
            (_("target population"), project.target_population),
            (_("activities"), project.activities),
            (_("deliverables"), project.deliverables),
        )
        if not (value or "").strip()
    ]
    if not project.starts or not project.ends:
        missing.append(_("start and end dates"))
    checks = [
        RuleCheck(
            "content",
            not missing,
            _("Every part of the project is filled in.")
            if not missing
            else _("Fill in: %(parts)s.") % {"parts": ", ".join(missing)},
        )
    ]
    kinds = {indicator.kind for indicator in project.indicators.all()}
    checks.append(
        RuleCheck(
            "indicators",
            kinds >= {"result", "process"},
            _("The project has result and process indicators.")
            if kinds >= {"result", "process"}
            else _(
                "Give at least one result indicator (what changes for people) and one process "
                "indicator (how well the partners work together)."
            ),
        )
    )
    return checks


def _partners(call, project, partnerships) -> list[RuleCheck]:
    confirmed = [p for p in partnerships if p.status == Partnership.Status.CONFIRMED]
    waiting = [p for p in partnerships if p.status == Partnership.Status.INVITED]
    checks = [
        RuleCheck(
            "min_partners",
            len(confirmed) >= call.min_partners,
            ngettext(
                "%(count)s partner organisation confirmed (at least %(required)s required).",
                "%(count)s partner organisations confirmed (at least %(required)s required).",
                len(confirmed),
            )
            % {"count": len(confirmed), "required": call.min_partners}
            if len(confirmed) >= call.min_partners
            else ngettext(
                "This call asks for at least %(required)s partner organisations besides the lead; "
                "%(count)s has confirmed.",
                "This call asks for at least %(required)s partner organisations besides the lead; "
                "%(count)s have confirmed.",
                len(confirmed),
            )
            % {"count": len(confirmed), "required": call.min_partners},
        )
    ]
    funders = set(CallFunder.objects.filter(call=call).values_list("funder__organisation_id", flat=True))
    cofunders = [p.organisation for p in confirmed + waiting if p.organisation_id in funders]
    checks.append(
        RuleCheck(
            "no_cofunder_partner",
            not cofunders,
            _(
                "%(names)s co-funds this call: its money is the call's envelope, not a partner's "
                "contribution. Remove it from the partners."
            )
            % {"names": _names(cofunders)}
            if cofunders
            else _("No partner co-funds this call."),
        )
    )
    if waiting:
        checks.append(
            RuleCheck(
                "partners_answered",
                False,
                _(
                    "Waiting for the answer of: %(names)s. Each partner confirms its own "
                    "participation and contribution (or declines) before the project is submitted."
                )
                % {"names": _names(p.organisation for p in waiting)},
            )
        )
    else:
        checks.append(RuleCheck("partners_answered", True, _("Every invited partner has answered.")))
    sectors = {project.lead.sector} | {p.organisation.sector for p in confirmed}
    labels = dict(Sector.choices)
    sector_names = ", ".join(sorted(str(labels.get(s, s)).lower() for s in sectors))
    checks.append(
        RuleCheck(
            "min_sectors",
            len(sectors) >= call.min_sectors,
            ngettext(
                "The lead and confirmed partners come from %(count)s sector "
                "(%(required)s required): %(names)s.",
                "The lead and confirmed partners come from %(count)s different sectors "
                "(%(required)s required): %(names)s.",
                len(sectors),
            )
            % {"count": len(sectors), "required": call.min_sectors, "names": sector_names},
        )
    )
    if call.partners_must_be_members:
        organisations = [project.lead, *(p.organisation for p in confirmed)]
        members = set(
            Membership.objects.active()
            .filter(table_id=call.table_id, organisation__in=organisations)
            .values_list("organisation_id", flat=True)
        )
        outside = [o for o in organisations if o.pk not in members]
        checks.append(
            RuleCheck(
                "members_only",
                not outside,
                _("The lead and every confirmed partner are members of the table.")
                if not outside
                else _("Not members of the table: %(names)s. This call only accepts member organisations.")
                % {"names": _names(outside)},
            )
        )
    return checks


def _lead_limit(application, call, project) -> RuleCheck:
    others = (
        Application.objects.counted()
        .filter(call=call, project__lead_id=project.lead_id)
        .exclude(pk=application.pk)
        .count()
    )
    ok = others < call.max_applications_per_lead
    return RuleCheck(
        "lead_limit",
        ok,
        ngettext(
            "%(lead)s may lead %(limit)s application in this call.",
            "%(lead)s may lead up to %(limit)s applications in this call.",
            call.max_applications_per_lead,
        )
        % {"lead": project.lead.short_name, "limit": call.max_applications_per_lead}
        if ok
        else ngettext(
            "%(lead)s already leads %(count)s application in this call; the limit is %(limit)s.",
            "%(lead)s already leads %(count)s applications in this call; the limit is %(limit)s.",
            others,
        )
        % {"lead": project.lead.short_name, "count": others, "limit": call.max_applications_per_lead},
    )


def _budget(call, project, lines, partnerships) -> list[RuleCheck]:
    totals = budget_totals(lines)
    checks = []
    if not totals.requested:
        checks.append(
            RuleCheck(
                "requested",
                False,
                _(
                    "Enter in the budget the amount requested from the call "
                    "(lines paid by “requested from the call”)."
                ),
            )
        )
        return checks
    if call.max_request is not None:
        ok = totals.requested <= call.max_request
        checks.append(
            RuleCheck(
                "max_request",
                ok,
                _("The amount requested (%(amount)s) is within the call's cap (%(cap)s).")
                % {"amount": money(totals.requested), "cap": money(call.max_request)}
                if ok
                else _("The amount requested (%(amount)s) is above the call's cap (%(cap)s).")
                % {"amount": money(totals.requested), "cap": money(call.max_request)},
            )
        )
    ok = totals.requested_share is not None and totals.requested_share <= call.max_request_share
    checks.append(
        RuleCheck(
            "max_share",
            ok,
            _("The amount requested is %(share)s of the budget (at most %(limit)s).")
            % {"share": percent(totals.requested_share, 1), "limit": percent(call.max_request_share)}
            if ok
            else _(
                "The amount requested is %(share)s of the budget; the call funds at most %(limit)s. "
                "The rest must come from the partners' contributions or other sources."
            )
            % {"share": percent(totals.requested_share, 1), "limit": percent(call.max_request_share)},
        )
    )
    by_organisation = {p.organisation_id: p for p in partnerships}
    problems = []
    for organisation_id, row in totals.by_organisation.items():
        if organisation_id == project.lead_id or not (row.cash or row.in_kind):
            continue
        partnership = by_organisation.get(organisation_id)
        confirmed = partnership is not None and partnership.status == Partnership.Status.CONFIRMED
        cash = partnership.cash if confirmed else 0
        in_kind = partnership.in_kind if confirmed else 0
        if row.cash > cash or row.in_kind > in_kind:
            problems.append(
                _(
                    "%(organisation)s: the budget counts %(cash)s in cash and %(in_kind)s in kind; "
                    "it confirmed %(confirmed_cash)s and %(confirmed_in_kind)s"
                )
                % {
                    "organisation": row.organisation.short_name if row.organisation else organisation_id,
                    "cash": money(row.cash),
                    "in_kind": money(row.in_kind),
                    "confirmed_cash": money(cash),
                    "confirmed_in_kind": money(in_kind),
                }
            )
    checks.append(
        RuleCheck(
            "contributions_confirmed",
            not problems,
            _("The budget counts only on contributions the partners confirmed.")
            if not problems
            else _("The budget counts on contributions the partners did not confirm. %(details)s.")
            % {"details": "; ".join(problems)},
        )
    )
    return checks


def _territory_and_objectives(call, project) -> list[RuleCheck]:
    checks = []
    eligible = list(call.regions.all())
    served = list(project.regions.all())
    if not served:
        checks.append(RuleCheck("territory", False, _("Choose the regions the project serves.")))
    elif eligible:
        outside = [r for r in served if r.pk not in {e.pk for e in eligible}]
        checks.append(
            RuleCheck(
                "territory",
                not outside,
                _("Every region served is eligible.")
                if not outside
                else _("Not eligible in this call: %(regions)s. Eligible: %(eligible)s.")
                % {
                    "regions": ", ".join(r.name for r in outside),
                    "eligible": ", ".join(r.name for r in eligible),
                },
            )
        )
    objectives = {o.pk for o in call.objectives.all()}
    if objectives:
        served_objectives = {o.pk for o in project.objectives.all()}
        ok = bool(objectives & served_objectives)
        checks.append(
            RuleCheck(
                "objectives",
                ok,
                _("The project serves at least one of the call's action-plan objectives.")
                if ok
                else _("The project must serve at least one of the call's action-plan objectives."),
            )
        )
    return checks


def _documents(call, project, partnerships) -> list[RuleCheck]:
    """The call's mandatory documents. One asked "from each partner" is met only when every
    confirmed partner attached its own (uploaded by one of its people, see
    projects.services.attachment_add), not by one letter for all."""
    required = [d for d in call.required_documents.all() if d.mandatory]
    if not required:
        return []
    attached = set(
        ProjectAttachment.objects.filter(project=project, required_document__in=required).values_list(
            "required_document_id", "organisation_id"
        )
    )
    attached_documents = {document_id for document_id, _organisation in attached}
    missing = [d.name for d in required if not d.from_each_partner and d.pk not in attached_documents]
    checks = [
        RuleCheck(
            "documents",
            not missing,
            _("Every required document is attached.")
            if not missing
            else _("Attach: %(documents)s.") % {"documents": ", ".join(missing)},
        )
    ]
    confirmed = [p for p in partnerships if p.status == Partnership.Status.CONFIRMED]
    for document in (d for d in required if d.from_each_partner):
        lacking = [p.organisation for p in confirmed if (document.pk, p.organisation_id) not in attached]
        checks.append(
            RuleCheck(
                "partner_documents",
                not lacking,
                _("%(document)s: every confirmed partner uploaded its own.") % {"document": document.name}
                if not lacking
                else _(
                    "%(document)s: missing from %(names)s. Each partner uploads its own on its "
                    "answer page, when it confirms."
                )
                % {"document": document.name, "names": _names(lacking)},
            )
        )
    return checks


def check_rules(application: Application, *, now=None) -> list[RuleCheck]:
    """Every rule of the call, met or not, for the application's project as it is now."""
    now = now or timezone.now()
    call = application.call
    project = (
        type(application.project)
        .objects.select_related("lead")
        .prefetch_related(
            "indicators",
            "regions",
            "objectives",
            Prefetch("partnerships", queryset=Partnership.objects.select_related("organisation")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("organisation")),
        )
        .get(pk=application.project_id)
    )
    partnerships = list(project.partnerships.all())
    checks = [_call_open(call, now), *_content(project)]
    if project.starts and project.ends and project.ends < project.starts:
        checks.append(RuleCheck("dates", False, _("The project must end after it starts.")))
    checks += _partners(call, project, partnerships)
    checks.append(_lead_limit(application, call, project))
    checks += _budget(call, project, list(project.budget_lines.all()), partnerships)
    checks += _territory_and_objectives(call, project)
    checks += _documents(call, project, partnerships)
    return checks


def unmet(checks: list[RuleCheck]) -> list[RuleCheck]:
    return [check for check in checks if not check.ok]
