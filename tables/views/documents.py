"""Generated documents (PDFs, and the action plan's spreadsheets): ask for one, follow it
being made, download it.

Whoever may not see a document's source gets a 404, whether the document exists or not:
the answers never tell a private meeting's documents apart from missing ones.
"""

import logging

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from ..models import Document
from ..services import documents
from ..services.documents import DocumentKind

logger = logging.getLogger(__name__)

WORKING = {Document.Status.PENDING, Document.Status.RENDERING}


def _source_or_404(user, kind: str, pk) -> tuple[DocumentKind, object]:
    spec = documents.get_kind(kind)
    if spec is None or not str(pk).isdigit():
        raise Http404
    source = spec.load(int(pk))
    if source is None or not spec.can_download(user, source):
        raise Http404
    return spec, source


def _document_or_404(request, pk: int) -> tuple[Document, DocumentKind, object]:
    document = Document.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    spec, source = _source_or_404(request.user, document.kind, document.object_id)
    return document, spec, source


def _file_size(document: Document) -> int | None:
    try:
        return document.file.size
    except (OSError, ValueError):
        return None


def status_context(
    document: Document | None, spec: DocumentKind, source, *, outdated: Document | None = None, next_url=""
) -> dict:
    """What the status partial shows; shared by the views and the panel tag."""
    return {
        "document": document,
        "kind": spec.code,
        "label": spec.label,
        "format": spec.extension.upper(),
        "is_pdf": spec.extension == "pdf",
        "source_id": source.pk,
        "working": document is not None and document.status in WORKING,
        "size": _file_size(document) if document is not None and document.is_ready else None,
        "outdated": outdated,
        "next": next_url,
    }


def _back(request, document: Document) -> str:
    """Where a browser without htmx returns after asking: the page it came from."""
    host = {request.get_host()}
    for candidate in (request.POST.get("next"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(candidate, host, require_https=request.is_secure()):
            return candidate
    return reverse("tables:document-status", args=[document.pk])


@require_POST
def document_request(request):
    """Ask for the PDF of `kind` for source `source`: returns at once, a worker makes it."""
    spec, source = _source_or_404(request.user, request.POST.get("kind", ""), request.POST.get("source", ""))
    document = documents.document_request(
        source=source,
        kind=spec.code,
        language=get_language(),
        by=request.user if request.user.is_authenticated else None,
    )
    if not request.htmx:
        return HttpResponseRedirect(_back(request, document))
    context = status_context(document, spec, source, next_url=request.htmx.current_url_abs_path or "")
    return render(request, "tables/_document_status.html", context)


@require_GET
def document_status(request, pk):
    """The status partial, polled by htmx every second while the document is being made.
    With `?seen=<status>` and nothing new, answers 204 so that htmx leaves the page (and
    screen readers) alone."""
    document, spec, source = _document_or_404(request, pk)
    if document.status in WORKING and request.GET.get("seen") == document.status:
        response = HttpResponse(status=204)
    else:
        next_url = request.htmx.current_url_abs_path if request.htmx else ""
        response = render(
            request, "tables/_document_status.html", status_context(document, spec, source, next_url=next_url)
        )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def document_download(request, pk):
    document, spec, source = _document_or_404(request, pk)
    if not document.is_ready or not document.file:
        raise Http404
    try:
        file = document.file.open("rb")
    except OSError:
        logger.warning("document %s is ready but its file %s is missing", document.pk, document.file.name)
        raise Http404 from None
    # Served with the type of what was made (a plan's CSV is text/csv, not a PDF) and a
    # name ending with its extension.
    response = FileResponse(
        file,
        as_attachment=True,
        filename=spec.file_name(source, document),
        content_type=spec.content_type(document),
    )
    response["Cache-Control"] = "private, no-cache"
    return response
