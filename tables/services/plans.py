"""Action plans: co-construction with the members, adoption by resolution, then progress."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Organisation, User

from ..models import (
    Action,
    ActionComment,
    ActionCommitment,
    ActionPlan,
    Axis,
    Indicator,
    Measurement,
    Membership,
    Objective,
    ProgressUpdate,
    Resolution,
    Table,
)

__all__ = [
    "ActionConflict",
    "action_add",
    "action_comment",
    "action_commit",
    "action_decide",
    "action_progress",
    "action_propose",
    "action_update",
    "axis_save",
    "measurement_add",
    "objective_delete",
    "objective_save",
    "plan_adopt",
    "plan_create",
    "plan_new_version",
    "plan_transition",
]


class ActionConflict(ValidationError):
    """Someone else saved the action meanwhile: nothing was written."""

    def __init__(self, current: Action):
        self.current = current
        super().__init__(
            _("Someone else changed this action meanwhile. Their version is shown; apply your changes again.")
        )


def _check_structure_editable(plan: ActionPlan):
    # Read the status afresh: the caller's object may predate an adoption.
    plan = ActionPlan.objects.only("status").get(pk=plan.pk)
    if plan.is_frozen:
        raise ValidationError(
            _("The plan was adopted: its content is the version the resolution adopted. Open a new version.")
        )


@transaction.atomic
def plan_create(*, table: Table, by: User, **fields) -> ActionPlan:
    plan = ActionPlan(table=table, created_by=by, **fields)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_new_version(*, plan: ActionPlan, by: User, title: str = "", starts=None, ends=None) -> ActionPlan:
    """Open the next version from this one: axes, objectives, the actions in the plan with
    their commitments and indicators are copied; progress starts over."""
    new = ActionPlan.objects.create(
        table=plan.table,
        agreement=plan.agreement,
        title=title or plan.title,
        starts=starts or plan.starts,
        ends=ends or plan.ends,
        vision=plan.vision,
        version=plan.version + 1,
        previous=plan,
        created_by=by,
    )
    for axis in plan.axes.prefetch_related("objectives__actions__commitments", "objectives__indicators"):
        new_axis = Axis.objects.create(
            plan=new, number=axis.number, title=axis.title, description=axis.description
        )
        for objective in axis.objectives.all():
            new_objective = Objective.objects.create(
                axis=new_axis,
                number=objective.number,
                title=objective.title,
                description=objective.description,
                origin=objective.origin,
                agreement_objective_id=objective.agreement_objective_id,
            )
            for indicator in objective.indicators.all():
                Indicator.objects.create(
                    objective=new_objective,
                    kind=indicator.kind,
                    name=indicator.name,
                    unit=indicator.unit,
                    baseline=indicator.baseline,
                    target=indicator.target,
                )
            for action in objective.actions.all():
                if action.state != Action.State.ACCEPTED or action.status == Action.Status.ABANDONED:
                    continue
                copy = Action.objects.create(
                    objective=new_objective,
                    number=action.number,
                    title=action.title,
                    description=action.description,
                    lead_id=action.lead_id,
                    budget=action.budget,
                )
                ActionCommitment.objects.bulk_create(
                    ActionCommitment(
                        action=copy,
                        organisation_id=c.organisation_id,
                        role=c.role,
                        level=c.level,
                        resources=c.resources,
                        note=c.note,
                    )
                    for c in action.commitments.all()
                )
    return new


@transaction.atomic
def plan_transition(*, plan: ActionPlan, status: str) -> ActionPlan:
    """Submit for adoption, reopen co-construction, start or close the plan. Adoption
    itself goes through `plan_adopt`, which links the resolution."""
    if status == ActionPlan.Status.ADOPTED:
        raise ValidationError(_("A plan is adopted by a resolution of the table."))
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if (
        status == ActionPlan.Status.SUBMITTED
        and not Action.objects.in_plan().filter(objective__axis__plan=plan).exists()
    ):
        raise ValidationError(_("The plan has no action yet."))
    plan.set_status(status)
    if status == ActionPlan.Status.SUBMITTED:
        plan.submitted_at = timezone.now()
    plan.save()
    return plan


@transaction.atomic
def plan_adopt(*, plan: ActionPlan, resolution: Resolution) -> ActionPlan:
    """Record that `resolution` (adopted at a meeting of the same table) adopted this exact
    version of the plan. From then on its content is frozen."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if resolution.table_id != plan.table_id:
        raise ValidationError(_("The resolution belongs to another table."))
    if not resolution.is_adopted:
        raise ValidationError(_("This resolution was rejected."))
    if resolution.adopts_plan_id and resolution.adopts_plan_id != plan.pk:
        raise ValidationError(_("This resolution already adopted another plan."))
    plan.set_status(ActionPlan.Status.ADOPTED)
    plan.adopted_at = resolution.meeting.starts_at
    plan.save()
    Resolution.objects.filter(pk=resolution.pk).update(adopts_plan=plan)
    return plan


@transaction.atomic
def axis_save(*, plan: ActionPlan, axis: Axis | None = None, **fields) -> Axis:
    _check_structure_editable(plan)
    axis = axis or Axis(plan=plan)
    for name, value in fields.items():
        setattr(axis, name, value)
    axis.full_clean()
    axis.save()
    return axis


@transaction.atomic
def objective_save(*, axis: Axis, objective: Objective | None = None, **fields) -> Objective:
    _check_structure_editable(axis.plan)
    objective = objective or Objective(axis=axis)
    for name, value in fields.items():
        setattr(objective, name, value)
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective) -> None:
    """Remove an objective that was co-built. A non-negotiable objective comes from the
    agreement with the ministries and stays: change its origin first, deliberately."""
    _check_structure_editable(objective.axis.plan)
    if objective.is_non_negotiable:
        raise ValidationError(
            _("This objective is set by the agreement (non-negotiable) and cannot be removed.")
        )
    if Action.objects.in_plan().filter(objective=objective).exists():
        raise ValidationError(_("Move or withdraw its actions first."))
    objective.delete()


def _next_number(objective: Objective) -> str:
    count = objective.actions.exclude(state=Action.State.WITHDRAWN).count()
    return f"{objective.number}.{count + 1}"


@transaction.atomic
def action_add(*, objective: Objective, by: User, **fields) -> Action:
    """The coordination writes an action straight into the plan."""
    _check_structure_editable(objective.axis.plan)
    action = Action(objective=objective, state=Action.State.ACCEPTED, proposed_by=by, **fields)
    action.number = action.number or _next_number(objective)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_propose(*, objective: Objective, by: User, organisation: Organisation, **fields) -> Action:
    """A delegate proposes an action during co-construction; the coordination keeps it,
    merges it with a similar one or withdraws it."""
    plan = ActionPlan.objects.get(pk=objective.axis.plan_id)
    if not plan.is_open_to_members:
        raise ValidationError(_("Proposals are closed: the plan is no longer in co-construction."))
    if not Membership.objects.active().filter(table_id=plan.table_id, organisation=organisation).exists():
        raise ValidationError(_("Only member organisations of the table can propose actions."))
    action = Action(
        objective=objective,
        state=Action.State.PROPOSED,
        proposed_by=by,
        proposed_by_organisation=organisation,
        **fields,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_decide(*, action: Action, decision: str, merge_into: Action | None = None) -> Action:
    """Keep a proposal in the plan, merge a duplicate into another action (its commitments
    follow), or withdraw it."""
    action = Action.objects.select_for_update().select_related("objective__axis__plan").get(pk=action.pk)
    _check_structure_editable(action.objective.axis.plan)
    if decision == Action.State.ACCEPTED:
        action.state = Action.State.ACCEPTED
        action.number = action.number or _next_number(action.objective)
    elif decision == Action.State.WITHDRAWN:
        action.state = Action.State.WITHDRAWN
    elif decision == Action.State.MERGED:
        if merge_into is None or merge_into.pk == action.pk:
            raise ValidationError(_("Choose the action it duplicates."))
        if merge_into.objective.axis.plan_id != action.objective.axis.plan_id:
            raise ValidationError(_("Both actions must belong to the same plan."))
        action.state, action.merged_into = Action.State.MERGED, merge_into
        taken = set(merge_into.commitments.values_list("organisation_id", flat=True))
        action.commitments.exclude(organisation_id__in=taken).update(action=merge_into)
    else:
        raise ValidationError(_("Unknown decision."))
    action.version = F("version") + 1
    action.save()
    action.refresh_from_db()
    return action


@transaction.atomic
def action_update(*, action: Action, expected_version: int, **fields) -> Action:
    """Save an action's fields unless someone saved it since `expected_version`."""
    plan = action.objective.axis.plan
    structural = set(fields) - {"status", "progress", "abandon_reason"}
    if structural:
        _check_structure_editable(plan)
    candidate = Action.objects.get(pk=action.pk)
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    updated = Action.objects.filter(pk=action.pk, version=expected_version).update(
        **{name: getattr(candidate, name) for name in fields} | {"progress": candidate.progress},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ActionConflict(Action.objects.select_related("lead").get(pk=action.pk))
    return Action.objects.get(pk=action.pk)


@transaction.atomic
def action_commit(
    *,
    action: Action,
    organisation: Organisation,
    by: User,
    role: str,
    level: str = "",
    resources=(),
    note: str = "",
) -> ActionCommitment:
    """An organisation states, through its own delegate, whether it will lead the action,
    take part (how much, bringing what), or not."""
    plan = action.objective.axis.plan
    if plan.status in {ActionPlan.Status.CLOSED}:
        raise ValidationError(_("This plan is closed."))
    if role == ActionCommitment.Role.PARTNER and not level:
        raise ValidationError(_("Say how much the organisation commits."))
    commitment, _created = ActionCommitment.objects.update_or_create(
        action=action,
        organisation=organisation,
        defaults={
            "role": role,
            "level": level if role != ActionCommitment.Role.NONE else "",
            "resources": list(resources) if role != ActionCommitment.Role.NONE else [],
            "note": note,
            "stated_by": by,
            "stated_at": timezone.now(),
        },
    )
    return commitment


@transaction.atomic
def action_comment(
    *, action: Action, by: User, organisation: Organisation | None, text: str
) -> ActionComment:
    if not text.strip():
        raise ValidationError(_("Write a comment."))
    return ActionComment.objects.create(
        action=action, author=by, organisation=organisation, text=text.strip()
    )


@transaction.atomic
def action_progress(
    *, action: Action, by: User, organisation: Organisation | None, text: str, progress: int, attachment=None
) -> ProgressUpdate:
    """The lead reports: the action's progress follows the report, and its status too (in
    progress once started, done at 100 %)."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == Action.Status.ABANDONED:
        raise ValidationError(_("This action was abandoned."))
    update = ProgressUpdate(
        action=action,
        author=by,
        organisation=organisation,
        text=text,
        progress=progress,
        attachment=attachment or "",
    )
    update.full_clean()
    update.save()
    action.progress = progress
    if progress >= 100:
        action.status = Action.Status.DONE
    elif progress > 0:
        action.status = Action.Status.IN_PROGRESS
    action.version += 1
    action.save(update_fields=["progress", "status", "version", "updated_at"])
    return update


@transaction.atomic
def measurement_add(*, indicator: Indicator, by: User, **fields) -> Measurement:
    measurement = Measurement(indicator=indicator, entered_by=by, **fields)
    measurement.full_clean()
    measurement.save()
    return measurement
