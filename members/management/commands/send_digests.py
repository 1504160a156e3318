from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from members.models import User
from members.services.notifications import digest_send, digests_due


class Command(BaseCommand):
    help = (
        "Send today's daily digests, and the weekly ones of the people whose day it is, as "
        "Celery beat does each morning. With --dry-run, list them without sending: one line "
        "per recipient, address and item count."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")
        parser.add_argument("--date", type=date.fromisoformat, help="as if on this day (YYYY-MM-DD)")

    def handle(self, *args, dry_run=False, date=None, **options):
        today = date or timezone.localdate()
        people = digests_due(today=today)
        total = 0
        for start in range(0, len(people), 500):
            for person in User.objects.filter(pk__in=people[start : start + 500]).order_by("pk"):
                count = digest_send(person=person, today=today, dry_run=dry_run)
                if count:
                    total += 1
                    if dry_run:
                        self.stdout.write(f"{person.email}\t{count}")
        verb = "would receive" if dry_run else "received"
        self.stderr.write(f"{total} people {verb} a digest for {today.isoformat()}.")
