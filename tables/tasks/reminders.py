from datetime import date

from celery import shared_task
from django.utils import timezone

__all__ = ["send_reminders"]


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700, ignore_result=True)
def send_reminders(day: str | None = None) -> int:
    """This morning's reminders at every table (Celery beat, daily). Safe to run twice:
    what was told is recorded with the notifications. Returns how many people were told
    of something."""
    from ..services.reminders import reminders_send

    today = date.fromisoformat(day) if day else timezone.localdate()
    return len(reminders_send(today=today))
