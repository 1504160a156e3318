"""The regional view across tables, the network and the shared calendar."""

from django.urls import path

from ..views import regional

# The calendar, activity and "mine" routes come before "regional/<region>/", which would
# take "calendar", "activities" or "mine" for a region.
urlpatterns = [
    path("regional/", regional.regional_index, name="regional-index"),
    path("regional/mine/", regional.regional_mine, name="regional-mine"),
    path("regional/calendar/", regional.activity_calendar, name="activity-calendar"),
    path("regional/calendar.ics", regional.activity_feed, name="activity-feed"),
    path("regional/activities/new/", regional.activity_create, name="activity-create"),
    path("regional/activities/<id:pk>/", regional.activity_detail, name="activity-detail"),
    path("regional/activities/<id:pk>/edit/", regional.activity_update, name="activity-update"),
    path("regional/activities/<id:pk>/delete/", regional.activity_delete, name="activity-delete"),
    path("regional/<slug:region>/", regional.regional_overview, name="regional-overview"),
    path("regional/<slug:region>/settings/", regional.regional_settings, name="regional-settings"),
    path("regional/<slug:region>/network/", regional.regional_network, name="regional-network"),
]
