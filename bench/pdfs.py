"""Render times of the main PDFs, split into data gathering and WeasyPrint, as JSON:
the shortest convened agenda, the longest demo minutes, and a bilan of a large table
(about 40 pages: a synthetic table's weekly meetings over seven years)."""

import json
import os
import statistics
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from tables.models import ActionPlan, Bilan, Document, Meeting, Minutes, Table  # noqa: E402
from tables.services.documents import document_render, fingerprint  # noqa: E402


def render(source, kind, repeat=3):
    """Render `repeat` times from scratch (a new Document each time); median timings."""
    rows = []
    for attempt in range(repeat):
        document = Document.objects.create(
            kind=kind,
            language="fr-ca",
            content_type=ContentType.objects.get_for_model(type(source)),
            object_id=source.pk,
            source_version=f"bench-{attempt}-{fingerprint(source, kind)[:20]}",
        )
        document = document_render(document)
        assert document.status == Document.Status.READY, document.error
        rows.append(document)
    return {
        "pages": rows[0].pages,
        "gather_ms": statistics.median(d.gather_ms for d in rows),
        "render_ms": statistics.median(d.render_ms for d in rows),
    }


def main():
    agenda = (
        Meeting.objects.filter(status="convened")
        .annotate(n=Count("items"))
        .order_by("n", "starts_at")
        .first()
    )
    minutes = (
        Minutes.objects.annotate(n=Count("notes") + Count("meeting__resolutions"))
        .filter(meeting__table__slug="trci-capitale-nationale")
        .order_by("-n")
        .first()
    )
    plan = ActionPlan.objects.filter(
        table__slug="trci-capitale-nationale", status__in=["adopted", "in_progress"]
    ).first()
    large = (
        Table.objects.filter(slug__startswith="synth-")
        .annotate(n=Count("memberships"))
        .order_by("-n")
        .first()
    )
    ends = timezone.localdate()
    # Weekly meetings over seven years: about forty pages.
    bilan, _created = Bilan.objects.get_or_create(
        table=large, title="Bilan de sept ans", starts=ends - timedelta(days=7 * 365), ends=ends
    )
    print(
        json.dumps(
            {
                "agenda": render(agenda, "agenda"),
                "longest_minutes": render(minutes, "minutes"),
                "demo_action_plan": render(plan, "plan"),
                "bilan_large_table": render(bilan, "bilan", repeat=2),
            }
        )
    )


if __name__ == "__main__":
    main()
