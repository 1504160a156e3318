from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Affiliation, Delegation, Organisation, OutboxEmail, Region, User


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "language"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [AffiliationInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "phone", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "sector", "actor_type", "region"]
    list_filter = ["sector", "actor_type", "region"]
    search_fields = ["name", "acronym", "territory"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["region"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "job_title", "start", "end"]
    list_filter = [("end", admin.EmptyFieldListFilter), "organisation__sector"]
    search_fields = ["person__email", "person__last_name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["person", "membership", "role", "start", "end"]
    list_filter = ["role", ("end", admin.EmptyFieldListFilter), "membership__table"]
    search_fields = ["person__email", "person__last_name", "membership__organisation__name"]
    autocomplete_fields = ["person", "membership"]
    list_select_related = ["person", "membership__organisation", "membership__table"]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "created_at", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "to"]
    readonly_fields = [
        "to",
        "reply_to",
        "subject",
        "body",
        "html",
        "created_at",
        "sent_at",
        "attempts",
        "error",
    ]
