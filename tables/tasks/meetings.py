import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from members.emails import site_url

from ..calendar import calendar_bytes
from ..models import Attendance, ConvocationDelivery, Meeting, number_items
from ..rsvp import rsvp_token

__all__ = ["send_meeting_emails", "sweep_convocations"]

logger = logging.getLogger(__name__)


def _language(person):
    return person.language or settings.LANGUAGE_CODE


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def send_meeting_emails(meeting_id: int, kind: str, round_: int) -> int:
    """Send the queued emails of one round (convocation, update or cancellation). Safe to
    run twice: deliveries already sent are skipped. Returns how many were sent."""
    from ..services.documents import document_ensure_ready

    meeting = Meeting.objects.select_related("table").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    deliveries = list(
        ConvocationDelivery.objects.filter(meeting=meeting, kind=kind, round=round_)
        .exclude(status=ConvocationDelivery.Status.SENT)
        .select_related("person", "membership__organisation")
    )
    if not deliveries:
        return 0
    items = number_items(list(meeting.items.retained().select_related("presenter")))
    method = "CANCEL" if kind == ConvocationDelivery.Kind.CANCELLATION else "REQUEST"
    ics = calendar_bytes(
        [meeting], name=meeting.table.name, method=method, organizer=settings.DEFAULT_FROM_EMAIL
    )
    pdfs = {}
    sent = 0
    for delivery in deliveries:
        language = _language(delivery.person)
        if kind != ConvocationDelivery.Kind.CANCELLATION and language not in pdfs:
            document = document_ensure_ready(source=meeting, kind="agenda", language=language)
            pdfs[language] = document.file.read() if document and document.file else None
        with translation.override(language):
            context = {
                "meeting": meeting,
                "table": meeting.table,
                "items": items,
                "delivery": delivery,
                "person": delivery.person,
                "kind": kind,
                "meeting_url": site_url(meeting.get_absolute_url()),
                "answers": [
                    (
                        label,
                        site_url(
                            reverse(
                                "tables:rsvp-signed",
                                args=[rsvp_token(meeting, delivery.membership, delivery.person)],
                            )
                            + f"?answer={value}"
                        ),
                    )
                    for value, label in Attendance.Response.choices
                ]
                if delivery.membership and kind != ConvocationDelivery.Kind.CANCELLATION
                else [],
            }
            subject = " ".join(render_to_string("tables/email/meeting_subject.txt", context).split())
            body = render_to_string("tables/email/meeting_message.txt", context)
        message = EmailMultiAlternatives(subject=subject, body=body, to=[delivery.email])
        if pdfs.get(language):
            message.attach(f"ordre-du-jour-{meeting.pk}.pdf", pdfs[language], "application/pdf")
        message.attach("invitation.ics", ics, f"text/calendar; method={method}")
        try:
            message.send()
        except Exception as error:
            logger.warning("meeting email to %s failed: %s", delivery.email, error)
            ConvocationDelivery.objects.filter(pk=delivery.pk).update(
                status=ConvocationDelivery.Status.FAILED, error=str(error)[:500]
            )
            continue
        with transaction.atomic():
            ConvocationDelivery.objects.filter(pk=delivery.pk).update(
                status=ConvocationDelivery.Status.SENT, sent_at=timezone.now(), error=""
            )
        sent += 1
    return sent


@shared_task(ignore_result=True)
def sweep_convocations() -> int:
    """Queue again the rounds of meeting emails left unsent for more than five minutes
    (queued while the broker was down)."""
    from datetime import timedelta

    stale = (
        ConvocationDelivery.objects.filter(
            status=ConvocationDelivery.Status.QUEUED, created_at__lt=timezone.now() - timedelta(minutes=5)
        )
        .values_list("meeting_id", "kind", "round")
        .distinct()
    )
    rounds = list(stale[:100])
    for meeting_id, kind, round_ in rounds:
        send_meeting_emails.delay(meeting_id, kind, round_)
    return len(rounds)
