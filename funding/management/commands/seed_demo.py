from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from funding.demo import seed_funding
from tables.demo import DemoSeeder
from tables.models import Table


class Command(BaseCommand):
    help = "Load the demo data (idempotent). --scale N adds N synthetic regions for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any table exists.")
        parser.add_argument("--scale", type=int, default=0, help="Synthetic regions' worth of data to add.")
        parser.add_argument(
            "--meetings-per-table",
            type=int,
            default=1000,
            help="Meetings of each synthetic table (with --scale).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Allow running with DEBUG off (never on a live site).",
        )

    def handle(
        self, *args, if_empty=False, scale=0, meetings_per_table=1000, allow_production=False, **options
    ):
        if not settings.DEBUG and not allow_production and "test" not in settings.SETTINGS_MODULE:
            raise CommandError(
                "Refusing to load demo data with DEBUG off; pass --allow-production to insist."
            )
        if if_empty and Table.objects.exists():
            self.stdout.write("Tables exist already; demo data not loaded.")
            return
        seeder = DemoSeeder(out=self.stdout.write)
        seeder.seed_main()
        seeder.seed_meetings()
        seeder.seed_plans()
        seeder.seed_regional()
        seeder.seed_bilans()
        seed_funding(out=self.stdout.write)
        if scale:
            from funding.demo.scale import seed_funding_scale

            seeder.seed_scale(scale, meetings_per_table=meetings_per_table)
            seed_funding_scale(out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
