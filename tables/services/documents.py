"""Generated documents (PDF): the kinds of document, and the services that ask for one,
make it (in a Celery worker) and find it again.

A kind says where its data comes from (the source model and a context builder), how to
tell cheaply that this data changed (a fingerprint from a few aggregate queries), which
template draws it and who may download it. Later features (action plan, annual bilan,
funding decision letters) add theirs with `register_kind`.

A document is made once per version of its source: asking again while nothing changed
returns the same row. Making it is claimed by a conditional UPDATE, so that two workers
(or a message delivered twice) never both render it.
"""

import contextlib
import hashlib
import logging
import os
import socket
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import Count, F, Max, Prefetch, Q, Sum
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerUnreachable

from members.documents.exports import CONTENT_TYPES
from members.models import User

from ..models import (
    AgendaItem,
    Attendance,
    Document,
    FollowUp,
    Meeting,
    Membership,
    Minutes,
    Resolution,
    Table,
    number_items,
)
from ..pdf import render_pdf
from ..permissions import can_read_minutes, can_see_full_register, can_see_meeting_details
from ..quorum import meeting_quorum

__all__ = [
    "CLAIM_EXPIRES",
    "KINDS",
    "DocumentKind",
    "claim_seconds_left",
    "current_document",
    "document_ensure_ready",
    "document_queue",
    "document_render",
    "document_request",
    "documents_requeue_stuck",
    "fingerprint",
    "get_kind",
    "latest_document",
    "register_kind",
]

logger = logging.getLogger(__name__)

# A worker that claimed a document renews its claim every quarter of this while it draws;
# a claim not renewed for this long belonged to a worker that died (killed, machine
# restarted), and another may take the document.
CLAIM_EXPIRES = timedelta(seconds=settings.DOCUMENT_CLAIM_SECONDS)
# A pending document nobody claimed this long after its task was sent lost its task: the
# sweeper queues it again. One whose task could not be sent (the broker was down) is
# queued again by the first sweep after this short delay (the request may still be
# sending it).
QUEUE_GRACE = timedelta(minutes=2)
NOT_SENT_GRACE = timedelta(seconds=15)
# A document whose rendering keeps killing its worker is given up after this many claims.
MAX_ATTEMPTS = 5
# Errors worth retrying as they are: the database went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
# Queuing a task must not hold a request up when the broker is down: one quick retry, then
# the document waits for the sweeper.
QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
PDF_BASE_TEMPLATE = "tables/pdf/base.html"
PDF_STYLESHEET = "css/pdf.css"


@dataclass(frozen=True)
class DocumentKind:
    """Everything the pipeline needs to know about one kind of document."""

    code: str
    label: str
    model: type[models.Model]
    template: str
    # source -> template context, with every list already evaluated (so that the time
    # spent gathering data and the time spent drawing are measured apart)
    gather: Callable[[Any], dict]
    # source -> a tuple of plain values that changes whenever what the document shows does
    fingerprint: Callable[[Any], tuple]
    can_download: Callable[[User, Any], bool]
    # file names offered on download, per language: {"fr": "ordre-du-jour", "en": "agenda"}
    file_stems: dict[str, str]
    # the date in the file name; None for the day the document was made
    file_date: Callable[[Any], date] | None = None
    # what to select_related when loading a source (for the permission check and gather)
    related: tuple[str, ...] = ()
    # templates the document is drawn with besides `template`
    layout: tuple[str, ...] = (PDF_BASE_TEMPLATE,)
    # Other formats than PDF (a spreadsheet export, say) bring their own drawing:
    # (context, language) -> (bytes, pages or None).
    render: Callable[[dict, str], tuple[bytes, int | None]] | None = None
    extension: str = "pdf"

    def load(self, pk):
        return self.model._default_manager.select_related(*self.related).filter(pk=pk).first()

    def file_extension(self, document: Document) -> str:
        """The format of what was made (its stored file's extension), else this kind's."""
        suffix = PurePosixPath(document.file.name or "").suffix.lstrip(".").lower()
        return suffix or self.extension

    def content_type(self, document: Document) -> str:
        return CONTENT_TYPES.get(self.file_extension(document), "application/octet-stream")

    def file_name(self, source, document: Document) -> str:
        stem = self.file_stems.get(document.language.split("-")[0]) or self.file_stems["en"]
        day = self.file_date(source) if self.file_date else timezone.localtime(document.finished_at).date()
        return f"{stem}-{day:%Y-%m-%d}.{self.file_extension(document)}"


KINDS: dict[str, DocumentKind] = {}


def register_kind(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> DocumentKind | None:
    return KINDS.get(code)


# Fingerprints ------------------------------------------------------------------------------


@cache
def _layout_digest(templates: tuple[str, ...]) -> str:
    """The templates, stylesheet and translations a kind is drawn with: a deploy that
    changes any of them makes new documents instead of serving the old ones."""
    digest = hashlib.blake2b(digest_size=8)
    for name in templates:
        digest.update(get_template(name).template.source.encode())
    stylesheet = finders.find(PDF_STYLESHEET)
    if stylesheet:
        digest.update(Path(stylesheet).read_bytes())
    for locale in settings.LOCALE_PATHS:
        for catalogue in sorted(Path(locale).glob("*/LC_MESSAGES/django.mo")):
            digest.update(catalogue.read_bytes())
    return digest.hexdigest()


def fingerprint(source, kind: str, memo: dict | None = None) -> str:
    """A digest of what the document of `kind` for `source` shows (40 characters).

    Kinds drawn from the same data (a plan's PDF, spreadsheet and CSV) share their
    aggregate queries through `memo`, a dict that lives no longer than one page's
    rendering: the data cannot change in between."""
    spec = KINDS[kind]
    if memo is None:
        data = spec.fingerprint(source)
    else:
        key = (spec.fingerprint, type(source), source.pk)
        if key not in memo:
            memo[key] = spec.fingerprint(source)
        data = memo[key]
    material = repr((spec.code, _layout_digest((spec.template, *spec.layout)), data))
    return hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


def _retained_items_state(meeting_id: int, *, notes: bool = False) -> dict:
    retained = AgendaItem.objects.filter(meeting_id=meeting_id, status=AgendaItem.Status.RETAINED)
    aggregates = {
        "count": Count("pk"),
        "changed": Max("updated_at"),
        # Reordering updates positions without touching updated_at.
        "order": Sum(F("position") * F("pk")),
        "presenters": Max("presenter__updated_at"),
    }
    if notes:
        aggregates |= {"notes": Count("minutes_note"), "notes_changed": Max("minutes_note__updated_at")}
    return retained.aggregate(**aggregates)


def _agenda_fingerprint(meeting: Meeting) -> tuple:
    today = timezone.localdate()
    follow_ups = (
        FollowUp.objects.open()
        .filter(table_id=meeting.table_id)
        .aggregate(
            count=Count("pk"),
            changed=Max("updated_at"),
            overdue=Count("pk", filter=Q(due__lt=today)),
            organisations=Max("organisation__updated_at"),
        )
    )
    return (
        meeting.updated_at,
        meeting.table.updated_at,
        meeting.table.logo.name,
        _retained_items_state(meeting.pk),
        follow_ups,
    )


def _minutes_fingerprint(minutes: Minutes) -> tuple:
    meeting = minutes.meeting
    resolutions = Resolution.objects.filter(
        Q(meeting_id=meeting.pk) | Q(corrects_id=minutes.pk) | Q(ratification_meeting_id=meeting.pk)
    ).aggregate(
        count=Count("pk", distinct=True),
        changed=Max("updated_at"),
        dissenting=Count("dissenting"),
    )
    follow_ups = FollowUp.objects.filter(meeting_id=meeting.pk).aggregate(
        count=Count("pk"), changed=Max("updated_at")
    )
    # Attendance rows carry no update time: their few values are the fingerprint.
    attendance = list(
        Attendance.objects.filter(meeting_id=meeting.pk)
        .order_by("pk")
        .values_list(
            "membership_id", "present", "attendee_id", "attendee_role", "arrived_at", "left_at", "note"
        )
    )
    return (
        minutes.updated_at,
        minutes.status,
        minutes.adopted_by_id,
        meeting.updated_at,
        meeting.table.updated_at,
        meeting.table.logo.name,
        _retained_items_state(meeting.pk, notes=True),
        resolutions,
        follow_ups,
        attendance,
    )


def _register_fingerprint(table: Table) -> tuple:
    resolutions = Resolution.objects.filter(table_id=table.pk).aggregate(
        count=Count("pk"),
        changed=Max("updated_at"),
        meetings=Max("meeting__updated_at"),
        adopted=Count("pk", filter=Q(meeting__minutes__status=Minutes.Status.ADOPTED)),
        ratified=Count("pk", filter=Q(ratification_meeting__minutes__status=Minutes.Status.ADOPTED)),
    )
    return (table.updated_at, table.logo.name, resolutions)


# What each document shows ------------------------------------------------------------------


def _sort_key(text: str) -> str:
    """Alphabetical order as a reader expects it: École between Écho and Entraide."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _agenda_context(meeting: Meeting) -> dict:
    items = number_items(list(meeting.items.retained().select_related("presenter")))
    follow_ups = list(
        FollowUp.objects.open()
        .filter(table_id=meeting.table_id)
        .select_related("organisation")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )
    return {
        "table": meeting.table,
        "meeting": meeting,
        "items": items,
        "follow_ups": follow_ups,
        "ratified": list(meeting.ratified_resolutions.order_by("number")),
        "total_minutes": sum(item.duration_minutes for item in items),
    }


def _attendance_rows(meeting: Meeting) -> tuple[list, list, list]:
    """Invited organisations (and any other that came), present or absent, by name."""
    attendances = list(meeting.attendances.select_related("membership__organisation", "attendee"))
    by_membership = {attendance.membership_id: attendance for attendance in attendances}
    memberships = {m.pk: m for m in meeting.invited_memberships().select_related("organisation")}
    for attendance in attendances:
        memberships.setdefault(attendance.membership_id, attendance.membership)
    rows = sorted(
        (
            SimpleNamespace(
                organisation=membership.organisation,
                observer=membership.status == Membership.Status.OBSERVER,
                attendance=by_membership.get(membership.pk),
            )
            for membership in memberships.values()
        ),
        key=lambda row: _sort_key(row.organisation.name),
    )
    present = [row for row in rows if row.attendance and row.attendance.present]
    absent = [row for row in rows if not (row.attendance and row.attendance.present)]
    return present, absent, attendances


def _minutes_context(minutes: Minutes) -> dict:
    meeting = minutes.meeting
    present, absent, attendances = _attendance_rows(meeting)
    resolutions = (
        Resolution.objects.filter(meeting=meeting)
        .select_related("proposed_by__organisation", "seconded_by__organisation")
        .prefetch_related(
            Prefetch(
                "dissenting",
                queryset=Membership.objects.select_related("organisation"),
                to_attr="dissenting_list",
            )
        )
        .order_by("number")
    )
    by_item = {}
    for resolution in resolutions:
        by_item.setdefault(resolution.item_id, []).append(resolution)
    items = number_items(list(meeting.items.retained().select_related("minutes_note")))
    for item in items:
        note = getattr(item, "minutes_note", None)
        item.note_text = note.text if note else ""
        item.resolution_list = by_item.pop(item.pk, [])
    # Resolutions recorded outside any retained item still belong in the minutes.
    others = [resolution for group in by_item.values() for resolution in group]
    if others:
        items.append(
            SimpleNamespace(
                number="",
                display_title=_("Other resolutions"),
                note_text="",
                resolution_list=sorted(others, key=lambda r: r.number),
            )
        )
    follow_ups = list(
        FollowUp.objects.filter(meeting=meeting)
        .select_related("organisation", "person", "resolution")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )
    corrections = list(
        Resolution.objects.filter(corrects=minutes).select_related("meeting").order_by("number")
    )
    return {
        "table": meeting.table,
        "meeting": meeting,
        "minutes": minutes,
        "present": present,
        "absent": absent,
        "quorum": meeting_quorum(meeting, attendances=attendances),
        "items": items,
        "follow_ups": follow_ups,
        "corrections": corrections,
        "ratified": list(meeting.ratified_resolutions.order_by("number")),
    }


def _register_context(table: Table) -> dict:
    resolutions = list(
        Resolution.objects.filter(table=table)
        .select_related(
            "meeting__minutes",
            "ratification_meeting__minutes",
            "proposed_by__organisation",
            "seconded_by__organisation",
            "corrects__meeting",
        )
        .order_by("number")
    )
    for resolution in resolutions:
        minutes = getattr(resolution.meeting, "minutes", None)
        resolution.in_adopted_minutes = bool(minutes and minutes.is_adopted)
    return {"table": table, "resolutions": resolutions}


register_kind(
    DocumentKind(
        code=Document.Kind.AGENDA.value,
        label=Document.Kind.AGENDA.label,
        model=Meeting,
        template="tables/pdf/agenda.html",
        gather=_agenda_context,
        fingerprint=_agenda_fingerprint,
        can_download=can_see_meeting_details,
        file_stems={"fr": "ordre-du-jour", "en": "agenda"},
        file_date=lambda meeting: meeting.date,
        related=("table", "committee"),
    )
)
register_kind(
    DocumentKind(
        code=Document.Kind.MINUTES.value,
        label=Document.Kind.MINUTES.label,
        model=Minutes,
        template="tables/pdf/minutes.html",
        gather=_minutes_context,
        fingerprint=_minutes_fingerprint,
        # The minutes page's rule: a secretary from outside the table reads what they write.
        can_download=can_read_minutes,
        file_stems={"fr": "proces-verbal", "en": "minutes"},
        file_date=lambda minutes: minutes.meeting.date,
        related=("meeting__table", "meeting__committee", "meeting__secretary", "chair", "adopted_by"),
    )
)
register_kind(
    DocumentKind(
        code=Document.Kind.REGISTER.value,
        label=Document.Kind.REGISTER.label,
        model=Table,
        template="tables/pdf/register.html",
        gather=_register_context,
        fingerprint=_register_fingerprint,
        # Everything in the register, drafts included, is for the table's insiders; the
        # public reads adopted resolutions in the published minutes.
        can_download=can_see_full_register,
        file_stems={"fr": "registre-des-resolutions", "en": "resolution-register"},
    )
)


# Asking for a document ---------------------------------------------------------------------


def _language(language: str) -> str:
    return get_supported_language_variant(language or settings.LANGUAGE_CODE)


def _source_filter(source, kind: str, language: str) -> dict:
    return {
        "content_type": ContentType.objects.get_for_model(source),
        "object_id": source.pk,
        "kind": kind,
        "language": _language(language),
    }


def current_document(source, kind: str, language: str, memo: dict | None = None) -> Document | None:
    """The document showing the current version of `source`, whatever its status."""
    return Document.objects.filter(
        **_source_filter(source, kind, language), source_version=fingerprint(source, kind, memo)
    ).first()


def latest_document(source, kind: str, language: str) -> Document | None:
    """The most recently made PDF of `source`, even if the source changed since."""
    return (
        Document.objects.filter(**_source_filter(source, kind, language), status=Document.Status.READY)
        .order_by("-finished_at", "-pk")
        .first()
    )


def _reopen(document: Document) -> bool:
    """Put a failed document back in the queue's hands; False if someone else did."""
    changes = {
        "status": Document.Status.PENDING,
        "error": "",
        "attempts": 0,
        # asking again is a new request: the sweeper counts from now
        "created_at": timezone.now(),
        "started_at": None,
        "alive_at": None,
        "claimed_by": "",
        "finished_at": None,
    }
    reopened = Document.objects.filter(pk=document.pk, status=Document.Status.FAILED).update(**changes)
    if reopened:
        for field, value in changes.items():
            setattr(document, field, value)
    return bool(reopened)


def document_queue(document_id: int) -> bool:
    """Send the render task. With the broker unreachable the document stays pending and
    `documents_requeue_stuck` queues it later; returns whether it was sent."""
    from ..tasks.documents import render_document

    try:
        render_document.apply_async((document_id,), retry_policy=QUICK_RETRY)
    except BrokerUnreachable as error:
        logger.warning(
            "document %s waits for the sweeper: the task queue is unreachable (%s)", document_id, error
        )
        return False
    Document.objects.filter(pk=document_id).update(queued_at=timezone.now())
    return True


def document_request(*, source, kind: str, language: str, by: User | None = None) -> Document:
    """The document of `kind` for the current version of `source`, created and queued if
    new (or failed), then returned at once: a worker makes it.

    Asking again while nothing changed returns the same document.
    """
    document, created = Document.objects.get_or_create(
        **_source_filter(source, kind, language),
        source_version=fingerprint(source, kind),
        defaults={"requested_by": by},
    )
    if created or (document.status == Document.Status.FAILED and _reopen(document)):
        transaction.on_commit(lambda: document_queue(document.pk))
    return document


# Making it (in a worker) -------------------------------------------------------------------


def _claim_expired(document: Document, now) -> bool:
    return (
        document.status == Document.Status.RENDERING
        and document.alive_at is not None
        and document.alive_at < now - CLAIM_EXPIRES
    )


def claim_seconds_left(document: Document) -> int:
    """Seconds until a rendering document's claim expires (0 if it is not claimed)."""
    if document.status != Document.Status.RENDERING or document.alive_at is None:
        return 0
    left = document.alive_at + CLAIM_EXPIRES - timezone.now()
    return max(0, int(left.total_seconds()) + 1)


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@contextlib.contextmanager
def _keep_claim(document: Document):
    """Renew the claim from a side thread while the document is drawn, so that a long
    render keeps it and a dead worker loses it within CLAIM_EXPIRES. The thread has its
    own database connection, closed when it ends."""
    stop = threading.Event()

    def renew():
        try:
            while not stop.wait(CLAIM_EXPIRES.total_seconds() / 4):
                Document.objects.filter(
                    pk=document.pk, status=Document.Status.RENDERING, attempts=document.attempts
                ).update(alive_at=timezone.now())
        except Exception:
            logger.warning("could not renew the claim on document %s", document.pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"claim-{document.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _fail(document: Document, error: str, **conditions) -> Document:
    Document.objects.filter(pk=document.pk, **conditions).update(
        status=Document.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    document.refresh_from_db()
    return document


def _claim(document: Document) -> bool:
    """Take the document for this worker. A conditional UPDATE on the status and number of
    attempts we read: of two workers, only one changes the row."""
    document.refresh_from_db()
    now = timezone.now()
    if document.status != Document.Status.PENDING and not _claim_expired(document, now):
        return False
    if document.attempts >= MAX_ATTEMPTS:
        _fail(
            document,
            f"Given up after {document.attempts} attempts: each stopped the worker before it finished.",
            status=document.status,
            attempts=document.attempts,
        )
        return False
    claimed = Document.objects.filter(
        pk=document.pk, status=document.status, attempts=document.attempts
    ).update(
        status=Document.Status.RENDERING,
        attempts=F("attempts") + 1,
        started_at=now,
        alive_at=now,
        claimed_by=_this_worker(),
    )
    if claimed:
        document.refresh_from_db()
    return bool(claimed)


def _store(document: Document, pdf: bytes, extension: str = "pdf") -> str:
    """Save under a name fixed by the document, replacing what an interrupted attempt
    left, so that a document has one file however many times it was tried."""
    storage = document.file.storage
    name = (
        f"documents/{document.kind}/{document.object_id}/"
        f"{document.kind}-{document.object_id}-{document.language}-{document.source_version[:12]}.{extension}"
    )
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(pdf))


def _describe(error: Exception) -> str:
    if isinstance(error, SoftTimeLimitExceeded):
        return "Making the PDF took longer than the time allowed."
    return f"{type(error).__name__}: {error}"


def document_render(document: Document) -> Document:
    """Make the PDF of a pending document, in the worker: claim it, gather the data, draw
    it, save the file and record the timings. On error the document is failed with the
    reason (asking again retries it). A transient database error is raised again, with the
    document given back, for the task to retry.

    Does nothing to a document that is ready, failed, or being made by another worker.
    """
    if not _claim(document):
        return document
    claimed = {"status": Document.Status.RENDERING, "attempts": document.attempts}
    spec = KINDS.get(document.kind)
    if spec is None:
        return _fail(document, f"Unknown kind of document: {document.kind}", **claimed)
    try:
        source = spec.load(document.object_id)
        if source is None:
            return _fail(document, "What this document showed no longer exists.", **claimed)
        with _keep_claim(document):
            started = time.perf_counter()
            context = spec.gather(source)
            gathered = time.perf_counter()
            if spec.render is not None:
                pdf, pages = spec.render({**context, "made_at": timezone.now()}, document.language)
            else:
                pdf, pages = render_pdf(
                    spec.template, {**context, "made_at": timezone.now()}, language=document.language
                )
            rendered = time.perf_counter()
            name = _store(document, pdf, spec.extension)
    except TRANSIENT_ERRORS:
        # Give the document back for the retry; if even that fails, the claim expires.
        with contextlib.suppress(*TRANSIENT_ERRORS):
            Document.objects.filter(pk=document.pk, **claimed).update(status=Document.Status.PENDING)
        raise
    except Exception as error:
        logger.exception("document %s (%s) could not be made", document.pk, document.kind)
        return _fail(document, _describe(error), **claimed)
    Document.objects.filter(pk=document.pk, **claimed).update(
        status=Document.Status.READY,
        file=name,
        pages=pages,
        gather_ms=round((gathered - started) * 1000),
        render_ms=round((rendered - gathered) * 1000),
        finished_at=timezone.now(),
        error="",
    )
    document.refresh_from_db()
    logger.info(
        "document %s (%s, %s pages) made: gather %s ms, render %s ms",
        document.pk,
        document.kind,
        document.pages,
        document.gather_ms,
        document.render_ms,
    )
    return document


def document_ensure_ready(
    *, source, kind: str, language: str, wait: timedelta = timedelta(seconds=60)
) -> Document | None:
    """A ready document for the current version of `source`, made here and now if needed:
    for a task that needs the file itself (the convocation email attaches the agenda).
    Waits up to `wait` for another worker already making it; None if it cannot be made."""
    document, _created = Document.objects.get_or_create(
        **_source_filter(source, kind, language), source_version=fingerprint(source, kind)
    )
    if document.status == Document.Status.FAILED:
        _reopen(document)
    if not document.is_ready:
        document = document_render(document)
    deadline = time.monotonic() + wait.total_seconds()
    while (
        document.status in {Document.Status.PENDING, Document.Status.RENDERING}
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
        document.refresh_from_db()
    return document if document.is_ready else None


def documents_requeue_stuck() -> int:
    """Queue again the documents nobody is making: pending for a while (their task was
    lost, e.g. asked while the broker was down) or claimed by a worker that died. Returns
    how many were queued."""
    now = timezone.now()
    stuck = Document.objects.filter(
        Q(status=Document.Status.PENDING, queued_at=None, created_at__lt=now - NOT_SENT_GRACE)
        | Q(status=Document.Status.PENDING, queued_at__lt=now - QUEUE_GRACE)
        | Q(status=Document.Status.RENDERING, alive_at__lt=now - CLAIM_EXPIRES)
    ).values_list("pk", flat=True)
    return sum(document_queue(pk) for pk in stuck[:500])
