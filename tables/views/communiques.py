"""Communiqués of the coordination: write, follow the sending, read the archive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members.access import access_for

from .. import services
from ..forms import CommuniqueForm
from ..models import Communique, Membership
from ..permissions import can_manage_table, can_see_delegates
from .common import add_service_errors, get_table


def readable_communiques(user, table):
    """The communiqués of `table` this person may read: all of them for its coordination;
    for a delegate, those written to members their organisation is among."""
    communiques = Communique.objects.filter(table=table)
    if can_manage_table(user, table):
        return communiques
    if not can_see_delegates(user, table):
        raise PermissionDenied
    mine = Membership.objects.filter(
        table=table, organisation__in=access_for(user).delegations.get(table.pk, ())
    )
    return communiques.filter(
        Q(audience=Communique.Audience.ALL)
        | Q(audience=Communique.Audience.VOTING, table__memberships__in=mine.voting())
        | Q(audience=Communique.Audience.SECTOR, sector__in=mine.values("organisation__sector"))
        | Q(audience=Communique.Audience.COMMITTEE, committee__members__in=mine)
    ).distinct()


@login_required
@require_http_methods(["GET", "POST"])
def communique_list(request, slug):
    table = get_table(request, slug)
    communiques = readable_communiques(request.user, table).select_related("table", "committee", "created_by")
    manage = can_manage_table(request.user, table)
    form = None
    if manage:
        form = CommuniqueForm(request.POST if request.method == "POST" else None, table=table)
        if request.method == "POST" and form.is_valid():
            try:
                communique = services.communique_send(table=table, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The communiqué is being sent. You can follow it below."))
                return redirect(communique)
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(communiques, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "tables/communique_list.html",
        {"table": table, "page": page, "communiques": page.object_list, "form": form, "can_manage": manage},
    )


@login_required
@require_GET
def communique_detail(request, slug, pk):
    table = get_table(request, slug)
    communique = get_object_or_404(
        readable_communiques(request.user, table).select_related("table", "committee", "created_by"), pk=pk
    )
    return render(
        request,
        "tables/communique_detail.html",
        {"table": table, "communique": communique, "can_manage": can_manage_table(request.user, table)},
    )


@login_required
@require_GET
def communique_status(request, slug, pk):
    """The sending's progress, polled by htmx while it goes on."""
    table = get_table(request, slug, manage=True)
    communique = get_object_or_404(Communique, table=table, pk=pk)
    return render(request, "tables/_communique_status.html", {"table": table, "communique": communique})
