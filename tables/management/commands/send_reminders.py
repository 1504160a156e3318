from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tables.services.reminders import reminders_send


class Command(BaseCommand):
    help = "Send today's reminders at every table, as each table chose (what the daily task does)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print who would be reminded of what; write nothing."
        )
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, dry_run=False, date=None, **options):
        try:
            today = _parse(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        planned = reminders_send(today=today, dry_run=dry_run)
        for told in planned:
            self.stdout.write(f"{today}\t{told.table}\t{told.kind}\t{told.person}\t{' '.join(told.subjects)}")
        verb = "would be reminded" if dry_run else "reminded"
        self.stdout.write(f"{len(planned)} {verb}.")


def _parse(text: str):
    return date.fromisoformat(text)
