"""Funding calls, applications, reviews, decisions and dashboards."""

from django.urls import path

from .views import assignments, calls, dashboard, followup, manage, reviews

app_name = "funding"

C = "calls/<id:pk>/"
A = C + "applications/<id:application>/"

urlpatterns = [
    path("calls/", calls.call_list, name="call-list"),
    path("tables/<slug:slug>/calls/new/", calls.call_create, name="call-create"),
    path(C, calls.call_detail, name="call-detail"),
    path(C + "edit/", calls.call_update, name="call-update"),
    path(C + "funders/", calls.call_funders, name="call-funders"),
    path(C + "grid/", calls.call_criteria, name="call-criteria"),
    path(C + "documents/", calls.call_documents, name="call-documents"),
    path(C + "publish/", calls.call_publish, name="call-publish"),
    path(C + "reviews/export/", reviews.call_reviews_export, name="call-reviews-export"),
    path(C + "reviews/compare/", reviews.call_compare, name="call-compare"),
    path(C + "assignments/", assignments.call_assignments, name="call-assignments"),
    path(C + "assignments/<id:assignment>/remove/", assignments.assignment_remove, name="assignment-remove"),
    path(C + "manage/", manage.call_manage, name="call-manage"),
    path(C + "reviewers/", manage.call_reviewers, name="call-reviewers"),
    path(C + "reviewers/<id:reviewer>/remove/", manage.reviewer_remove, name="reviewer-remove"),
    path(C + "decisions/", manage.call_decide, name="call-decide"),
    path(A, manage.application_detail, name="application-detail"),
    path(A + "status/", manage.application_transition, name="application-transition"),
    path(A + "review/", reviews.review_form, name="review-form"),
    path(A + "follow-up/", followup.application_followup, name="application-followup"),
    path(A + "schedule/", followup.application_schedule, name="application-schedule"),
    path(A + "reports/<id:report>/accept/", followup.report_accept, name="report-accept"),
    path(A + "reports/<id:report>/return/", followup.report_return, name="report-return"),
    path(A + "tranches/<id:tranche>/release/", followup.tranche_release, name="tranche-release"),
    path("reviews/", reviews.review_list, name="review-list"),
    path("funding/dashboard/", dashboard.dashboard, name="dashboard"),
    path("funding/dashboard/export/", dashboard.dashboard_export, name="dashboard-export"),
]
