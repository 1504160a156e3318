"""The regional view across tables, the networks, and the shared regional calendar."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.documents.charts import network_svg
from members.models import Region

from .. import regional
from ..calendar_regional import activities_calendar_bytes
from ..forms_regional import (
    MAX_ACTIVITY_DAYS,
    MEETINGS,
    ActivityForm,
    CalendarFilterForm,
    NetworkFilterForm,
    RegionalSettingsForm,
)
from ..models import Activity, Meeting, RegionalSettings
from ..regional import ALL_QUEBEC

ORGANISATIONS_PER_PAGE = 50
CALENDAR_ENTRIES_PER_PAGE = 100
# What a calendar line shows of a meeting. A month of a large network is a thousand
# meetings: they are read as plain rows, and only the page's lines become objects.
CALENDAR_MEETING_FIELDS = (
    "pk",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "table__slug",
    "table__name",
    "table__acronym",
    "table__region__name",
)


def _calendar_line(row):
    pk, title, starts_at, ends_at, place, slug, name, acronym, region = row
    return SimpleNamespace(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        get_absolute_url=reverse("tables:meeting-detail", args=[slug, pk]),
        table=SimpleNamespace(name=name, acronym=acronym, region=SimpleNamespace(name=region)),
    )


def _region(slug):
    """The region at `slug`, None for all of Québec; 404 for anything else."""
    if slug == ALL_QUEBEC:
        return None
    return get_object_or_404(Region, slug=slug)


def _allowed_region(request, slug):
    region = _region(slug)
    if not regional.can_view_region(request.user, region):
        raise PermissionDenied
    return region


def _choices(user):
    """The regions `user` may open, and whether all of Québec is one of them."""
    everything, region_ids = regional.viewable_regions(user)
    regions = Region.objects.annotate(table_count=Count("tables")).order_by("code")
    if region_ids is not None:
        regions = regions.filter(pk__in=region_ids)
    return everything, list(regions)


def _slug(region):
    return region.slug if region is not None else ALL_QUEBEC


@login_required
def regional_index(request):
    """Choose a region (or all of Québec); `?region=<slug>` goes straight to it."""
    if not regional.can_view_regional(request.user):
        raise PermissionDenied
    everything, regions = _choices(request.user)
    wanted = request.GET.get("region", "")
    if wanted and ((wanted == ALL_QUEBEC and everything) or any(r.slug == wanted for r in regions)):
        return redirect("tables:regional-overview", region=wanted)
    return render(request, "tables/regional_index.html", {"regions": regions, "all_quebec": everything})


def _common(request, region):
    everything, regions = _choices(request.user)
    return {
        "region": region,
        "region_slug": _slug(region),
        "region_name": region.name if region is not None else _("All of Québec"),
        "regions": regions,
        "all_quebec": everything,
    }


@login_required
def regional_overview(request, region):
    region = _allowed_region(request, region)
    overview = regional.regional_overview(region)
    visible = regional.visible_table_ids(request.user, overview.tables)
    page = Paginator(overview.organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for organisation in page.object_list:
        shown = [overview.table_by_id[pk] for pk in organisation.table_ids if pk in visible]
        rows.append((organisation, shown, organisation.tables - len(shown)))
    suggestions = [
        (
            suggestion,
            overview.table_by_id[suggestion.first_id],
            overview.table_by_id[suggestion.second_id],
            _shared_names(overview, suggestion.shared_ids)
            if suggestion.first_id in visible and suggestion.second_id in visible
            else None,
        )
        for suggestion in overview.suggestions
    ]
    over = overview.over_solicited
    return render(
        request,
        "tables/regional_overview.html",
        {
            **_common(request, region),
            "overview": overview,
            "visible": visible,
            "page": page,
            "rows": rows,
            "over_solicited": over,
            "suggestions": suggestions,
            "can_edit_thresholds": region is not None and regional.can_edit_thresholds(request.user),
        },
    )


def _shared_names(overview, ids):
    return sorted(
        (overview.organisation_by_id[pk].short_name for pk in ids if pk in overview.organisation_by_id),
        key=str.casefold,
    )


@login_required
@require_http_methods(["GET", "POST"])
def regional_settings(request, region):
    region = _region(region)
    if region is None:
        raise Http404
    if not regional.can_edit_thresholds(request.user):
        raise PermissionDenied
    settings = RegionalSettings.objects.filter(region=region).first() or RegionalSettings(region=region)
    form = RegionalSettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The thresholds of %(region)s were saved.") % {"region": region.name})
        return redirect("tables:regional-overview", region=region.slug)
    return render(request, "tables/regional_settings.html", {**_common(request, region), "form": form})


@login_required
def regional_network(request, region):
    region = _allowed_region(request, region)
    form = NetworkFilterForm(request.GET or None)
    theme = sector = ""
    if form.is_valid():
        theme, sector = form.cleaned_data["theme"], form.cleaned_data["sector"]
    overview = regional.regional_overview(region)
    visible = regional.visible_table_ids(request.user, overview.tables)

    tables = regional.table_network(overview, visible_ids=visible, theme=theme, sector=sector)
    table_names = tables.node_by_id
    table_links = [
        (table_names[e.first_id], table_names[e.second_id], e.weight, _shared_names(overview, e.detail))
        for e in tables.edges
    ]

    # Joint work is shown for the tables whose members the viewer may see, and only
    # between their member organisations.
    in_scope = {row.id for row in overview.tables if not theme or row.theme == theme}
    pairs = [p for p in regional.joint_work_pairs(region) if p.table_id in visible and p.table_id in in_scope]
    organisations = regional.organisations_of_pairs(pairs)
    partners = regional.organisation_network(pairs, organisations=organisations, sector=sector)
    partner_names = partners.node_by_id
    partner_links = [
        (
            partner_names[e.first_id],
            partner_names[e.second_id],
            e.weight,
            [overview.table_by_id[pk].short_name for pk in e.detail if pk in overview.table_by_id],
        )
        for e in partners.edges
    ]
    return render(
        request,
        "tables/regional_network.html",
        {
            **_common(request, region),
            "form": form,
            "overview": overview,
            "table_chart": network_svg(
                tables,
                title=_("Tables linked by the member organisations they share"),
                description=_(
                    "Each dot is a table, coloured by theme and sized by its number of members; a line joins "
                    "two tables that share member organisations, thicker when they share more. The table "
                    "below lists the same links."
                ),
                chart_id="table-network",
                size_unit=_("members"),
            ),
            "table_links": table_links,
            "partner_chart": network_svg(
                partners,
                title=_("Organisations linked by joint work"),
                description=_(
                    "Each dot is an organisation, coloured by sector; a line joins two organisations "
                    "committed together to actions of an action plan, thicker when they share more actions. "
                    "The table below lists the same links."
                ),
                chart_id="partner-network",
                size_unit=_("joint actions"),
            ),
            "partner_links": partner_links,
        },
    )


# The shared calendar ---------------------------------------------------------------------


def _month_bounds(first):
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
def activity_calendar(request):
    """Meetings of the tables the person may see and every declared activity, month by
    month. Conflicts are looked for among all activities of the month, whatever the
    filters (a mission from another region is the one that collides)."""
    form = CalendarFilterForm(request.GET or None)
    region = kind = None
    if form.is_valid():
        region, kind = form.cleaned_data["region"], form.cleaned_data["kind"]
    first, following = _month_bounds(form.first_day())
    entries = []
    if kind in (None, "", MEETINGS):
        meetings = (
            Meeting.objects.visible_to(request.user)
            .filter(starts_at__gte=_aware(first), starts_at__lt=_aware(following))
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("starts_at")
            .values_list(*CALENDAR_MEETING_FIELDS)
        )
        if region is not None:
            meetings = meetings.filter(table__region=region)
        entries += [(timezone.localtime(row[2]).date(), "meeting", row) for row in meetings]
    conflicts = {}
    if kind != MEETINGS:
        # Whatever overlaps an activity of the month lies within this window, because
        # an activity lasts at most MAX_ACTIVITY_DAYS.
        around = timedelta(days=MAX_ACTIVITY_DAYS)
        nearby = list(
            Activity.objects.filter(starts__lt=following + around, ends__gte=first - around).select_related(
                "organisation", "region"
            )
        )
        conflicts = regional.conflicts_among(nearby)
        for activity in nearby:
            if activity.starts >= following or activity.ends < first:
                continue
            if (region is None or activity.region_id == region.pk) and (not kind or activity.kind == kind):
                activity.conflicts = conflicts.get(activity.pk, [])
                entries.append((max(activity.starts, first), "activity", activity))
    entries.sort(key=lambda entry: (entry[0], entry[1] != "activity"))
    conflict_count = sum(1 for _day, what, item in entries if what == "activity" and item.conflicts)
    # A month of every table of a large network is a thousand meetings: shown a hundred at
    # a time, so that the page stays light to load and to read.
    page = Paginator(entries, CALENDAR_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [
        (day, what, _calendar_line(item) if what == "meeting" else item)
        for day, what, item in page.object_list
    ]
    params = {}
    if region is not None:
        params["region"] = region.code
    if kind:
        params["kind"] = kind
    previous_month = (first - timedelta(days=1)).replace(day=1)
    feed_params = {key: value for key, value in params.items() if key == "region" or value != MEETINGS}
    return render(
        request,
        "tables/activity_calendar.html",
        {
            "form": form,
            "first": first,
            "entries": page.object_list,
            "page": page,
            "conflict_count": conflict_count,
            "previous_url": "?" + urlencode({**params, "month": previous_month.strftime("%Y-%m")}),
            "next_url": "?" + urlencode({**params, "month": following.strftime("%Y-%m")}),
            "feed_url": reverse("tables:activity-feed")
            + ("?" + urlencode(feed_params) if feed_params else ""),
            "can_declare": regional.can_declare_activity(request.user),
        },
    )


FEED_PAST = timedelta(days=60)
FEED_FUTURE = timedelta(days=400)


def activity_feed(request):
    """iCalendar feed of the shared calendar, without a token: only what is public — the
    meetings of public tables and the declared activities. `?region=<code>` and
    `?kind=<activity kind>` narrow it."""
    region = None
    if request.GET.get("region"):
        region = get_object_or_404(Region, code=request.GET["region"])
    kind = request.GET.get("kind", "")
    if kind and kind not in Activity.Kind.values and kind != MEETINGS:
        raise Http404
    today = timezone.localdate()
    meetings = Meeting.objects.none()
    activities = Activity.objects.none()
    if kind in ("", MEETINGS):
        meetings = (
            # Read without a session: what anyone may open, by the meeting page's rule.
            Meeting.objects.visible_to(AnonymousUser())
            .filter(
                starts_at__gte=timezone.now() - FEED_PAST,
                starts_at__lt=timezone.now() + FEED_FUTURE,
            )
            .select_related("table")
            .order_by("starts_at")
        )
        if region is not None:
            meetings = meetings.filter(table__region=region)
    if kind != MEETINGS:
        activities = Activity.objects.filter(
            ends__gte=today - FEED_PAST, starts__lt=today + FEED_FUTURE
        ).select_related("organisation")
        if region is not None:
            activities = activities.filter(region=region)
        if kind:
            activities = activities.filter(kind=kind)
    name = _("Regional calendar") + (f" – {region.name}" if region is not None else "")
    response = HttpResponse(
        activities_calendar_bytes(meetings, activities, name=name),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="calendrier-regional.ics"'
    response["Cache-Control"] = "public, max-age=900"
    return response


def _declarable(request):
    ids = regional.declarable_organisation_ids(request.user)
    if not ids:
        raise PermissionDenied
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    ids = _declarable(request)
    form = ActivityForm(request.POST if request.method == "POST" else None, organisation_ids=ids)
    if request.method == "POST" and form.is_valid():
        activity = regional.activity_declare(by=request.user, **form.cleaned_data)
        messages.success(request, _("The activity is on the regional calendar."))
        return redirect("tables:activity-detail", pk=activity.pk)
    return render(request, "tables/activity_form.html", {"form": form})


def _activity(request, pk, *, change=False):
    activity = get_object_or_404(
        Activity.objects.select_related("organisation", "region", "declared_by"), pk=pk
    )
    if change and not regional.can_change_activity(request.user, activity):
        raise PermissionDenied
    return activity


@login_required
def activity_detail(request, pk):
    activity = _activity(request, pk)
    return render(
        request,
        "tables/activity_detail.html",
        {
            "activity": activity,
            "conflicts": regional.activity_conflicts(activity),
            "can_change": regional.can_change_activity(request.user, activity),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_update(request, pk):
    activity = _activity(request, pk, change=True)
    ids = regional.declarable_organisation_ids(request.user) | {activity.organisation_id}
    form = ActivityForm(
        request.POST if request.method == "POST" else None, instance=activity, organisation_ids=ids
    )
    if request.method == "POST" and form.is_valid():
        regional.activity_update(activity=activity, **form.cleaned_data)
        messages.success(request, _("The activity was saved."))
        return redirect("tables:activity-detail", pk=activity.pk)
    return render(request, "tables/activity_form.html", {"form": form, "activity": activity})


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk):
    activity = _activity(request, pk, change=True)
    if request.method == "POST":
        activity.delete()
        messages.success(request, _("The activity was removed from the regional calendar."))
        return redirect("tables:activity-calendar")
    return render(request, "tables/activity_confirm_delete.html", {"activity": activity})
