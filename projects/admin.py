from django.contrib import admin

from .models import Partnership, Project


class PartnershipInline(admin.TabularInline):
    """Shown, never edited: only a partner's own people commit it (see the product)."""

    model = Partnership
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "organisation",
        "status",
        "role",
        "cash",
        "in_kind",
        "answered_by",
        "answered_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "lead", "table", "updated_at"]
    list_filter = ["table"]
    search_fields = ["title", "lead__name", "lead__acronym"]
    autocomplete_fields = ["lead", "table"]
    filter_horizontal = ["regions", "objectives"]
    inlines = [PartnershipInline]
    list_select_related = ["lead", "table"]
    readonly_fields = ["version", "created_by", "updated_by"]
