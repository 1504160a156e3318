from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.adapters import INVITATION_SESSION_KEY

from .. import services
from ..models import Invitation


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The page an invited person lands on from the email. Anonymous visitors are offered
    to sign up (with the invited address already verified) or to sign in; signed-in people
    confirm with one button."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("membership__table", "membership__organisation", "invited_by"),
        token=token,
    )
    context = {
        "invitation": invitation,
        "membership": invitation.membership,
        "table": invitation.membership.table,
    }
    # A link outlives what it was sent for: once the organisation has left the table, it
    # opens no seat (and says so) rather than offering a button that can only fail.
    left = invitation.membership.left
    context["organisation_left"] = left is not None and left <= timezone.localdate()
    if not invitation.is_pending or context["organisation_left"]:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return render(request, "tables/invitation_accept.html", context, status=410)

    if not request.user.is_authenticated:
        request.session[INVITATION_SESSION_KEY] = invitation.token
        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "tables/invitation_accept.html", context)

    user = request.user
    context["email_matches"] = user.emailaddress_set.filter(
        email__iexact=invitation.email, verified=True
    ).exists()
    current = user.organisation
    context["moves_organisation"] = (
        current is not None and current.pk != invitation.membership.organisation_id
    )
    context["current_organisation"] = current
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, person=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(
                request,
                _("Welcome! You now represent %(organisation)s at %(table)s.")
                % {"organisation": invitation.membership.organisation, "table": invitation.membership.table},
            )
            return redirect(invitation.membership.table)
    return render(request, "tables/invitation_accept.html", context)
