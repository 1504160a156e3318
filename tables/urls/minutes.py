"""Minutes, resolutions, follow-ups and the register."""

from django.urls import path

from ..views import minutes

MEETING = "tables/<slug:slug>/meetings/<id:pk>/"

urlpatterns = [
    path(f"{MEETING}minutes/", minutes.minutes_detail, name="minutes-detail"),
    path(f"{MEETING}minutes/start/", minutes.minutes_start, name="minutes-start"),
    path(f"{MEETING}minutes/header/", minutes.minutes_update, name="minutes-update"),
    path(f"{MEETING}minutes/items/<id:item_pk>/", minutes.minutes_note, name="minutes-note"),
    path(f"{MEETING}minutes/circulate/", minutes.minutes_circulate, name="minutes-circulate"),
    path(f"{MEETING}minutes/comments/", minutes.minutes_comment, name="minutes-comment"),
    path(
        f"{MEETING}minutes/comments/<id:comment_pk>/reply/",
        minutes.minutes_comment_reply,
        name="minutes-comment-reply",
    ),
    path(f"{MEETING}resolutions/new/", minutes.resolution_create, name="resolution-create"),
    path(f"{MEETING}follow-ups/new/", minutes.follow_up_create, name="follow-up-create"),
    path("tables/<slug:slug>/resolutions/", minutes.resolution_list, name="resolution-list"),
    path("tables/<slug:slug>/resolutions/<id:pk>/edit/", minutes.resolution_update, name="resolution-update"),
    path(
        "tables/<slug:slug>/resolutions/<id:pk>/delete/", minutes.resolution_delete, name="resolution-delete"
    ),
    path("tables/<slug:slug>/follow-ups/", minutes.follow_up_list, name="follow-up-list"),
    path("tables/<slug:slug>/follow-ups/<id:pk>/edit/", minutes.follow_up_update, name="follow-up-update"),
    path(
        "tables/<slug:slug>/follow-ups/<id:pk>/done/", minutes.follow_up_complete, name="follow-up-complete"
    ),
]
