"""Notifications: what happened for whom, on the site and by email as each person chose,
and the digests that gather what waited."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..documents.email import one_line
from ..emails import queue_email, render_text, site_url
from ..models import DEFAULT_DELIVERY, EmailKind, Notification, NotificationPreference, User
from ..permissions import may_see

__all__ = ["digest_send", "digests_due", "notify", "preferences_of", "preferences_save", "without_email"]

# Demo data is built through the same services as real work; its people are fictitious
# and must not be written to, but their notifications make the demo what a table sees.
_without_email = ContextVar("without_email", default=False)


@contextmanager
def without_email():
    """Notifications are written while inside, and no email leaves."""
    token = _without_email.set(True)
    try:
        yield
    finally:
        _without_email.reset(token)


Delivery = NotificationPreference.Delivery


def preferences_of(person: User) -> dict[str, str]:
    """kind → delivery for every kind, the person's choice or the default."""
    chosen = dict(person.notification_preferences.values_list("kind", "delivery"))
    return {
        kind: chosen.get(kind, DEFAULT_DELIVERY.get(kind, Delivery.IMMEDIATE)) for kind in Notification.Kind
    }


@transaction.atomic
def preferences_save(*, person: User, deliveries: dict[str, str], digest_weekday: int) -> None:
    for kind, delivery in deliveries.items():
        NotificationPreference.objects.update_or_create(
            person=person, kind=kind, defaults={"delivery": delivery}
        )
    if person.digest_weekday != digest_weekday:
        person.digest_weekday = digest_weekday
        person.save(update_fields=["digest_weekday"])


def notify(
    *, people, kind: str, template: str, context: dict, email_kind: str, reply_to=None, each=None, about=None
) -> int:
    """Tell each person that `kind` happened: a notification in their list, written in
    their language from `<template>_subject.txt` (its title) and `<template>_message.txt`,
    and the email at once, later in their digest, or never, as they chose. `each` maps a
    person's id to what only their message says (their organisation's items, their link),
    over the shared `context`: one call tells a whole table. Call it inside the
    transaction of the change: both are saved, or neither. `about` is the object it is
    about: a digest sent later leaves the notification out for whoever may no longer see
    it. Returns how many people were told."""
    people = [person for person in people if person.is_active]
    if not people:
        return 0
    chosen = dict(
        NotificationPreference.objects.filter(person__in=people, kind=kind).values_list(
            "person_id", "delivery"
        )
    )
    default = DEFAULT_DELIVERY.get(kind, Delivery.IMMEDIATE)
    subject_type = ContentType.objects.get_for_model(about) if about is not None else None
    notifications = []
    for person in people:
        delivery = chosen.get(person.pk, default)
        with translation.override(person.language or settings.LANGUAGE_CODE):
            values = {**context, **(each or {}).get(person.pk, {}), "person": person}
            subject = render_text(f"{template}_subject.txt", values)
            body = render_text(f"{template}_message.txt", values)
            state = Notification.Email.NONE
            if person.email and not _without_email.get():
                if delivery == Delivery.IMMEDIATE:
                    queued = queue_email(
                        subject=subject, body=body, to=[person.email], kind=email_kind, reply_to=reply_to
                    )
                    if queued is not None:
                        state = Notification.Email.SENT
                elif delivery in (Delivery.DAILY, Delivery.WEEKLY):
                    state = delivery
        notifications.append(
            Notification(
                recipient=person,
                kind=kind,
                title=one_line(subject)[:300],
                text=body.strip(),
                url=_path(values.get("url", ""))[:500],
                email=state,
                subject_type=subject_type,
                subject_id=about.pk if about is not None else None,
            )
        )
    Notification.objects.bulk_create(notifications)
    return len(notifications)


def _path(url: str) -> str:
    """A page of this site, kept as its path: links stay right if the site moves."""
    return url.removeprefix(settings.SITE_URL) if url.startswith(settings.SITE_URL) else url


def still_visible(person: User, notifications: list[Notification]) -> list[Notification]:
    """The notifications whose subject `person` may still see now (those about nothing in
    particular are kept; those whose subject was deleted are not). One query per kind of
    subject."""
    wanted: dict[int, set[int]] = {}
    for item in notifications:
        if item.subject_type_id is not None:
            wanted.setdefault(item.subject_type_id, set()).add(item.subject_id)
    subjects = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            subjects[(type_id, obj.pk)] = obj
    kept = []
    for item in notifications:
        if item.subject_type_id is None:
            kept.append(item)
            continue
        subject = subjects.get((item.subject_type_id, item.subject_id))
        if subject is not None and may_see(person, subject):
            kept.append(item)
    return kept


def digests_due(*, today: date):
    """Ids of the people with something waiting for today's digest: every daily one, and
    the weekly ones on the weekday each chose."""
    daily = Notification.objects.filter(email=Notification.Email.DAILY).values("recipient_id")
    weekly = Notification.objects.filter(
        email=Notification.Email.WEEKLY, recipient__digest_weekday=today.weekday()
    ).values("recipient_id")
    return sorted(set(daily.union(weekly).values_list("recipient_id", flat=True)))


@transaction.atomic
def digest_send(*, person: User, today: date, dry_run: bool = False) -> int:
    """One email gathering what waited for this person's digest today, across all their
    tables, in their language; nothing when nothing is new. The notifications are locked
    and marked in the same transaction as the email is queued: running it twice sends
    once. Returns how many items the digest holds."""
    frequencies = [Notification.Email.DAILY]
    if person.digest_weekday == today.weekday():
        frequencies.append(Notification.Email.WEEKLY)
    pending = Notification.objects.filter(recipient=person, email__in=frequencies)
    if not dry_run:
        pending = pending.select_for_update(skip_locked=True)
    items = list(pending.order_by("created_at", "pk"))
    # What the person already read on the site is not news, and what they may no longer
    # see (they left the table, the draft was withdrawn) is not theirs to be told.
    unread = still_visible(person, [item for item in items if item.read_at is None])
    if dry_run:
        return len(unread)
    state = Notification.Email.NONE
    if unread and person.email and person.is_active:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {
                "person": person,
                "items": [
                    {
                        "title": item.title,
                        "url": site_url(item.url) if item.url.startswith("/") else item.url,
                        "created_at": item.created_at,
                    }
                    for item in unread
                ],
                "count": len(unread),
                "weekly": Notification.Email.WEEKLY in frequencies
                and all(i.email == Notification.Email.WEEKLY for i in unread),
                "notifications_url": site_url(reverse("members:notification-list")),
            }
            queued = queue_email(
                subject=render_text("members/email/digest_subject.txt", context),
                body=render_text("members/email/digest_message.txt", context),
                html=render_to_string("members/email/digest_message.html", context),
                to=[person.email],
                kind=EmailKind.DIGEST,
            )
        if queued is not None:
            state = Notification.Email.SENT
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(email=state)
    return len(unread) if state == Notification.Email.SENT else 0


def local_today() -> date:
    return timezone.localdate()
