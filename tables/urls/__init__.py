from django.urls import path

from ..views import communiques, consultations, imports, invitations, memberships, reminders, tables

app_name = "tables"

urlpatterns = [
    path("tables/", tables.table_list, name="table-list"),
    path("tables/<slug:slug>/communiques/", communiques.communique_list, name="communique-list"),
    path("tables/<slug:slug>/communiques/<id:pk>/", communiques.communique_detail, name="communique-detail"),
    path(
        "tables/<slug:slug>/communiques/<id:pk>/status/",
        communiques.communique_status,
        name="communique-status",
    ),
    path("tables/new/", tables.table_create, name="table-create"),
    path("tables/<slug:slug>/", tables.table_detail, name="table-detail"),
    path("tables/<slug:slug>/edit/", tables.table_update, name="table-update"),
    path("tables/<slug:slug>/rules/", tables.rules_list, name="rules-list"),
    path("tables/<slug:slug>/members/", memberships.membership_list, name="membership-list"),
    path("tables/<slug:slug>/members/add/", memberships.membership_add, name="membership-add"),
    path("tables/<slug:slug>/members/import/", imports.member_import, name="member-import"),
    path(
        "tables/<slug:slug>/members/import/template.<str:fmt>",
        imports.member_import_template,
        name="member-import-template",
    ),
    path(
        "tables/<slug:slug>/members/import/<id:pk>/",
        imports.member_import_confirm,
        name="member-import-confirm",
    ),
    path(
        "tables/<slug:slug>/members/import/<id:pk>/invite/",
        imports.member_import_invite,
        name="member-import-invite",
    ),
    path(
        "tables/<slug:slug>/members/import/<id:pk>/status/",
        imports.member_import_status,
        name="member-import-status",
    ),
    path("tables/<slug:slug>/members/export.<str:fmt>", imports.member_export, name="member-export"),
    path("tables/<slug:slug>/members/<id:pk>/", memberships.membership_update, name="membership-update"),
    path("tables/<slug:slug>/members/<id:pk>/end/", memberships.membership_end, name="membership-end"),
    path(
        "tables/<slug:slug>/members/<id:pk>/invite/", memberships.invitation_create, name="invitation-create"
    ),
    path(
        "tables/<slug:slug>/invitations/<id:pk>/revoke/",
        memberships.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "tables/<slug:slug>/invitations/<id:pk>/resend/",
        memberships.invitation_resend,
        name="invitation-resend",
    ),
    path("tables/<slug:slug>/delegations/<id:pk>/end/", memberships.delegation_end, name="delegation-end"),
    path("tables/<slug:slug>/delegations/<id:pk>/swap/", memberships.delegation_swap, name="delegation-swap"),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
    path("tables/<slug:slug>/consultations/", consultations.consultation_list, name="consultation-list"),
    path(
        "tables/<slug:slug>/consultations/new/", consultations.consultation_create, name="consultation-create"
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/",
        consultations.consultation_detail,
        name="consultation-detail",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/answer/",
        consultations.consultation_answer,
        name="consultation-answer",
    ),
    path(
        "tables/<slug:slug>/consultations/propose/",
        consultations.consultation_propose,
        name="consultation-propose",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/accept/",
        consultations.consultation_accept,
        name="consultation-accept",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/decline/",
        consultations.consultation_decline,
        name="consultation-decline",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/close/",
        consultations.consultation_close,
        name="consultation-close",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/choose/",
        consultations.consultation_choose,
        name="consultation-choose",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/document/",
        consultations.consultation_attachment,
        name="consultation-attachment",
    ),
    path(
        "tables/<slug:slug>/consultations/<id:pk>/count/",
        consultations.consultation_count,
        name="consultation-count",
    ),
    path("tables/<slug:slug>/reminders/", reminders.reminder_settings, name="reminder-settings"),
]

# Each area keeps its routes in a module of its own, under the same "tables:" namespace.
from . import (  # noqa: E402
    bilans,
    documents,
    meetings,
    minutes,
    plans,
    regional,
)

urlpatterns += (
    meetings.urlpatterns
    + minutes.urlpatterns
    + documents.urlpatterns
    + plans.urlpatterns
    + regional.urlpatterns
    + bilans.urlpatterns
)
