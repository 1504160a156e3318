from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from tables.documents.member_import import MAX_BYTES, read_member_file
from tables.models import MemberImport, Table
from tables.services import imports


class Command(BaseCommand):
    help = (
        "Import the members of a table from a CSV or XLSX file, as the member import page does: "
        "organisations found or added, memberships added, every bad row reported with its line. "
        "All or nothing unless --good-rows-only. The people are invited afterwards, from the "
        "import's page."
    )

    def add_arguments(self, parser):
        parser.add_argument("table", help="the table's short address (slug)")
        parser.add_argument("path", help="a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="report what would be done, write nothing")
        parser.add_argument(
            "--good-rows-only", action="store_true", help="import the good rows and leave out the bad ones"
        )
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="language of the report")

    def handle(self, *args, table, path, dry_run, good_rows_only, language, **options):
        with translation.override(language):
            self._import(table, Path(path), dry_run, good_rows_only)

    def _import(self, slug, file, dry_run, good_rows_only):
        table = Table.objects.filter(slug=slug).first()
        if table is None:
            raise CommandError(f"No table has the short address « {slug} ».")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        size = file.stat().st_size
        with file.open("rb") as handle:
            content = handle.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
        try:
            member_file = read_member_file(content, file.name, size=size)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        upload = MemberImport(
            table=table,
            filename=file.name,
            ignored_columns=member_file.ignored,
            rows=[list(r) for r in member_file.rows],
        )
        analysis = imports.member_import_analyse(member_import=upload)
        for row in analysis.bad:
            self.stderr.write(f"line {row.line}: {' '.join(row.errors)}")
        counts = analysis.counts()
        self.stdout.write(
            f"{counts['rows']} rows, {counts['bad']} with an error; {counts['new_organisations']} new "
            f"organisations, {counts['new_memberships']} new members, {counts['status_changes']} status "
            f"changes, {counts['to_invite']} people to invite."
        )
        if member_file.ignored:
            self.stdout.write("Columns ignored: " + ", ".join(member_file.ignored))
        if counts["bad"] and not good_rows_only:
            raise CommandError("Nothing was imported: correct the rows above, or use --good-rows-only.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        upload.save()
        try:
            upload = imports.member_import_apply(member_import=upload, by=None, good_rows_only=good_rows_only)
        except ValidationError as error:
            upload.delete()
            raise CommandError(" ".join(error.messages)) from error
        summary = upload.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary['imported']} rows into {table.slug}: {summary['new_organisations']} "
                f"organisations added, {summary['new_memberships']} members added, "
                f"{summary['status_changes']} statuses changed, {summary['to_invite']} people to invite "
                f"(import #{upload.pk})."
            )
        )
