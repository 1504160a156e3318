"""Meetings, agendas, convocations, answers, attendance and calendar feeds."""

from django.urls import path

from ..views import agenda, calendars, meetings

M = "tables/<slug:slug>/meetings/<id:pk>/"

urlpatterns = [
    path("tables/<slug:slug>/meetings/", meetings.meeting_list, name="meeting-list"),
    path("tables/<slug:slug>/meetings/new/", meetings.meeting_create, name="meeting-create"),
    path(M, meetings.meeting_detail, name="meeting-detail"),
    path(M + "edit/", meetings.meeting_update, name="meeting-update"),
    path(M + "cancel/", meetings.meeting_cancel, name="meeting-cancel"),
    path(M + "convene/", meetings.meeting_convene, name="meeting-convene"),
    path(M + "emails/resend/", meetings.meeting_resend_failed, name="meeting-resend-failed"),
    path(M + "answer/", meetings.meeting_answer, name="meeting-answer"),
    path(M + "attendance/", meetings.meeting_attendance, name="meeting-attendance"),
    path(M + "items/new/", agenda.item_create, name="item-create"),
    path(M + "items/propose/", agenda.item_propose, name="item-propose"),
    path(M + "items/<id:item>/edit/", agenda.item_update, name="item-update"),
    path(M + "items/<id:item>/delete/", agenda.item_delete, name="item-delete"),
    path(M + "items/<id:item>/decide/", agenda.item_decide, name="item-decide"),
    path(M + "items/<id:item>/move/", agenda.item_move, name="item-move"),
    path(M + "agenda/order/", agenda.agenda_reorder, name="agenda-reorder"),
    path(M + "attachments/<id:attachment>/", agenda.attachment_download, name="attachment-download"),
    path(M + "attachments/<id:attachment>/delete/", agenda.attachment_delete, name="attachment-delete"),
    path("tables/<slug:slug>/ownership/", meetings.ownership, name="ownership"),
    path("tables/<slug:slug>/committees/", calendars.committee_list, name="committee-list"),
    path("tables/<slug:slug>/committees/<id:pk>/", calendars.committee_update, name="committee-update"),
    path("rsvp/<str:token>/", meetings.rsvp_signed, name="rsvp-signed"),
    path("me/calendars/", calendars.calendar_list, name="calendar-list"),
    path("me/calendars/<id:pk>/revoke/", calendars.calendar_revoke, name="calendar-revoke"),
    path("calendar/<str:token>", calendars.calendar_feed, name="calendar-feed"),
]
