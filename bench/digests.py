"""Digests for every person of the seeded demo, as one Celery worker sends them: two items
waiting for each person's daily digest, the digests sent (composed, queued, delivered to a
mail backend that keeps nothing), then sent again to show that a rerun sends nothing.
Prints JSON."""

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
# Every digest is built and handed to a mail backend, which drops it: what is timed is the
# platform's work, not a mail server's.
os.environ["EMAIL_URL"] = "dummymail://"
# One worker: the tasks run here, one after the other.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"

import django

django.setup()

import logging  # noqa: E402

# One log line per email would bury the JSON this prints.
logging.disable(logging.WARNING)

from django.utils import timezone  # noqa: E402

from members.models import Notification, OutboxEmail, User  # noqa: E402
from members.services.notifications import digests_due  # noqa: E402
from members.tasks import DIGEST_BATCH, send_digest_batch  # noqa: E402

TITLE = "bench: "


def run(today) -> tuple[float, int]:
    before = OutboxEmail.objects.count()
    started = time.perf_counter()
    people = digests_due(today=today)
    for start in range(0, len(people), DIGEST_BATCH):
        send_digest_batch(people[start : start + DIGEST_BATCH], today.isoformat())
    return time.perf_counter() - started, OutboxEmail.objects.count() - before


def main():
    Notification.objects.filter(title__startswith=TITLE).delete()
    people = list(User.objects.filter(is_active=True).exclude(email="").values_list("pk", flat=True))
    batch = []
    for person in people:
        for n in (1, 2):
            batch.append(
                Notification(
                    recipient_id=person,
                    kind=Notification.Kind.MINUTES_CIRCULATED,
                    title=f"{TITLE}projet de procès-verbal n° {n} pour commentaires",
                    url="/",
                    email=Notification.Email.DAILY,
                )
            )
        if len(batch) >= 10_000:
            Notification.objects.bulk_create(batch)
            batch = []
    Notification.objects.bulk_create(batch)
    today = timezone.localdate()
    first_seconds, emails = run(today)
    again_seconds, duplicates = run(today)
    Notification.objects.filter(title__startswith=TITLE).delete()
    print(
        json.dumps(
            {
                "people": len(people),
                "items": 2 * len(people),
                "minutes": round(first_seconds / 60, 2),
                "emails": emails,
                "per_person_ms": round(1000 * first_seconds / max(1, len(people)), 2),
                "rerun_seconds": round(again_seconds, 2),
                "duplicates_on_rerun": duplicates,
            }
        )
    )


if __name__ == "__main__":
    main()
