from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Table
from ..permissions import can_manage_table


def parse_id(value):
    """A submitted id (form field or query parameter), or a 404 for anything that is not
    one: never a server error from the database lookup."""
    text = str(value or "")
    if not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def get_table(request, slug, *, manage=False):
    """The table at `slug` if the user may see it (404 otherwise, so that a private table's
    existence does not leak), and, with `manage`, only if they coordinate it (403)."""
    queryset = Table.objects.visible_to(request.user).select_related("region", "coordinating_organisation")
    table = get_object_or_404(queryset, slug=slug)
    if manage and not can_manage_table(request.user, table):
        raise PermissionDenied
    return table


def add_service_errors(form, error):
    """A service's refusal (ValidationError) beside the field it is about, or above the
    form, which keeps what was typed."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
