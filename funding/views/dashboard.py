"""The funders' dashboard, its exports (CSV, XLSX) and its PDF summary (made by Celery)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from members.access import access_for
from members.documents.exports import export_response

from ..dashboard import build_dashboard
from ..forms import DashboardFilterForm
from ..models import Funder
from ..permissions import can_see_dashboard, dashboard_calls
from ..presentation import dashboard_charts, export_rows

RECENT_CALLS = 24


def _filtered(request):
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    calls = dashboard_calls(request.user)
    form = DashboardFilterForm(request.GET or None, calls=calls)
    chosen = {}
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data
    elif form.is_bound:
        # An unknown call or funder (another person's, say) is ignored, not an error page.
        chosen = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    selected = calls
    if chosen.get("call"):
        selected = calls.filter(pk=chosen["call"].pk)
    else:
        # Across a whole network (an administrator's years of calls on every table) the
        # most recent calls are shown; the filters and the call list reach the others.
        recent = list(calls.order_by("-closes_at", "-pk").values_list("pk", flat=True)[: RECENT_CALLS + 1])
        if len(recent) > RECENT_CALLS:
            selected = calls.filter(pk__in=recent[:RECENT_CALLS])
            chosen["recent_only"] = calls.count()
    dashboard = build_dashboard(
        selected,
        funder=chosen.get("funder"),
        region_id=chosen["region"].pk if chosen.get("region") else None,
        sector=chosen.get("sector") or None,
        viewer=request.user,
    )
    return form, chosen, dashboard


@login_required
@require_GET
def dashboard(request):
    form, chosen, data = _filtered(request)
    access = access_for(request.user)
    funder = chosen.get("funder")
    if funder is None and len(access.funder_ids) == 1:
        funder = Funder.objects.select_related("organisation").filter(pk__in=access.funder_ids).first()
    context = {
        "form": form,
        "data": data,
        "charts": dashboard_charts(data),
        "summary_call": chosen.get("call"),
        "recent_only": chosen.get("recent_only"),
        "recent_calls": RECENT_CALLS,
        "summary_funder": funder,
        "query": request.GET.urlencode(),
    }
    template = "funding/_dashboard_results.html" if request.htmx else "funding/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def dashboard_export(request):
    """The dashboard's projects as CSV for a spreadsheet (default), CSV for a program
    (?format=csv-machine) or XLSX (?format=xlsx), with the page's filters."""
    _form, _chosen, data = _filtered(request)
    header, rows = export_rows(data)
    stamp = timezone.localdate().isoformat()
    return export_response(
        request.GET.get("format"), f"financement-{stamp}", header, rows, sheet_title="projets"
    )
