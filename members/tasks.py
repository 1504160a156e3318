import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50, ignore_result=True)
def deliver_email(email_id: int) -> bool:
    """Send one outbox email unless it was already sent. The row is locked while sending
    so that a message delivered twice (or the sweeper racing a worker) sends once."""
    from .documents.email import build_message, compose, failure_of
    from .models import OutboxEmail

    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return False
        message = build_message(
            subject=email.subject,
            text=email.body,
            html=email.html
            or compose(subject=email.subject, text=email.body, to=email.to, kind=email.kind).html,
            to=email.to,
            kind=email.kind,
            reply_to=email.reply_to,
        )
        try:
            message.send()
        except Exception as error:
            reason, permanent = failure_of(error)
            OutboxEmail.objects.filter(pk=email.pk).update(
                attempts=MAX_ATTEMPTS if permanent else F("attempts") + 1, error=f"{reason}: {error}"[:1000]
            )
            logger.warning("email %s to %s failed (%s): %s", email.pk, email.to, reason, error)
            return False
        OutboxEmail.objects.filter(pk=email.pk).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, error=""
        )
    logger.info("email %s sent to %s", email_id, ", ".join(email.to))
    return True


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Queue again the emails still unsent a couple of minutes after they were written
    (the broker was down, or the mail server refused them), with a growing wait."""
    from .models import OutboxEmail

    now = timezone.now()
    count = 0
    for email in OutboxEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).only(
        "pk", "created_at", "attempts"
    )[:500]:
        if email.created_at <= now - timedelta(minutes=2 * (2**email.attempts)):
            deliver_email.delay(email.pk)
            count += 1
    return count


DIGEST_BATCH = 200


@shared_task(ignore_result=True)
def send_digests(day: str | None = None) -> int:
    """Queue today's digests by batches of people (Celery beat, each morning). Returns how
    many people have one waiting."""
    from datetime import date

    from .services.notifications import digests_due

    today = date.fromisoformat(day) if day else timezone.localdate()
    people = digests_due(today=today)
    for start in range(0, len(people), DIGEST_BATCH):
        send_digest_batch.delay(people[start : start + DIGEST_BATCH], today.isoformat())
    return len(people)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540, ignore_result=True)
def send_digest_batch(person_ids: list[int], day: str) -> int:
    """The digests of these people. Safe to run twice: what a digest sent is marked in the
    same transaction, so a second run finds nothing left."""
    from datetime import date

    from .models import User
    from .services.notifications import digest_send

    today = date.fromisoformat(day)
    sent = 0
    for person in User.objects.filter(pk__in=person_ids):
        sent += bool(digest_send(person=person, today=today))
    return sent
