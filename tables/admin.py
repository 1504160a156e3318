from django.contrib import admin

from .models import Coordinator, GovernanceRules, Invitation, Membership, Table


class GovernanceRulesInline(admin.TabularInline):
    model = GovernanceRules
    extra = 0
    fields = ["version", "effective_from", "quorum_percent", "notice_days", "decision_mode"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # A new version goes through the table's rules page so that numbering stays right.
        return False


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "region", "kind", "theme", "visibility"]
    list_filter = ["region", "kind", "scope", "theme", "visibility"]
    search_fields = ["name", "acronym", "territory"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["coordinating_organisation"]
    inlines = [CoordinatorInline, GovernanceRulesInline]
    list_select_related = ["region"]


@admin.register(GovernanceRules)
class GovernanceRulesAdmin(admin.ModelAdmin):
    list_display = ["table", "version", "effective_from", "quorum_percent", "notice_days", "decision_mode"]
    list_filter = ["decision_mode", "table"]
    search_fields = ["table__name", "note"]
    list_select_related = ["table"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "table", "status", "joined", "left"]
    list_filter = ["status", "table", ("left", admin.EmptyFieldListFilter), "organisation__sector"]
    search_fields = ["organisation__name", "organisation__acronym", "table__name"]
    autocomplete_fields = ["organisation", "table"]
    list_select_related = ["organisation", "table"]


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["person", "table", "since"]
    list_filter = ["table"]
    search_fields = ["person__email", "person__last_name", "table__name"]
    autocomplete_fields = ["person", "table"]
    list_select_related = ["person", "table"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "membership", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), "membership__table"]
    search_fields = ["email", "membership__organisation__name", "membership__table__name"]
    autocomplete_fields = ["membership", "invited_by", "accepted_by"]
    readonly_fields = ["token"]
    list_select_related = ["membership__organisation", "membership__table"]
