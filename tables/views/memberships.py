"""Coordination screens: the table's members, their delegates and invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Delegation, Organisation

from .. import services
from ..forms import InvitationForm, MembershipAddForm, MembershipEndForm, MembershipForm
from ..models import Invitation, Membership
from .common import get_table

SEARCH_LIMIT = 20


def _membership(table, pk):
    # Filtering on the table turns another table's id into a 404.
    return get_object_or_404(Membership.objects.select_related("organisation", "table"), table=table, pk=pk)


@login_required
def membership_list(request, slug):
    table = get_table(request, slug, manage=True)
    memberships = (
        table.memberships.active()
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "delegations",
                queryset=Delegation.objects.active().select_related("person").order_by("role"),
                to_attr="current_delegations",
            ),
            Prefetch("invitations", queryset=Invitation.objects.pending(), to_attr="pending_invitations"),
        )
        .order_by("organisation__name")
    )
    former = table.memberships.exclude(pk__in=memberships.values("pk")).select_related("organisation")
    return render(
        request,
        "tables/membership_list.html",
        {"table": table, "memberships": memberships, "former": former},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request, slug):
    """Find an organisation in the directory and add it to the table."""
    table = get_table(request, slug, manage=True)
    if request.method == "POST":
        form = MembershipAddForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an organisation from the list."))
        else:
            organisation = form.cleaned_data["organisation"]
            try:
                membership = services.membership_add(table=table, organisation=organisation)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("%(organisation)s is now a member. Set its status, roles and powers below.")
                    % {"organisation": organisation},
                )
                return redirect("tables:membership-update", slug=table.slug, pk=membership.pk)
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        is_member = Membership.objects.active().filter(table=table, organisation=OuterRef("pk"))
        results = (
            Organisation.objects.search(query)
            .annotate(is_member=Exists(is_member))
            .select_related("region")
            .order_by("name")[:SEARCH_LIMIT]
        )
    template = "tables/_organisation_search_results.html" if request.htmx else "tables/membership_add.html"
    return render(request, template, {"table": table, "query": query, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def membership_update(request, slug, pk):
    table = get_table(request, slug, manage=True)
    membership = _membership(table, pk)
    form = MembershipForm(request.POST if request.method == "POST" else None, instance=membership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The membership was saved."))
        return redirect("tables:membership-list", slug=table.slug)
    return render(
        request, "tables/membership_form.html", {"table": table, "membership": membership, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, slug, pk):
    table = get_table(request, slug, manage=True)
    membership = _membership(table, pk)
    form = MembershipEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(membership=membership, on=form.cleaned_data["left"])
        except ValidationError as error:
            form.add_error("left", error)
        else:
            messages.success(
                request, _("%(organisation)s has left the table.") % {"organisation": membership.organisation}
            )
            return redirect("tables:membership-list", slug=table.slug)
    return render(
        request, "tables/membership_end.html", {"table": table, "membership": membership, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request, slug, pk):
    table = get_table(request, slug, manage=True)
    membership = _membership(table, pk)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(membership=membership, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("tables:membership-list", slug=table.slug)
    return render(
        request, "tables/invitation_form.html", {"table": table, "membership": membership, "form": form}
    )


def _invitation(table, pk):
    return get_object_or_404(Invitation.objects.select_related("membership"), membership__table=table, pk=pk)


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    table = get_table(request, slug, manage=True)
    invitation = services.invitation_revoke(invitation=_invitation(table, pk))
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("tables:membership-list", slug=table.slug)


@login_required
@require_POST
def invitation_resend(request, slug, pk):
    table = get_table(request, slug, manage=True)
    try:
        invitation = services.invitation_resend(invitation=_invitation(table, pk))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation was sent again to %(email)s.") % {"email": invitation.email}
        )
    return redirect("tables:membership-list", slug=table.slug)


def _delegation(table, pk):
    return get_object_or_404(
        Delegation.objects.active().select_related("person", "membership"), membership__table=table, pk=pk
    )


@login_required
@require_POST
def delegation_end(request, slug, pk):
    table = get_table(request, slug, manage=True)
    delegation = services.delegation_end(delegation=_delegation(table, pk))
    messages.success(
        request, _("%(person)s no longer represents their organisation here.") % {"person": delegation.person}
    )
    return redirect("tables:membership-list", slug=table.slug)


@login_required
@require_POST
def delegation_swap(request, slug, pk):
    table = get_table(request, slug, manage=True)
    delegation = services.delegation_swap(delegation=_delegation(table, pk))
    messages.success(
        request,
        _("%(person)s: role changed to %(role)s.")
        % {"person": delegation.person, "role": delegation.get_role_display()},
    )
    return redirect("tables:membership-list", slug=table.slug)
