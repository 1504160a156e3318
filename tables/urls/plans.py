"""Agreements and action plans."""

from django.urls import path

from ..views import plans

P = "tables/<slug:slug>/plans/<id:pk>/"
A = P + "actions/<id:action>/"

urlpatterns = [
    path("tables/<slug:slug>/plans/", plans.plan_list, name="plan-list"),
    path("tables/<slug:slug>/plans/new/", plans.plan_create, name="plan-create"),
    path("tables/<slug:slug>/agreements/new/", plans.agreement_form, name="agreement-create"),
    path("tables/<slug:slug>/agreements/<id:pk>/", plans.agreement_form, name="agreement-update"),
    path(P, plans.plan_detail, name="plan-detail"),
    path(P + "edit/", plans.plan_update, name="plan-update"),
    path(P + "structure/", plans.plan_structure, name="plan-structure"),
    path(P + "status/", plans.plan_transition, name="plan-transition"),
    path(P + "new-version/", plans.plan_version, name="plan-version"),
    path(P + "adopt/", plans.plan_adopt, name="plan-adopt"),
    path(P + "indicators/new/", plans.indicator_create, name="indicator-create"),
    path(P + "indicators/<id:indicator>/measurements/", plans.measurement_create, name="measurement-create"),
    path(P + "actions/new/", plans.action_create, name="action-create"),
    path(A, plans.action_detail, name="action-detail"),
    path(A + "edit/", plans.action_update, name="action-update"),
    path(A + "decide/", plans.action_decide, name="action-decide"),
    path(A + "commit/", plans.action_commit, name="action-commit"),
    path(A + "comment/", plans.action_comment, name="action-comment"),
    path(A + "progress/", plans.action_progress, name="action-progress"),
]
