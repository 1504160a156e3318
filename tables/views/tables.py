from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.models import Delegation, Sector
from members.queries import count_per_row

from .. import services
from ..filters import TableFilter
from ..forms import RulesForm, TableForm
from ..models import GovernanceRules, Membership, Table
from ..permissions import (
    can_create_table,
    can_manage_table,
    can_read_bilans,
    can_see_delegates,
    can_view_register,
)
from ..selectors.minutes import published_minutes_for
from ..selectors.navigation import table_links
from .common import get_table
from .communiques import readable_communiques

PAGE_SIZE = 24


def active_member_count():
    """The number of organisations sitting at the table today, as an annotation."""
    return count_per_row(Membership.objects.active(), "table")


def table_list(request):
    tables = (
        Table.objects.visible_to(request.user)
        .select_related("region")
        .annotate(member_count=active_member_count())
    )
    table_filter = TableFilter(request.GET, queryset=tables)
    page = Paginator(table_filter.qs.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "tables/_table_results.html" if request.htmx else "tables/table_list.html"
    return render(
        request,
        template,
        {"filter": table_filter, "page": page, "can_create": can_create_table(request.user)},
    )


def members_by_sector(table, *, with_delegates: bool):
    """Active memberships of a table grouped by sector in the order of the sector list,
    with their current delegates (`current_delegations`) for those who may see them."""
    memberships = table.memberships.active().select_related("organisation").order_by("organisation__name")
    if with_delegates:
        memberships = memberships.prefetch_related(
            Prefetch(
                "delegations",
                queryset=Delegation.objects.active()
                .select_related("person")
                .order_by("role", "person__last_name"),
                to_attr="current_delegations",
            )
        )
    groups = {code: [] for code in Sector.values}
    for membership in memberships:
        groups.setdefault(membership.organisation.sector, []).append(membership)
    labels = dict(Sector.choices)
    return [(labels.get(code, code), items) for code, items in groups.items() if items]


def table_detail(request, slug):
    table = get_table(request, slug)
    show_people = can_see_delegates(request.user, table)
    groups = members_by_sector(table, with_delegates=show_people)
    links = table_links(request.user, table)
    return render(
        request,
        "tables/table_detail.html",
        {
            "table": table,
            "links": [link for link in links if not link.coordination],
            "coordination_links": [link for link in links if link.coordination],
            "rules": table.rules_on(),
            "groups": groups,
            "member_count": sum(len(items) for _label, items in groups),
            "voting_count": sum(1 for _label, items in groups for m in items if m.status == "voting"),
            "coordinators": table.coordinators.select_related("person"),
            "can_manage": can_manage_table(request.user, table),
            "show_people": show_people,
            "can_read_bilans": can_read_bilans(request.user, table),
            "published_minutes": published_minutes_for(table)[:12],
            "communiques": readable_communiques(request.user, table).select_related("table")[:3]
            if show_people
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_create(request):
    if not can_create_table(request.user):
        raise PermissionDenied
    form = TableForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            table = services.table_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The table was created."))
            return redirect(table)
    return render(request, "tables/table_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def table_update(request, slug):
    table = get_table(request, slug, manage=True)
    form = TableForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=table,
    )
    if request.method == "POST" and form.is_valid():
        table = form.save()
        messages.success(request, _("The table was saved."))
        return redirect(table)
    return render(request, "tables/table_form.html", {"form": form, "table": table})


@require_http_methods(["GET", "POST"])
def rules_list(request, slug):
    """The history of a table's governance rules, and (for coordination) a form to record
    a new version."""
    table = get_table(request, slug)
    can_manage = can_manage_table(request.user, table)
    current = table.rules_on()
    form = None
    if can_manage:
        initial = {field: getattr(current, field) for field in services.RULE_FIELDS} if current else {}
        form = RulesForm(request.POST if request.method == "POST" else None, initial=initial, table=table)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.rules_amend(table=table, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("A new version of the rules was recorded."))
            return redirect("tables:rules-list", slug=table.slug)
    versions = (
        GovernanceRules.objects.filter(table=table)
        .select_related("created_by")
        .prefetch_related("resolutions")
    )
    return render(
        request,
        "tables/rules_list.html",
        {
            "table": table,
            "versions": versions,
            "current": current,
            "form": form,
            "can_manage": can_manage,
            "can_see_register": can_view_register(request.user, table),
        },
    )
