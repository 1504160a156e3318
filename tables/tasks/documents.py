"""Making generated documents (PDF) in the worker.

`render_document` may run twice for the same document (a message delivered again after
its worker died, the sweeper queuing a document whose message was only late): the claim
in `document_render` makes sure only one run draws it, and the file name is fixed, so
the outcome is one ready document and one file.
"""

from celery import shared_task

from ..models import Document
from ..services import documents

__all__ = ["render_document", "sweep_documents"]

# A render past the hard limit is killed with its process, and so stops renewing its
# claim: another worker takes the document once the claim expires.
RENDER_SOFT_TIME_LIMIT = 120
RENDER_TIME_LIMIT = 150


@shared_task(
    bind=True,
    # Acknowledged once done, and given back to the queue if the worker process dies:
    # a render interrupted half-way is done again, never lost.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RENDER_SOFT_TIME_LIMIT,
    time_limit=RENDER_TIME_LIMIT,
    autoretry_for=documents.TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def render_document(self, document_id: int) -> str | None:
    """Make the PDF of one document. Returns its status."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.is_ready:
        return None
    if documents.claim_seconds_left(document):
        # Another worker holds the claim; if it died, the claim expires and this message,
        # delivered again, does the work.
        raise self.retry(countdown=documents.claim_seconds_left(document))
    return documents.document_render(document).status


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_documents() -> int:
    """Queue again documents stuck waiting (asked while the broker was down, or left by a
    worker that died). Run every minute by Celery beat."""
    return documents.documents_requeue_stuck()
