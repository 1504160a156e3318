from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from concertation.views import healthz, home
from members.converters import IdConverter

# Registered before the apps' URL modules are included: they use <id:…> for every key.
register_converter(IdConverter, "id")

admin.site.site_header = _("Concertation administration")
admin.site.site_title = _("Concertation")

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("tables.urls")),
    path("", include("projects.urls")),
    path("", include("funding.urls")),
]

handler500 = "tables.views.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
