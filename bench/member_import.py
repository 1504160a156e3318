"""Importing a member list of 5,000 rows (XLSX), as the coordination does: the file read,
the preview computed (every row's outcome), the import written in one transaction, then
the same file imported again (it finds everything and writes nothing new). Seconds and
peak Python memory (tracemalloc) of each step, and the preview page's server time. Prints
JSON.

    python -m bench.member_import [--rows 5000]

Runs on the database of DATABASE_URL as it is (an empty migrated one will do; the
benchmark database after `seed_demo --scale N` gives a directory of realistic size to
match organisations in), inside one transaction that is rolled back at the end: nothing
is left behind. The file names 2,500 organisations with a delegate and a substitute each;
one in five is already in the directory (found by name written in capitals and without
accents, or by acronym), the others are new.
"""

import argparse
import gc
import io
import json
import os
import time
import tracemalloc
import unicodedata

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"

import django

django.setup()

import logging  # noqa: E402

logging.disable(logging.WARNING)

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from members.models import Organisation, User  # noqa: E402
from members.regions import ensure_regions  # noqa: E402
from tables.documents.member_import import read_member_file  # noqa: E402
from tables.models import Coordinator, Membership, Table  # noqa: E402
from tables.services import imports  # noqa: E402

SLUG = "bench-member-import"
SECTORS = [
    "Communautaire",
    "Municipal ou MRC",
    "Institutionnel public : éducation",
    "Privé",
    "Philanthropique",
]
STATUSES = ["Membre votant", "Membre votant", "Membre observateur"]


class Rollback(Exception):
    pass


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def member_list(rows: int, existing: list[Organisation]) -> bytes:
    """An XLSX of `rows` rows: two people an organisation, the first fifth of them known."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Organisation", "Sigle", "Secteur", "Statut", "Prénom", "Nom", "Courriel", "Rôle", "Téléphone"]
    )
    for n in range(rows // 2):
        if n < len(existing):
            known = existing[n]
            name, acronym = (strip_accents(known.name).upper(), "") if n % 2 else ("", known.acronym)
        else:
            name, acronym = f"Organisme régional numéro {n}", f"ORN{n}"
        for role, first in (("Délégué·e", "Amina"), ("Substitut", "Louis")):
            sheet.append(
                [
                    name,
                    acronym,
                    SECTORS[n % len(SECTORS)],
                    STATUSES[n % len(STATUSES)],
                    first,
                    f"Tremblay-{n}",
                    f"{first.lower()}.tremblay{n}@bench-import.example",
                    role,
                    f"418 555-{n % 10000:04d}",
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def setup(rows: int):
    region = ensure_regions()["03"]
    table = Table.objects.create(
        name="Bench: member import",
        slug=SLUG,
        kind="thematic",
        scope="multisectoral",
        theme="immigration",
        region=region,
    )
    coordinator = User.objects.create(
        email="bench-import-coordinator@bench-import.example", is_superuser=True
    )
    Coordinator.objects.create(table=table, person=coordinator)
    known = rows // 2 // 5
    existing = Organisation.objects.bulk_create(
        Organisation(
            name=f"Société d'économie sociale n° {n}",
            slug=f"bench-import-known-{n}",
            acronym=f"SES{n}",
            sector="community",
            region=region,
        )
        for n in range(known)
    )
    return table, coordinator, existing


def measure(step, function, memory):
    """Seconds (and, with `memory`, peak MiB by tracemalloc) and queries of one step."""
    gc.collect()
    if memory:
        tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    figures = {"seconds": round(seconds, 3), "queries": len(queries.captured_queries)}
    if memory:
        figures["peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    step.update(figures)
    return result


def run(rows: int, memory: bool) -> dict:
    steps = {name: {} for name in ("read", "store", "preview", "import", "preview_again", "import_again")}
    figures = {}
    try:
        with transaction.atomic():
            table, coordinator, existing = setup(rows)
            content = member_list(rows, existing)
            figures["file_kib"] = round(len(content) / 1024, 1)
            figures["organisations_in_directory"] = Organisation.objects.count()
            member_file = measure(steps["read"], lambda: read_member_file(content, "membres.xlsx"), memory)
            upload = measure(
                steps["store"],
                lambda: imports.member_import_create(
                    table=table, by=coordinator, file=member_file, filename="membres.xlsx"
                ),
                memory,
            )
            analysis = measure(
                steps["preview"], lambda: imports.member_import_analyse(member_import=upload), memory
            )
            assert not analysis.bad, [(row.line, row.errors) for row in analysis.bad[:5]]
            upload = measure(
                steps["import"],
                lambda: imports.member_import_apply(member_import=upload, by=coordinator),
                memory,
            )
            figures["imported"] = upload.summary
            assert Membership.objects.filter(table=table).count() == rows // 2
            if not memory:
                client = Client()
                client.force_login(coordinator)
                again = imports.member_import_create(
                    table=table, by=coordinator, file=member_file, filename="membres.xlsx"
                )
                url = reverse("tables:member-import-confirm", args=[table.slug, again.pk])
                times = []
                for _n in range(3):
                    started = time.perf_counter()
                    assert client.get(url).status_code == 200
                    times.append(time.perf_counter() - started)
                figures["preview_page_seconds"] = round(min(times), 3)
            second = imports.member_import_create(
                table=table, by=coordinator, file=member_file, filename="m.xlsx"
            )
            again = measure(
                steps["preview_again"], lambda: imports.member_import_analyse(member_import=second), memory
            )
            figures["again"] = again.counts()
            second = measure(
                steps["import_again"],
                lambda: imports.member_import_apply(member_import=second, by=coordinator),
                memory,
            )
            assert second.summary["new_organisations"] == second.summary["new_memberships"] == 0
            raise Rollback
    except Rollback:
        pass
    figures["steps"] = steps
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    timing = run(args.rows, memory=False)
    memory = run(args.rows, memory=True)
    steps = timing.pop("steps")
    for name, figures in memory["steps"].items():
        steps[name]["peak_mib"] = figures["peak_mib"]
    total = round(sum(steps[name]["seconds"] for name in ("read", "store", "preview", "import")), 2)
    print(
        json.dumps(
            {
                "rows": args.rows,
                **timing,
                "seconds_read_to_imported": total,
                "peak_mib": max(figures["peak_mib"] for figures in steps.values()),
                "steps": steps,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
