"""The frozen copy of an application at submission: plain JSON, so that later changes to
the project, its partners or their organisations never alter what was submitted."""

from django.db.models import Prefetch
from django.utils import timezone

from projects.budget import budget_totals
from projects.models import BudgetLine, Partnership, Project

from .rules import RuleCheck


def _money(value) -> str | None:
    return None if value is None else str(value)


def project_snapshot(project_id: int, *, rules: list[RuleCheck], by, number: int) -> dict:
    project = (
        Project.objects.select_related("lead", "table")
        .prefetch_related(
            "regions",
            "objectives",
            "indicators",
            "attachments__required_document",
            "attachments__organisation",
            Prefetch(
                "partnerships", queryset=Partnership.objects.select_related("organisation", "answered_by")
            ),
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("organisation")),
        )
        .get(pk=project_id)
    )
    lines = list(project.budget_lines.all())
    totals = budget_totals(lines)
    return {
        "number": number,
        "submitted_at": timezone.now().isoformat(),
        "submitted_by": by.display_name if by else "",
        "project": {
            "title": project.title,
            "summary": project.summary,
            "needs": project.needs,
            "target_population": project.target_population,
            "territory": project.territory,
            "starts": project.starts.isoformat() if project.starts else None,
            "ends": project.ends.isoformat() if project.ends else None,
            "activities": project.activities,
            "deliverables": project.deliverables,
        },
        "lead": {
            "id": project.lead_id,
            "name": project.lead.name,
            "sector": project.lead.sector,
            "sector_label": str(project.lead.get_sector_display()),
        },
        "regions": [region.name for region in project.regions.all()],
        "objectives": [
            {"id": objective.pk, "number": objective.number, "title": objective.title}
            for objective in project.objectives.all()
        ],
        "indicators": [
            {"kind": i.kind, "name": i.name, "unit": i.unit, "target": _money(i.target)}
            for i in project.indicators.all()
        ],
        "partners": [
            {
                "organisation_id": p.organisation_id,
                "name": p.organisation.name,
                "sector": p.organisation.sector,
                "sector_label": str(p.organisation.get_sector_display()),
                "role": p.role,
                "cash": _money(p.cash),
                "in_kind": _money(p.in_kind),
                "in_kind_description": p.in_kind_description,
                "confirmed_at": p.answered_at.isoformat() if p.answered_at else None,
                "confirmed_by": p.answered_by.display_name if p.answered_by else "",
            }
            for p in project.partnerships.all()
            if p.status == Partnership.Status.CONFIRMED
        ],
        "budget": {
            "lines": [
                {
                    "organisation": line.organisation.short_name,
                    "category": str(line.get_category_display()),
                    "description": line.description,
                    "nature": line.nature,
                    "nature_label": str(line.get_nature_display()),
                    "source": line.source,
                    "source_label": str(line.get_source_display()),
                    "other_source": line.other_source,
                    "amount": _money(line.amount),
                }
                for line in lines
            ],
            "total": _money(totals.total),
            "requested": _money(totals.requested),
            "contribution_cash": _money(totals.contribution_cash),
            "contribution_in_kind": _money(totals.contribution_in_kind),
            "other_sources": _money(totals.other_sources),
            "requested_share": _money(totals.requested_share),
        },
        "attachments": [
            {
                "id": a.pk,
                "title": a.title,
                "required_document": a.required_document.name if a.required_document else "",
                "organisation": a.organisation.short_name if a.organisation else "",
                "size": a.size,
            }
            for a in project.attachments.all()
        ],
        "rules": [{"code": r.code, "ok": r.ok, "message": r.message} for r in rules],
    }
