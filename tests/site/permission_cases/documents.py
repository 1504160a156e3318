"""Generated documents (PDF): asking for one, following it, downloading it.

The agenda, draft minutes and register are for the table's insiders; adopted minutes of a
public table that publishes them are for everyone. Anyone else gets 404, never a hint.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from tables.models import Document, Minutes
from tables.services import documents

from . import REDIRECT, VIEW_B, Case, roles

INSIDERS_A = roles(404, delegate_a=200, coordinator=200, admin=200)
INSIDERS_A_POST = roles(404, delegate_a=REDIRECT, coordinator=REDIRECT, admin=REDIRECT)
INSIDERS_B_POST = roles(404, delegate_b=REDIRECT, admin=REDIRECT)


def draft_minutes(w):
    return Minutes.objects.get_or_create(meeting=w.past_meeting_a)[0]


def published_minutes(w):
    """Adopted minutes of table A, which publishes them."""
    w.table_a.publish_minutes = True
    w.table_a.save()
    minutes = draft_minutes(w)
    Minutes.objects.filter(pk=minutes.pk).update(status=Minutes.Status.ADOPTED, adopted_at=timezone.now())
    return minutes


def ready(source, kind):
    """A ready document of `source`, with a stand-in file (nothing is drawn)."""
    source = documents.get_kind(kind).load(source.pk)
    document = documents.document_request(source=source, kind=kind, language="fr-ca")
    document.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.READY, file=document.file.name, pages=1, finished_at=timezone.now()
    )
    return document


def pk_of(source, kind):
    return lambda w: {"pk": ready(source(w), kind).pk}


SOURCES = [
    # (label, kind, source, who may see it, who may ask for it)
    ("agenda", "agenda", lambda w: w.meeting_a, INSIDERS_A, INSIDERS_A_POST),
    ("agenda-private", "agenda", lambda w: w.meeting_b, VIEW_B, INSIDERS_B_POST),
    ("minutes-draft", "minutes", draft_minutes, INSIDERS_A, INSIDERS_A_POST),
    ("minutes-published", "minutes", published_minutes, roles(200), roles(REDIRECT)),
    ("register", "register", lambda w: w.table_a, INSIDERS_A, INSIDERS_A_POST),
    ("register-private", "register", lambda w: w.table_b, VIEW_B, INSIDERS_B_POST),
]


def _request_data(kind, source):
    return lambda w: {"kind": kind, "source": source(w).pk}


CASES = [
    case
    for label, kind, source, view, ask in SOURCES
    for case in (
        Case("tables:document-request", ask, method="post", data=_request_data(kind, source), label=label),
        Case("tables:document-status", view, pk_of(source, kind), label=label),
        Case("tables:document-download", view, pk_of(source, kind), label=label),
    )
]
