"""Progress of a plan, computed from its actions up: an objective's progress is the mean
of its actions', an axis's the mean of its objectives', the plan's the mean of its axes'.
Abandoned and merged actions do not count; a part with nothing to count has no progress
(shown as such, not as 0 %)."""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from .models import Action, ActionCommitment, ActionPlan, Membership


def _mean(values):
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values)) if values else None


@dataclass
class PlanView:
    plan: ActionPlan
    axes: list = field(default_factory=list)
    progress: int | None = None
    late: list = field(default_factory=list)
    without_lead: list = field(default_factory=list)
    uncommitted: list = field(default_factory=list)
    proposals: list = field(default_factory=list)
    action_count: int = 0


def plan_view(plan: ActionPlan, *, filters=None) -> PlanView:
    """Everything the plan page shows, in a fixed number of queries.

    `filters` (optional): axis id, lead organisation id, status, late (bool) — they narrow
    the actions listed, never the progress, which always covers the whole plan.
    """
    filters = filters or {}
    today = timezone.localdate()
    actions = (
        Action.objects.filter(objective__axis__plan=plan)
        .exclude(state__in=[Action.State.WITHDRAWN, Action.State.MERGED])
        .select_related("lead", "proposed_by_organisation")
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=ActionCommitment.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )
    )
    by_objective = {}
    view = PlanView(plan=plan)
    for action in actions:
        if action.state == Action.State.PROPOSED:
            view.proposals.append(action)
            continue
        by_objective.setdefault(action.objective_id, []).append(action)
    axes = list(plan.axes.prefetch_related("objectives__agreement_objective", "objectives__indicators"))
    for axis in axes:
        for objective in axis.objectives.all():
            counted = [a for a in by_objective.get(objective.pk, []) if a.counts_for_progress]
            objective.progress = _mean(a.progress for a in counted)
            objective.listed = [
                a for a in by_objective.get(objective.pk, []) if _matches(a, axis, filters, today)
            ]
            view.action_count += len(by_objective.get(objective.pk, []))
        axis.progress = _mean(o.progress for o in axis.objectives.all())
    view.axes = axes
    view.progress = _mean(axis.progress for axis in axes)
    in_plan = [a for group in by_objective.values() for a in group]
    view.late = [a for a in in_plan if a.is_late]
    view.without_lead = [a for a in in_plan if a.lead_id is None and a.status != Action.Status.ABANDONED]
    committed = {
        c.organisation_id
        for a in in_plan
        for c in a.commitments.all()
        if c.role != ActionCommitment.Role.NONE
    }
    committed |= {a.lead_id for a in in_plan if a.lead_id}
    view.uncommitted = [
        m.organisation
        for m in Membership.objects.active().filter(table_id=plan.table_id).select_related("organisation")
        if m.organisation_id not in committed
    ]
    return view


def _matches(action, axis, filters, today):
    if filters.get("axis") and str(axis.pk) != str(filters["axis"]):
        return False
    if filters.get("lead") and str(action.lead_id) != str(filters["lead"]):
        return False
    if filters.get("status") and action.status != filters["status"]:
        return False
    return not (filters.get("late") and not action.is_late)


def commitments_of(organisation, user):
    """What an organisation committed to in the action plans `user` may see: the actions
    it leads or takes part in (its dashboard). Adopted plans of visible tables for
    everyone; plans still being built only for the table's insiders."""
    from members.access import access_for

    from .models import Table

    access = access_for(user)
    commitments = ActionCommitment.objects.filter(
        organisation=organisation,
        role__in=[ActionCommitment.Role.LEAD, ActionCommitment.Role.PARTNER],
        action__state=Action.State.ACCEPTED,
        action__objective__axis__plan__table__in=Table.objects.visible_to(user),
    )
    if not access.is_admin:
        insider_tables = access.table_ids
        commitments = commitments.filter(
            models.Q(
                action__objective__axis__plan__status__in=[
                    ActionPlan.Status.ADOPTED,
                    ActionPlan.Status.IN_PROGRESS,
                ]
            )
            | models.Q(action__objective__axis__plan__table__in=insider_tables)
        )
    return commitments.select_related("action__objective__axis__plan__table").order_by("action__ends", "pk")
