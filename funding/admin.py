from django.contrib import admin

from .models import CallFunder, Criterion, Funder, FunderStaff, FundingCall


class FunderStaffInline(admin.TabularInline):
    model = FunderStaff
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation"]
    inlines = [FunderStaffInline]
    list_select_related = ["organisation"]


@admin.register(FunderStaff)
class FunderStaffAdmin(admin.ModelAdmin):
    list_display = ["person", "funder", "role", "active"]
    list_filter = ["role", "active", "funder"]
    search_fields = ["person__email", "person__last_name", "funder__organisation__name"]
    autocomplete_fields = ["person", "funder"]
    list_select_related = ["person", "funder__organisation"]


class CallFunderInline(admin.TabularInline):
    model = CallFunder
    extra = 0
    autocomplete_fields = ["funder"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(FundingCall)
class FundingCallAdmin(admin.ModelAdmin):
    list_display = ["title", "table", "envelope", "opens_at", "closes_at", "published_at"]
    list_filter = ["table"]
    search_fields = ["title", "table__name"]
    autocomplete_fields = ["table"]
    filter_horizontal = ["regions", "objectives"]
    inlines = [CallFunderInline, CriterionInline]
    list_select_related = ["table"]
    readonly_fields = ["published_at", "published_by", "created_by"]
