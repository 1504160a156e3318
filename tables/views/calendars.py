"""Private iCalendar feeds (secret address, revocable) and committees."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.access import access_for

from ..calendar import FEED_WINDOW, calendar_bytes
from ..forms.meetings import CalendarFeedForm, CommitteeForm
from ..models import CalendarFeed, Committee, Meeting, Membership, Table
from ..permissions import can_view_table
from .common import get_table


def _feed_meetings(feed):
    """The meetings a feed shows: those of its scope that its owner may open on the site
    (the meeting page's rule, `Meeting.objects.visible_to`), at the moment it is read. A
    person who lost their seat stops seeing a private table's meetings, and a private
    table never reaches an organisation's feed through a membership the owner does not
    sit in."""
    owner = feed.owner
    access = access_for(owner)
    since = timezone.now() - FEED_WINDOW
    meetings = Meeting.objects.visible_to(owner).filter(starts_at__gte=since).select_related("table")
    if feed.scope == CalendarFeed.Scope.TABLE:
        if feed.table is None or not can_view_table(owner, feed.table):
            return None
        return meetings.filter(table=feed.table)
    if feed.scope == CalendarFeed.Scope.ORGANISATION:
        if not access.organisation_id:
            return None
        member_of = Membership.objects.active().filter(organisation_id=access.organisation_id)
        return meetings.filter(table__in=member_of.values("table_id"))
    return meetings.filter(table__in=access.table_ids)


def calendar_feed(request, token):
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("owner", "table"),
        token=token.removesuffix(".ics"),
        revoked_at__isnull=True,
    )
    if not feed.owner.is_active:
        raise Http404
    meetings = _feed_meetings(feed)
    if meetings is None:
        raise Http404
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    name = feed.table.name if feed.table else "Concertation"
    response = HttpResponse(
        calendar_bytes(meetings.order_by("starts_at"), name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="concertation.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_list(request):
    access = access_for(request.user)
    tables = (
        Table.objects.visible_to(request.user)
        .filter(
            Q(pk__in=access.delegated_table_ids)
            | Q(pk__in=access.coordinated_table_ids)
            | Q(visibility=Table.Visibility.PUBLIC)
        )
        .order_by("name")
    )
    form = CalendarFeedForm(request.POST if request.method == "POST" else None, tables=tables)
    if request.method == "POST" and form.is_valid():
        feed = form.save(commit=False)
        feed.owner = request.user
        if feed.scope == CalendarFeed.Scope.ORGANISATION and not access.organisation_id:
            form.add_error("scope", _("You are not attached to an organisation."))
        if feed.scope != CalendarFeed.Scope.TABLE:
            feed.table = None
        if not form.errors:
            feed.save()
            messages.success(
                request,
                _("Your calendar address is ready. Keep it to yourself: anyone with it sees the meetings."),
            )
            return redirect("tables:calendar-list")
    feeds = request.user.calendar_feeds.filter(revoked_at__isnull=True).select_related("table")
    return render(request, "tables/calendar_list.html", {"form": form, "feeds": feeds})


@login_required
@require_POST
def calendar_revoke(request, pk):
    feed = get_object_or_404(CalendarFeed, pk=pk, owner=request.user, revoked_at__isnull=True)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    messages.success(
        request, _("The address was revoked: calendars using it no longer receive the meetings.")
    )
    return redirect("tables:calendar-list")


@login_required
@require_http_methods(["GET", "POST"])
def committee_list(request, slug):
    table = get_table(request, slug, manage=True)
    form = CommitteeForm(request.POST if request.method == "POST" else None, table=table)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The committee was created."))
        return redirect("tables:committee-list", slug=table.slug)
    committees = table.committees.prefetch_related("members__organisation")
    return render(
        request, "tables/committee_list.html", {"table": table, "committees": committees, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def committee_update(request, slug, pk):
    table = get_table(request, slug, manage=True)
    committee = get_object_or_404(Committee, table=table, pk=pk)
    form = CommitteeForm(request.POST if request.method == "POST" else None, instance=committee, table=table)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The committee was saved."))
        return redirect("tables:committee-list", slug=table.slug)
    return render(
        request, "tables/committee_form.html", {"table": table, "committee": committee, "form": form}
    )
