from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_update, name="organisation-update"),
    path("me/", views.profile, name="profile"),
    path("me/notifications/", views.notification_preferences, name="notification-preferences"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification-open"),
    path("language/", views.set_language, name="set-language"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
