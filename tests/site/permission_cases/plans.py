"""Agreements and action plans."""

from datetime import date

from tables import services
from tables.models import ActionPlan, Agreement, Indicator

from . import EVERYONE_200, LOGIN, MANAGE_A, MANAGE_A_POST, MANAGE_B, REDIRECT, VIEW_B, Case, roles


def plan(w, table=None, status=None):
    table = table or w.table_a
    plan = services.plan_create(
        table=table, by=None, title="Plan", starts=date(2026, 1, 1), ends=date(2028, 12, 31)
    )
    axis = services.axis_save(plan=plan, number=1, title="Axe")
    objective = services.objective_save(axis=axis, number="1.1", title="Objectif")
    action = services.action_add(
        objective=objective, by=None, title="Action", lead=w.org_a if table == w.table_a else None
    )
    Indicator.objects.create(action=action, name="Indicateur")
    if status:
        ActionPlan.objects.filter(pk=plan.pk).update(status=status)
    return plan


def building(w):
    return {"slug": w.table_a.slug, "pk": plan(w).pk}


def adopted(w):
    return {"slug": w.table_a.slug, "pk": plan(w, status=ActionPlan.Status.ADOPTED).pk}


def action_of(w, status=None):
    p = plan(w, status=status)
    return {"slug": w.table_a.slug, "pk": p.pk, "action": p.axes.get().objectives.get().actions.get().pk}


def indicator_of(w):
    p = plan(w)
    w.plan_indicator = Indicator.objects.get(action__objective__axis__plan=p).pk
    return {"slug": w.table_a.slug, "pk": p.pk, "indicator": w.plan_indicator}


INSIDERS_A = roles(404, delegate_a=200, coordinator=200, admin=200)
CONTRIBUTORS = roles(
    403,
    anonymous=LOGIN,
    delegate_a=200,
    coordinator=200,
    admin=200,
    outsider=404,
    delegate_b=404,
    evaluator=404,
)
LEAD_OR_MANAGER = roles(404, anonymous=LOGIN, delegate_a=200, coordinator=200, admin=200)
LEAD_OR_MANAGER_POST = roles(404, anonymous=LOGIN, delegate_a=REDIRECT, coordinator=REDIRECT, admin=REDIRECT)

CASES = [
    Case("tables:plan-list", EVERYONE_200, lambda w: {"slug": w.table_a.slug}),
    Case("tables:plan-list", VIEW_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:plan-create", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:plan-create", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:agreement-create", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case(
        "tables:agreement-update",
        MANAGE_A,
        lambda w: {
            "slug": w.table_a.slug,
            "pk": Agreement.objects.create(
                table=w.table_a, name="Entente", starts=date(2026, 1, 1), ends=date(2027, 1, 1)
            ).pk,
        },
    ),
    Case("tables:plan-detail", INSIDERS_A, building, label="co-construction"),
    Case("tables:plan-detail", EVERYONE_200, adopted, label="adopted"),
    Case(
        "tables:plan-detail",
        VIEW_B,
        lambda w: {"slug": w.table_b.slug, "pk": plan(w, table=w.table_b, status="adopted").pk},
        label="private",
    ),
    Case(
        "tables:plan-update",
        roles(
            404,
            anonymous=LOGIN,
            outsider=403,
            delegate_b=403,
            evaluator=403,
            delegate_a=403,
            coordinator=200,
            admin=200,
        ),
        adopted,
    ),
    Case("tables:plan-structure", MANAGE_A, adopted),
    Case(
        "tables:plan-transition",
        MANAGE_A_POST,
        adopted,
        method="post",
        data=lambda w: {"status": "in_progress"},
    ),
    Case("tables:plan-version", MANAGE_A_POST, adopted, method="post"),
    Case(
        "tables:plan-adopt",
        roles(
            404,
            anonymous=LOGIN,
            outsider=403,
            delegate_b=403,
            evaluator=403,
            delegate_a=403,
            coordinator=200,
            admin=200,
        ),
        adopted,
    ),
    Case("tables:action-create", CONTRIBUTORS, building),
    Case("tables:action-detail", INSIDERS_A, action_of, label="co-construction"),
    Case("tables:action-detail", EVERYONE_200, lambda w: action_of(w, status="adopted"), label="adopted"),
    Case("tables:action-update", LEAD_OR_MANAGER, action_of),
    Case(
        "tables:action-decide",
        # The table is public: whoever does not coordinate it is refused (403) before the
        # plan, still hidden from them, is looked up.
        roles(403, anonymous=LOGIN, coordinator=REDIRECT, admin=REDIRECT),
        action_of,
        method="post",
        data=lambda w: {"decision": "withdrawn"},
    ),
    Case(
        "tables:action-commit",
        roles(404, anonymous=LOGIN, delegate_a=REDIRECT, coordinator=403, admin=403),
        action_of,
        method="post",
        data=lambda w: {f"c{w.org_a.pk}-role": "none"},
    ),
    Case(
        "tables:action-comment",
        LEAD_OR_MANAGER_POST,
        action_of,
        method="post",
        data=lambda w: {"comment-text": "Bonne idée"},
    ),
    Case(
        "tables:action-progress",
        LEAD_OR_MANAGER_POST,
        action_of,
        method="post",
        data=lambda w: {"progress-text": "Avance", "progress-progress": "20"},
    ),
    Case(
        "tables:indicator-create",
        LEAD_OR_MANAGER,
        lambda w: {"slug": w.table_a.slug, "pk": w.plan_action["pk"]},
        data=lambda w: {"action": w.plan_action["action"]},
        label="for an action",
    ),
    Case(
        "tables:measurement-create",
        LEAD_OR_MANAGER_POST,
        indicator_of,
        method="post",
        data=lambda w: {
            f"m{w.plan_indicator}-measured_on": "2026-03-01",
            f"m{w.plan_indicator}-value": "12",
            f"m{w.plan_indicator}-source": "Rapport",
        },
    ),
]
