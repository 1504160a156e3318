"""Joint projects and their partnerships."""

from django.urls import path

from .views import budget, partners, reports, workspace

app_name = "projects"

P = "projects/<id:pk>/"

urlpatterns = [
    path("projects/", workspace.project_list, name="project-list"),
    path("calls/<id:call>/projects/new/", workspace.project_start, name="project-start"),
    path(P, workspace.project_detail, name="project-detail"),
    path(P + "edit/", workspace.project_update, name="project-update"),
    path(P + "indicators/", workspace.indicator_create, name="indicator-create"),
    path(P + "indicators/<id:indicator>/delete/", workspace.indicator_delete, name="indicator-delete"),
    path(P + "rights/", workspace.collaborators, name="collaborators"),
    path(P + "rights/<id:collaborator>/remove/", workspace.collaborator_remove, name="collaborator-remove"),
    path(P + "comments/", workspace.comment_create, name="comment-create"),
    path(P + "attachments/", workspace.attachment_create, name="attachment-create"),
    path(P + "attachments/<id:attachment>/", workspace.attachment_download, name="attachment-download"),
    path(P + "attachments/<id:attachment>/delete/", workspace.attachment_delete, name="attachment-delete"),
    path(P + "submit/", workspace.project_submit, name="project-submit"),
    path(P + "withdraw/", workspace.application_withdraw, name="application-withdraw"),
    path(P + "reopen/", workspace.application_reopen, name="application-reopen"),
    path(P + "accept/", workspace.application_accept, name="application-accept"),
    path(P + "versions/<id:number>/", workspace.version_detail, name="version-detail"),
    path(P + "partners/invite/", partners.partner_invite, name="partner-invite"),
    path(P + "partners/<id:partnership>/", partners.partner_answer, name="partner-answer"),
    path(P + "partners/<id:partnership>/terms/", partners.partner_terms, name="partner-terms"),
    path(P + "partners/<id:partnership>/remove/", partners.partner_remove, name="partner-remove"),
    path(P + "budget/", budget.budget, name="budget"),
    path(P + "budget/<id:line>/", budget.budget_line_update, name="budget-line-update"),
    path(P + "budget/<id:line>/delete/", budget.budget_line_delete, name="budget-line-delete"),
    path(P + "reports/<id:report>/", reports.report_update, name="report-update"),
    path(
        P + "reports/<id:report>/partners/<id:partnership>/",
        reports.report_contribution,
        name="report-contribution",
    ),
]
