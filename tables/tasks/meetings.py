import logging
from datetime import timedelta
from email.utils import parseaddr

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from members.documents.email import build_message, compose, failure_of
from members.emails import render_text, site_url
from members.models import EmailKind

from ..calendar import invitation_bytes
from ..models import Attendance, ConvocationDelivery, Coordinator, Meeting, number_items
from ..rsvp import rsvp_token

__all__ = ["send_meeting_emails", "sweep_convocations"]

logger = logging.getLogger(__name__)

# A failed email is tried again after 2, 4, 8, 16 then 32 minutes, then left to the
# coordinator, who sees it on the meeting page and can send it again.
MAX_ATTEMPTS = 5


def _language(person):
    return person.language or settings.LANGUAGE_CODE


def meeting_organizer(meeting: Meeting) -> tuple[str, str, bool]:
    """(name, address, is_a_person) of who convenes: the coordinator who created the
    meeting, else the table's first coordinator, else the platform's own address. Replies
    and calendar answers go there."""
    coordinators = {
        c.person_id: c.person
        for c in Coordinator.objects.filter(table_id=meeting.table_id).select_related("person").order_by("pk")
        if c.person.is_active and c.person.email
    }
    person = coordinators.get(meeting.created_by_id) or next(iter(coordinators.values()), None)
    if person is not None:
        return person.display_name, person.email, True
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "Concertation", address, False


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2**attempts)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def send_meeting_emails(meeting_id: int, kind: str, round_: int) -> int:
    """Send the emails of one round (convocation, update or cancellation) still to send:
    those queued, and those that failed and whose retry time has come. Safe to run twice:
    deliveries already sent are skipped. Returns how many were sent."""
    from ..services.documents import document_ensure_ready

    meeting = Meeting.objects.select_related("table").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    now = timezone.now()
    due = ConvocationDelivery.objects.filter(meeting=meeting, kind=kind, round=round_).filter(
        Q(status=ConvocationDelivery.Status.QUEUED)
        | Q(status=ConvocationDelivery.Status.FAILED, retry_at__lte=now)
    )
    cancelled = kind == ConvocationDelivery.Kind.CANCELLATION
    if meeting.status == Meeting.Status.CANCELLED and not cancelled:
        # Sent late (the broker was down), it would invite people to a cancelled meeting.
        due.update(status=ConvocationDelivery.Status.SKIPPED, retry_at=None)
        return 0
    deliveries = list(due.select_related("person", "membership__organisation"))
    if not deliveries:
        return 0
    items = number_items(list(meeting.items.retained().select_related("presenter")))
    method = "CANCEL" if cancelled else "REQUEST"
    organizer_name, organizer_address, organizer_is_person = meeting_organizer(meeting)
    pdfs = {}
    sent = 0
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        # Each message below opens it again, and records why it could not.
        logger.warning("mail server unreachable for meeting %s: %s", meeting.pk, error)
    try:
        for delivery in deliveries:
            language = _language(delivery.person)
            if not cancelled and language not in pdfs:
                document = document_ensure_ready(source=meeting, kind="agenda", language=language)
                pdfs[language] = document.file.read() if document and document.file else None
            with translation.override(language):
                message = _message(
                    meeting,
                    delivery,
                    kind=kind,
                    items=items,
                    method=method,
                    connection=connection,
                    organizer=(organizer_name, organizer_address),
                    reply_to=organizer_is_person,
                    pdf=pdfs.get(language),
                )
            try:
                message.send()
            except Exception as error:
                _failed(delivery, error)
                # A connection the server dropped is opened again for the next message.
                connection.close()
                continue
            ConvocationDelivery.objects.filter(pk=delivery.pk).update(
                status=ConvocationDelivery.Status.SENT,
                sent_at=timezone.now(),
                error="",
                failure="",
                retry_at=None,
                attempts=delivery.attempts + 1,
            )
            sent += 1
    finally:
        connection.close()
    return sent


def _message(meeting, delivery, *, kind, items, method, connection, organizer, reply_to, pdf):
    person = delivery.person
    answers = []
    if delivery.membership and kind != ConvocationDelivery.Kind.CANCELLATION:
        token = rsvp_token(meeting, delivery.membership, person)
        answers = [
            (label, site_url(reverse("tables:rsvp-signed", args=[token]) + f"?answer={value}"))
            for value, label in Attendance.Response.choices
        ]
    context = {
        "meeting": meeting,
        "table": meeting.table,
        "items": items,
        "delivery": delivery,
        "person": person,
        "kind": kind,
        "meeting_url": site_url(meeting.get_absolute_url()),
        "answers": answers,
    }
    composed = compose(
        subject=render_text("tables/email/meeting_subject.txt", context),
        text=render_text("tables/email/meeting_message.txt", context),
        to=[delivery.email],
        kind=EmailKind.NOTICE,
        html=render_to_string("tables/email/meeting_message.html", context),
    )
    invitation = invitation_bytes(
        meeting, method=method, organizer=organizer, attendee=(person.display_name, delivery.email)
    )
    attachments = [(f"ordre-du-jour-{meeting.pk}.pdf", pdf, "application/pdf")] if pdf else []
    return build_message(
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        to=[delivery.email],
        kind=EmailKind.NOTICE,
        reply_to=[organizer[1]] if reply_to else (),
        attachments=attachments,
        calendar=invitation,
        calendar_method=method,
        connection=connection,
    )


def _failed(delivery, error) -> None:
    reason, permanent = failure_of(error)
    attempts = delivery.attempts + 1
    retry = not permanent and attempts < MAX_ATTEMPTS
    logger.warning("meeting email %s to %s failed (%s): %s", delivery.pk, delivery.email, reason, error)
    ConvocationDelivery.objects.filter(pk=delivery.pk).update(
        status=ConvocationDelivery.Status.FAILED,
        failure=reason,
        error=str(error)[:500],
        attempts=attempts,
        retry_at=timezone.now() + _backoff(attempts) if retry else None,
    )


@shared_task(ignore_result=True)
def sweep_convocations() -> int:
    """Queue again the rounds of meeting emails left unsent for more than five minutes
    (queued while the broker was down), and those with a failed email due for retry."""
    now = timezone.now()
    stale = (
        ConvocationDelivery.objects.filter(
            Q(status=ConvocationDelivery.Status.QUEUED, created_at__lt=now - timedelta(minutes=5))
            | Q(status=ConvocationDelivery.Status.FAILED, retry_at__lte=now)
        )
        .values_list("meeting_id", "kind", "round")
        .distinct()
    )
    rounds = list(stale[:100])
    for meeting_id, kind, round_ in rounds:
        send_meeting_emails.delay(meeting_id, kind, round_)
    return len(rounds)
