from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_update, name="organisation-update"),
    path("me/", views.profile, name="profile"),
    path("language/", views.set_language, name="set-language"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
