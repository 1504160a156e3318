from django.core.management.base import BaseCommand, CommandError

from tables.backup import export_table
from tables.models import Table


class Command(BaseCommand):
    help = "Write one table's data as JSON (to a file, or to standard output); import_table loads it."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the table's slug, as in its address")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, slug, output=None, **options):
        table = Table.objects.filter(slug=slug).first()
        if table is None:
            raise CommandError(f"No table with the slug {slug!r}.")
        text = export_table(table)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"{table.name}: written to {output}")
        else:
            self.stdout.write(text)
