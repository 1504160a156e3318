"""Tasks of the shared regional calendar."""

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from members.emails import bilingual_line, queue_email, render_bilingual, site_url
from members.models import EmailKind

from ..models import Activity, ActivityConflictNotice
from ..regional import activity_conflicts, conflicts_among

__all__ = ["notify_activity_conflicts", "sweep_activity_conflicts"]


def _recipients(*activities):
    """The organisations' general addresses and the people who declared the activities."""
    addresses = []
    for activity in activities:
        if activity.organisation.email:
            addresses.append(activity.organisation.email.lower())
        person = activity.declared_by
        if person is not None and person.is_active and person.email:
            addresses.append(person.email.lower())
    return list(dict.fromkeys(addresses))


def _notify(first: Activity, second: Activity) -> bool:
    """Record the conflict of `first` and `second` (first.pk < second.pk) and queue the
    email to their organisations, unless it was recorded before. True when queued."""
    with transaction.atomic():
        _notice, created = ActivityConflictNotice.objects.get_or_create(first=first, second=second)
        recipients = _recipients(first, second) if created else []
        if not recipients:
            return False
        context = {
            "first": first,
            "second": second,
            "first_url": site_url(reverse("tables:activity-detail", args=[first.pk])),
            "second_url": site_url(reverse("tables:activity-detail", args=[second.pk])),
            "calendar_url": site_url(reverse("tables:activity-calendar")),
        }
        subject = bilingual_line("tables/email/activity_conflict_subject.txt", context)
        body = render_bilingual("tables/email/activity_conflict_message.txt", context)
        # The outbox rows are written in the same transaction as the notice: both or neither.
        # One message per person, so that each can turn these off for themselves.
        for address in recipients:
            queue_email(subject=subject, body=body, to=[address], kind=EmailKind.REGIONAL)
    return True


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def notify_activity_conflicts(activity_id: int) -> int:
    """Tell the organisations of `activity` and of each activity it conflicts with, once per
    conflict (ActivityConflictNotice). Safe to run twice. Returns how many conflicts were
    notified."""
    activity = (
        Activity.objects.select_related("organisation", "region", "declared_by")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        return 0
    notified = 0
    for other in activity_conflicts(activity):
        first, second = sorted([activity, other], key=lambda a: a.pk)
        notified += _notify(first, second)
    return notified


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def sweep_activity_conflicts() -> int:
    """Notify the conflicts among activities still to come that nobody was told about —
    when the broker was down as an activity was saved, its task never ran. Meant for the
    beat schedule (hourly is plenty)."""
    upcoming = list(
        Activity.objects.filter(ends__gte=timezone.localdate()).select_related(
            "organisation", "region", "declared_by"
        )
    )
    by_id = {activity.pk: activity for activity in upcoming}
    pairs = {
        (min(activity_id, other.pk), max(activity_id, other.pk))
        for activity_id, others in conflicts_among(upcoming).items()
        for other in others
    }
    done = set(
        ActivityConflictNotice.objects.filter(first__in=list(by_id)).values_list("first_id", "second_id")
    )
    return sum(_notify(by_id[first], by_id[second]) for first, second in sorted(pairs - done))
