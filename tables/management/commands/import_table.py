from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tables.backup import import_collisions


class Command(BaseCommand):
    help = (
        "Load a table exported by export_table into this database, which must hold none of its "
        "rows: an import never overwrites. All or nothing (one transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .json file written by export_table")

    def handle(self, *args, path, **options):
        file = Path(path)
        if file.suffix != ".json" or not file.is_file():
            raise CommandError(f"{path} is not a .json file.")
        try:
            collisions = import_collisions(file.read_text(encoding="utf-8"))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if collisions:
            found = ", ".join(f"{label}: {count}" for label, count in sorted(collisions.items()))
            raise CommandError(
                f"This database already holds rows of this export ({found}); nothing was loaded."
            )
        call_command("loaddata", str(file), verbosity=options["verbosity"])
