"""The regional view across tables, the networks, and the shared regional calendar."""

from collections import defaultdict
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

from members.access import access_for
from members.documents.charts import network_svg
from members.models import Organisation, Region

from .. import regional
from ..documents.regional_calendar import activities_calendar_bytes
from ..forms.regional import (
    MAX_ACTIVITY_DAYS,
    MEETINGS,
    ActivityForm,
    CalendarFilterForm,
    NetworkFilterForm,
    RegionalSettingsForm,
)
from ..models import Activity, Meeting, Membership, RegionalSettings
from ..regional import ALL_QUEBEC
from ..selectors import clashes as meeting_clashes

ORGANISATIONS_PER_PAGE = 50
# Groups of clashing meetings listed in the regional view (the count gives the rest).
CLASH_GROUPS_SHOWN = 30
# Names of the organisations called twice shown with a clash, before "and N others".
CLASH_NAMES_SHOWN = 5
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
        pk=pk,
        clash=None,
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
    """Choose a region (or all of Québec); `?region=<slug>` goes straight to it. A
    delegate who may open no region goes to the page of their own organisation."""
    if not regional.can_view_regions(request.user):
        if regional.can_view_own_load(request.user):
            return redirect("tables:regional-mine")
        raise PermissionDenied
    everything, regions = _choices(request.user)
    wanted = request.GET.get("region", "")
    if wanted and ((wanted == ALL_QUEBEC and everything) or any(r.slug == wanted for r in regions)):
        return redirect("tables:regional-overview", region=wanted)
    return render(
        request,
        "tables/regional_index.html",
        {"regions": regions, "all_quebec": everything, "has_own": regional.can_view_own_load(request.user)},
    )


def _common(request, region):
    everything, regions = _choices(request.user)
    return {
        "region": region,
        "region_slug": _slug(region),
        "region_name": region.name if region is not None else _("All of Québec"),
        "regions": regions,
        "all_quebec": everything,
        "has_own": regional.can_view_own_load(request.user),
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
    clashes = meeting_clashes.upcoming_clashes(region)
    groups = clashes.groups()
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
            "clashes": clashes,
            "clash_groups": _seen_groups(request.user, clashes, groups[:CLASH_GROUPS_SHOWN]),
            "clash_group_count": len(groups),
            "clash_weeks": meeting_clashes.UPCOMING_WEEKS,
        },
    )


def _visible_in(user, report):
    return regional.visible_table_ids(user, report.tables.values())


def _names(report, clashes, visible, count):
    names = meeting_clashes.shown_names(report, clashes, visible, limit=CLASH_NAMES_SHOWN)
    return SimpleNamespace(names=names, others=count - len(names))


def _seen_groups(user, report, groups):
    """Each group of clashing meetings as `user` may see it: the meetings of tables they
    may not see are "a meeting of another table", and the organisations called twice are
    named only from clashes between two tables they may see."""
    visible = _visible_in(user, report)
    return [
        SimpleNamespace(
            group=group,
            slots=[meeting_clashes.SeenSlot.of(slot, report, visible) for slot in group.slots],
            count=len(group.organisation_ids),
            shown=_names(report, group.clashes, visible, len(group.organisation_ids)),
        )
        for group in groups
    ]


def _seen_clashes(user, report, organisation_ids=()):
    """Each clash as `user` may see it, earliest first; with `organisation_ids`, which of
    them are called to both."""
    visible = _visible_in(user, report)
    lines = []
    for clash in sorted(report.clashes, key=lambda c: (c.first.starts_at, c.second.starts_at)):
        lines.append(
            SimpleNamespace(
                first=meeting_clashes.SeenSlot.of(clash.first, report, visible),
                second=meeting_clashes.SeenSlot.of(clash.second, report, visible),
                count=len(clash.organisation_ids),
                mine=report.organisation_names(clash.organisation_ids & frozenset(organisation_ids)),
            )
        )
    return lines


@login_required
def regional_mine(request):
    """For a delegate or substitute: the load of each organisation they represent (the
    tables it sits on, its meetings and hours a month) and the coming meeting clashes that
    call it to two tables at once. The region's view stays closed to them."""
    if not regional.can_view_own_load(request.user):
        raise PermissionDenied
    access = access_for(request.user)
    represented = frozenset().union(*access.delegations.values())
    organisations = list(Organisation.objects.filter(pk__in=represented).order_by("name"))
    seats = defaultdict(list)
    for membership in (
        Membership.objects.active()
        .filter(organisation__in=represented)
        .select_related("table")
        .order_by("table__name")
    ):
        seats[membership.organisation_id].append(membership.table)
    report = meeting_clashes.organisation_clashes(represented)
    every_table = [table for tables in seats.values() for table in tables]
    visible_tables = regional.visible_table_ids(
        request.user,
        [SimpleNamespace(id=t.pk, is_public=t.visibility == t.Visibility.PUBLIC) for t in every_table],
    )
    sections = []
    for organisation in organisations:
        load = regional.organisation_load_seen_by(organisation, request.user)
        tables = seats.get(organisation.pk, [])
        shown = [table for table in tables if table.pk in visible_tables]
        months = len(load.months) or 1
        sections.append(
            SimpleNamespace(
                organisation=organisation,
                tables=shown,
                hidden_tables=len(tables) - len(shown),
                table_count=len(tables),
                load=load,
                meetings_per_month=round(load.total_meetings / months, 1),
                hours_per_month=round(load.total_hours / months, 1),
                clashes=_seen_clashes(request.user, report.touching([organisation.pk]), [organisation.pk]),
            )
        )
    return render(
        request,
        "tables/regional_mine.html",
        {
            "sections": sections,
            "clash_weeks": meeting_clashes.UPCOMING_WEEKS,
            "can_view_regions": regional.can_view_regions(request.user),
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
    # Meeting clashes are looked for among every table's meetings of the month (the one
    # that calls the same organisations may be of a table the person does not see).
    clashes = meeting_clashes.clashes_between(first, following) if kind in (None, "", MEETINGS) else None
    clashing = clashes.affected_by_meeting() if clashes else {}
    clash_count = sum(1 for _day, what, row in entries if what == "meeting" and row[0] in clashing)
    # A month of every table of a large network is a thousand meetings: shown a hundred at
    # a time, so that the page stays light to load and to read.
    page = Paginator(entries, CALENDAR_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [
        (day, what, _calendar_line(item) if what == "meeting" else item)
        for day, what, item in page.object_list
    ]
    if clashing:
        lines = [item for _day, what, item in page.object_list if what == "meeting"]
        _mark_clashes(request.user, clashes, clashing, lines)
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
            "clash_count": clash_count,
            "previous_url": "?" + urlencode({**params, "month": previous_month.strftime("%Y-%m")}),
            "next_url": "?" + urlencode({**params, "month": following.strftime("%Y-%m")}),
            "feed_url": reverse("tables:activity-feed")
            + ("?" + urlencode(feed_params) if feed_params else ""),
            "can_declare": regional.can_declare_activity(request.user),
        },
    )


def _mark_clashes(user, report, clashing, lines):
    """Give each calendar line of a clashing meeting the number of organisations also
    called elsewhere at its time, the other meetings the person may see, and how many
    others (of tables they may not see) there are."""
    visible = _visible_in(user, report)
    by_meeting = report.by_meeting()
    for line in lines:
        affected = clashing.get(line.pk)
        if not affected:
            continue
        others = [clash.other(_slot(clash, line.pk)) for clash in by_meeting[line.pk]]
        seen = [meeting_clashes.SeenSlot.of(slot, report, visible) for slot in others]
        line.clash = SimpleNamespace(
            count=len(affected),
            shown=[slot for slot in seen if slot.table is not None],
            hidden=sum(1 for slot in seen if slot.table is None),
        )


def _slot(clash, meeting_id):
    return clash.first if clash.first.id == meeting_id else clash.second


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
