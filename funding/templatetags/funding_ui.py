"""Small helpers for the funding and project templates."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_CLASSES = {
    "draft": "",
    "submitted": "badge-info",
    "eligibility": "badge-info",
    "in_review": "badge-info",
    "recommended": "badge-success",
    "not_recommended": "badge-warning",
    "funded": "badge-success",
    "in_progress": "badge-success",
    "closed": "",
    "refused": "badge-error",
    "ineligible": "badge-error",
    "withdrawn": "badge-warning",
    "invited": "badge-warning",
    "confirmed": "badge-success",
    "declined": "badge-error",
    "expected": "badge-warning",
    "accepted": "badge-success",
    "open": "badge-success",
    "upcoming": "badge-info",
}

REVIEWER_STATES = {
    "excluded": _("Excluded: their organisation is in the project"),
    "conflict": _("Declared a conflict of interest"),
    "to_declare": _("Has not declared their interests yet"),
    "declared": _("Declared no conflict; not started"),
    "draft": _("Scoring"),
    "submitted": _("Review submitted"),
    "to_score": _("To score"),
}


@register.filter
def status_class(status):
    return STATUS_CLASSES.get(str(status), "")


@register.filter
def reviewer_state(state):
    return REVIEWER_STATES.get(state, state)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


CHANGE_LABELS = {
    "version": _("version"),
    "conflict": _("conflict of interest"),
    "reviewer": _("reviewer"),
    "report": _("report"),
    "tranche": _("tranche"),
    "conditions_accepted": _("conditions accepted by"),
}


@register.filter
def change_label(name):
    """The label of a field named in an audit entry's changes or an edit conflict."""
    from funding.models import Application, FundingCall, Report
    from projects.models import BudgetLine, Partnership, Project

    if name in CHANGE_LABELS:
        return CHANGE_LABELS[name]
    for model in (FundingCall, Application, Project, Partnership, BudgetLine, Report):
        try:
            return model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            continue
    return name


@register.filter
def isodate(value):
    """A date kept as ISO text in a frozen version, back to a date for |date."""
    from datetime import date

    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None
