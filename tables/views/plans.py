"""Action plans: agreements, the plan and its progress, co-construction, actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.access import access_for
from members.models import Organisation

from .. import services
from ..forms.plans import (
    ActionDecisionForm,
    ActionForm,
    ActionProposalForm,
    AdoptForm,
    AgreementForm,
    AxisForm,
    CommentForm,
    CommitmentForm,
    IndicatorForm,
    MeasurementForm,
    ObjectiveForm,
    PlanFilterForm,
    PlanForm,
    ProgressForm,
)
from ..models import Action, ActionPlan, Agreement, AgreementObjective, Indicator, Objective
from ..permissions import (
    can_contribute_to_plan,
    can_manage_plan,
    can_manage_table,
    can_report_on_action,
    can_see_delegates,
    can_view_plan,
    organisations_represented,
)
from ..plan_progress import plan_view
from .common import get_table, parse_id


def get_plan(request, slug, pk, *, manage=False):
    table = get_table(request, slug, manage=manage)
    plan = get_object_or_404(ActionPlan.objects.select_related("agreement", "previous"), table=table, pk=pk)
    plan.table = table
    if not can_view_plan(request.user, plan):
        raise Http404
    return plan


def get_action(plan, pk):
    return get_object_or_404(
        Action.objects.select_related("objective__axis", "lead", "merged_into", "proposed_by_organisation"),
        objective__axis__plan=plan,
        pk=pk,
    )


def _my_organisations(user, plan):
    ids = organisations_represented(user, plan.table)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def plan_list(request, slug):
    table = get_table(request, slug)
    insider = can_see_delegates(request.user, table)
    plans = table.plans.select_related("agreement", "previous").order_by("-starts", "-version")
    if not insider:
        plans = plans.filter(
            status__in=[ActionPlan.Status.ADOPTED, ActionPlan.Status.IN_PROGRESS, ActionPlan.Status.CLOSED]
        )
    return render(
        request,
        "tables/plan_list.html",
        {
            "table": table,
            "plans": plans,
            "agreements": table.agreements.prefetch_related("parties", "objectives") if insider else [],
            "can_manage": can_manage_table(request.user, table),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_form(request, slug, pk=None):
    table = get_table(request, slug, manage=True)
    agreement = get_object_or_404(Agreement, table=table, pk=pk) if pk else None
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=agreement,
        table=table,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            agreement = form.save()
            kept = set()
            for code, title in form.parsed_objectives():
                objective, _created = AgreementObjective.objects.update_or_create(
                    agreement=agreement, code=code, defaults={"title": title}
                )
                kept.add(objective.pk)
            agreement.objectives.exclude(pk__in=kept).filter(plan_objectives__isnull=True).delete()
        messages.success(request, _("The agreement was saved."))
        return redirect("tables:plan-list", slug=table.slug)
    return render(
        request, "tables/agreement_form.html", {"table": table, "form": form, "agreement": agreement}
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, slug):
    table = get_table(request, slug, manage=True)
    form = PlanForm(request.POST if request.method == "POST" else None, table=table)
    if request.method == "POST" and form.is_valid():
        plan = services.plan_create(table=table, by=request.user, **form.cleaned_data)
        messages.success(request, _("The plan is open for co-construction. Add its axes and objectives."))
        return redirect(plan)
    return render(request, "tables/plan_form.html", {"table": table, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def plan_update(request, slug, pk):
    plan = get_plan(request, slug, pk, manage=True)
    form = PlanForm(request.POST if request.method == "POST" else None, instance=plan, table=plan.table)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The plan was saved."))
        return redirect(plan)
    return render(request, "tables/plan_form.html", {"table": plan.table, "form": form, "plan": plan})


def plan_detail(request, slug, pk):
    plan = get_plan(request, slug, pk)
    filter_form = PlanFilterForm(request.GET or None, plan=plan)
    view = plan_view(plan, filters=filter_form.filters())
    return render(
        request,
        "tables/plan_detail.html",
        {
            "plan": plan,
            "table": plan.table,
            "view": view,
            "filter_form": filter_form,
            "can_manage": can_manage_plan(request.user, plan),
            "can_contribute": can_contribute_to_plan(request.user, plan),
            "insider": can_see_delegates(request.user, plan.table),
            "transitions": [
                (status, ActionPlan.Status(status).label)
                for status in ActionPlan.TRANSITIONS[plan.status]
                if status != ActionPlan.Status.ADOPTED
            ],
            "adoptable": plan.status == ActionPlan.Status.SUBMITTED,
        },
    )


@login_required
@require_POST
def plan_transition(request, slug, pk):
    plan = get_plan(request, slug, pk, manage=True)
    try:
        services.plan_transition(plan=plan, status=request.POST.get("status", ""))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The plan's status was changed."))
    return redirect(plan)


@login_required
@require_POST
def plan_version(request, slug, pk):
    plan = get_plan(request, slug, pk, manage=True)
    new = services.plan_new_version(plan=plan, by=request.user)
    messages.success(
        request, _("Version %(version)s is open for co-construction.") % {"version": new.version}
    )
    return redirect(new)


@login_required
@require_http_methods(["GET", "POST"])
def plan_adopt(request, slug, pk):
    plan = get_plan(request, slug, pk, manage=True)
    form = AdoptForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_adopt(plan=plan, resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The plan is adopted; its content is now frozen."))
            return redirect(plan)
    return render(request, "tables/plan_adopt.html", {"table": plan.table, "plan": plan, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def plan_structure(request, slug, pk):
    """Axes and objectives: add or edit them (coordination, before adoption)."""
    plan = get_plan(request, slug, pk, manage=True)
    axis_form = AxisForm(request.POST if request.POST.get("form") == "axis" else None, prefix="axis")
    objective_form = ObjectiveForm(
        request.POST if request.POST.get("form") == "objective" else None, prefix="objective", plan=plan
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "axis" and axis_form.is_valid():
                services.axis_save(plan=plan, **axis_form.cleaned_data)
                messages.success(request, _("The axis was added."))
                return redirect("tables:plan-structure", slug=plan.table.slug, pk=plan.pk)
            if request.POST.get("form") == "objective" and objective_form.is_valid():
                data = dict(objective_form.cleaned_data)
                services.objective_save(axis=data.pop("axis"), **data)
                messages.success(request, _("The objective was added."))
                return redirect("tables:plan-structure", slug=plan.table.slug, pk=plan.pk)
            if request.POST.get("delete_objective"):
                objective = get_object_or_404(
                    Objective, axis__plan=plan, pk=parse_id(request.POST["delete_objective"])
                )
                services.objective_delete(objective=objective)
                messages.success(request, _("The objective was removed."))
                return redirect("tables:plan-structure", slug=plan.table.slug, pk=plan.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    axes = plan.axes.prefetch_related("objectives__agreement_objective")
    return render(
        request,
        "tables/plan_structure.html",
        {
            "table": plan.table,
            "plan": plan,
            "axes": axes,
            "axis_form": axis_form,
            "objective_form": objective_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, slug, pk):
    """The coordination adds an action; a delegate proposes one (co-construction)."""
    plan = get_plan(request, slug, pk)
    manage = can_manage_plan(request.user, plan)
    if not manage and not can_contribute_to_plan(request.user, plan):
        raise PermissionDenied
    form_class = ActionForm if manage else ActionProposalForm
    form = form_class(request.POST if request.method == "POST" else None, plan=plan)
    mine = _my_organisations(request.user, plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        objective = data.pop("objective")
        try:
            if manage:
                action = services.action_add(objective=objective, by=request.user, **data)
            else:
                organisation = next((o for o in mine if str(o.pk) == request.POST.get("organisation")), None)
                organisation = organisation or (mine[0] if len(mine) == 1 else None)
                if organisation is None:
                    raise ValidationError(_("Choose the organisation you propose for."))
                action = services.action_propose(
                    objective=objective, by=request.user, organisation=organisation, **data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action was added.") if manage else _("Your proposal was added."))
            return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)
    return render(
        request,
        "tables/action_form.html",
        {"table": plan.table, "plan": plan, "form": form, "organisations": mine, "proposal": not manage},
    )


def action_detail(request, slug, pk, action):
    plan = get_plan(request, slug, pk)
    action = get_action(plan, action)
    user = request.user
    mine = _my_organisations(user, plan)
    commitments = {
        c.organisation_id: c for c in action.commitments.select_related("organisation", "stated_by")
    }
    # One form per indicator and per organisation, each with its own prefix, so that no
    # two inputs of the page share an id.
    indicators = list(action.indicators.prefetch_related("measurements__entered_by"))
    for indicator in indicators:
        indicator.form = MeasurementForm(prefix=f"m{indicator.pk}")
    context = {
        "table": plan.table,
        "plan": plan,
        "action": action,
        "commitments": sorted(commitments.values(), key=lambda c: (c.role != "lead", c.organisation.name)),
        "my_commitments": [
            (organisation, commitments.get(organisation.pk), CommitmentForm(prefix=f"c{organisation.pk}"))
            for organisation in mine
        ],
        "can_manage": can_manage_plan(user, plan),
        "can_contribute": can_contribute_to_plan(user, plan),
        "can_report": can_report_on_action(user, action, plan),
        "insider": can_see_delegates(user, plan.table),
        "indicators": indicators,
        "updates": action.updates.select_related("author", "organisation")[:20],
        "comments": action.comments.select_related("author", "organisation")
        if can_see_delegates(user, plan.table)
        else [],
        "follow_ups": action.follow_ups.select_related("organisation", "meeting"),
        "comment_form": CommentForm(prefix="comment"),
        "progress_form": ProgressForm(prefix="progress", initial={"progress": action.progress}),
        "decision_form": ActionDecisionForm(action=action) if action.state == Action.State.PROPOSED else None,
    }
    return render(request, "tables/action_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, slug, pk, action):
    plan = get_plan(request, slug, pk)
    action = get_action(plan, action)
    manage = can_manage_plan(request.user, plan)
    if not manage and not can_report_on_action(request.user, action, plan):
        raise PermissionDenied
    form = ActionForm(request.POST if request.method == "POST" else None, instance=action, plan=plan)
    if not manage:
        for name in ("objective", "title", "description", "lead", "starts", "ends", "budget"):
            form.fields[name].disabled = True
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled
        }
        try:
            expected = int(request.POST.get("version", "0"))
        except ValueError:
            expected = 0
        try:
            services.action_update(action=action, expected_version=expected, **fields)
        except services.ActionConflict as error:
            conflict = error.current
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)
    return render(
        request,
        "tables/action_update.html",
        {"table": plan.table, "plan": plan, "action": action, "form": form, "conflict": conflict},
    )


@login_required
@require_POST
def action_decide(request, slug, pk, action):
    plan = get_plan(request, slug, pk, manage=True)
    action = get_action(plan, action)
    form = ActionDecisionForm(request.POST, action=action)
    if form.is_valid():
        try:
            services.action_decide(
                action=action,
                decision=form.cleaned_data["decision"],
                merge_into=form.cleaned_data["merge_into"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The decision on the proposal was recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)


def _organisation_for(request, plan):
    """The organisation a delegate acts for in a POST (their only one, or the one chosen);
    another organisation's id is refused."""
    mine = _my_organisations(request.user, plan)
    chosen = request.POST.get("organisation")
    organisation = next((o for o in mine if str(o.pk) == chosen), None)
    if organisation is None and not chosen and len(mine) == 1:
        organisation = mine[0]
    return organisation


@login_required
@require_POST
def action_commit(request, slug, pk, action):
    """An organisation's delegate states its commitment. No one commits another organisation."""
    plan = get_plan(request, slug, pk)
    action = get_action(plan, action)
    organisation = _organisation_for(request, plan)
    if organisation is None:
        raise PermissionDenied
    form = CommitmentForm(request.POST, prefix=f"c{organisation.pk}")
    if form.is_valid():
        try:
            services.action_commit(
                action=action, organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your organisation's commitment was recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)


@login_required
@require_POST
def action_comment(request, slug, pk, action):
    plan = get_plan(request, slug, pk)
    action = get_action(plan, action)
    if not (can_contribute_to_plan(request.user, plan) or can_manage_plan(request.user, plan)):
        raise PermissionDenied
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        organisation = _organisation_for(request, plan)
        services.action_comment(
            action=action, by=request.user, organisation=organisation, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Your comment was added."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)


@login_required
@require_POST
def action_progress(request, slug, pk, action):
    plan = get_plan(request, slug, pk)
    action = get_action(plan, action)
    if not can_report_on_action(request.user, action, plan):
        raise PermissionDenied
    form = ProgressForm(request.POST, request.FILES, prefix="progress")
    if form.is_valid():
        organisation = (
            action.lead if access_for(request.user).represents(plan.table_id, action.lead_id or 0) else None
        )
        try:
            services.action_progress(
                action=action,
                by=request.user,
                organisation=organisation,
                text=form.cleaned_data["text"],
                progress=form.cleaned_data["progress"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The progress report was recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request, slug, pk):
    """An indicator on an objective or an action (?objective= or ?action=)."""
    plan = get_plan(request, slug, pk)
    objective_id = request.GET.get("objective") or request.POST.get("objective")
    action_id = request.GET.get("action") or request.POST.get("action")
    objective = (
        get_object_or_404(Objective, axis__plan=plan, pk=parse_id(objective_id)) if objective_id else None
    )
    action = get_action(plan, parse_id(action_id)) if action_id and not objective else None
    if objective is None and action is None:
        raise Http404
    allowed = can_manage_plan(request.user, plan) or (
        action and can_report_on_action(request.user, action, plan)
    )
    if not allowed:
        raise PermissionDenied
    form = IndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        indicator = form.save(commit=False)
        indicator.objective, indicator.action = objective, action
        indicator.save()
        messages.success(request, _("The indicator was added."))
        if action:
            return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=action.pk)
        return redirect(plan)
    return render(
        request,
        "tables/indicator_form.html",
        {"table": plan.table, "plan": plan, "form": form, "objective": objective, "action": action},
    )


@login_required
@require_POST
def measurement_create(request, slug, pk, indicator):
    plan = get_plan(request, slug, pk)
    in_plan = Q(objective__axis__plan=plan) | Q(action__objective__axis__plan=plan)
    indicator = get_object_or_404(
        Indicator.objects.select_related("action", "objective").filter(in_plan), pk=indicator
    )
    allowed = can_manage_plan(request.user, plan) or (
        indicator.action is not None and can_report_on_action(request.user, indicator.action, plan)
    )
    if not allowed:
        raise PermissionDenied
    form = MeasurementForm(request.POST, prefix=f"m{indicator.pk}")
    if form.is_valid():
        services.measurement_add(indicator=indicator, by=request.user, **form.cleaned_data)
        messages.success(request, _("The measurement was recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    if indicator.action_id:
        return redirect("tables:action-detail", slug=plan.table.slug, pk=plan.pk, action=indicator.action_id)
    return redirect(plan)
