from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Application, FundingCall
from ..permissions import can_view_call


def get_call(request, pk, *, check=None) -> FundingCall:
    """The call `pk` if the user may see it (404 otherwise: a draft call does not leak),
    then, with `check`, only if check(user, call) holds (403)."""
    call = get_object_or_404(
        FundingCall.objects.select_related("table", "table__region").prefetch_related(
            "shares__funder__organisation"
        ),
        pk=pk,
    )
    if not can_view_call(request.user, call):
        raise Http404
    if check is not None and not check(request.user, call):
        raise PermissionDenied
    return call


def get_application(call: FundingCall, pk, *, submitted=True) -> Application:
    """An application of this call (another call's id gives a 404); drafts are the
    applicants' own and never shown here."""
    queryset = Application.objects.filter(call=call).select_related(
        "project__lead", "project__table", "resolution"
    )
    if submitted:
        queryset = queryset.exclude(status=Application.Status.DRAFT)
    application = get_object_or_404(queryset, pk=pk)
    application.call = call
    return application
