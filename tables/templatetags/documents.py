"""{% document_panel source "agenda" %}: the PDF of a source, to ask for and download."""

from django import template
from django.utils.translation import get_language

from ..services import documents
from ..views.documents import status_context

register = template.Library()


@register.inclusion_tag("tables/_document_panel.html", takes_context=True)
def document_panel(context, source, kind):
    """A small panel with the state of the PDF of `kind` for `source` and the button that
    makes or downloads it; nothing for someone who may not download it. Costs the same few
    queries whatever the source holds (its fingerprint's aggregates, computed once a page for
    kinds that share them, and two lookups)."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    spec = documents.get_kind(kind)
    if spec is None or source is None or user is None or not spec.can_download(user, source):
        return {"visible": False}
    language = get_language()
    # One page's panels of kinds with the same data compute its fingerprint once.
    memo = context.render_context.setdefault("document_fingerprints", {})
    document = documents.current_document(source, kind, language, memo)
    outdated = None
    if document is None or not document.is_ready:
        outdated = documents.latest_document(source, kind, language)
    next_url = request.get_full_path() if request is not None else ""
    return {
        **status_context(document, spec, source, outdated=outdated, next_url=next_url),
        "visible": True,
        "panel_id": f"document-{kind}-{source.pk}",
        "csrf_token": context.get("csrf_token"),
    }
