"""A table's JSON export loads into an empty database with nothing lost."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from tables.backup import export_table
from tables.models import Meeting, Resolution, Table

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_table():
    """The demo's richest table: meetings, minutes, resolutions, a plan, a funding call."""
    call_command("seed_demo", allow_production=True, verbosity=0)
    return (
        Table.objects.filter(funding_calls__isnull=False, joint_projects__isnull=False)
        .annotate(resolution_count=Count("resolutions", distinct=True))
        .order_by("-resolution_count")
        .first()
    )


def kinds(text):
    return {row["model"] for row in json.loads(text)}


def test_an_export_loads_into_an_empty_database_and_exports_again_identically(demo_table, tmp_path):
    # given the export of a table with its meetings, minutes, plan and funding
    exported = export_table(demo_table)
    meetings = Meeting.objects.filter(table=demo_table).count()
    resolutions = Resolution.objects.filter(table=demo_table).count()
    assert meetings and resolutions
    assert {
        "tables.table",
        "tables.meeting",
        "tables.agendaitem",
        "tables.minutes",
        "tables.resolution",
        "tables.actionplan",
        "funding.fundingcall",
        "projects.project",
        "members.organisation",
        "members.user",
        "account.emailaddress",
    } <= kinds(exported)
    path = tmp_path / "table.json"
    path.write_text(exported, encoding="utf-8")
    # when the database is emptied and the file imported
    call_command("flush", interactive=False, verbosity=0)
    assert not Table.objects.exists()
    call_command("import_table", str(path), verbosity=0)
    # then the table is back, whole: exporting it again gives the same file
    table = Table.objects.get(slug=demo_table.slug)
    assert Meeting.objects.filter(table=table).count() == meetings
    assert Resolution.objects.filter(table=table).count() == resolutions
    assert export_table(table) == exported
    # and new rows still get fresh ids (the sequences follow the imported rows)
    latest = Meeting.objects.filter(table=table).latest("pk")
    copy = Meeting.objects.create(
        table=table, title="Après la restauration", starts_at=latest.starts_at, ends_at=latest.ends_at
    )
    assert copy.pk > latest.pk


def test_an_import_never_overwrites_what_is_there(demo_table, tmp_path):
    path = tmp_path / "table.json"
    path.write_text(export_table(demo_table), encoding="utf-8")
    Table.objects.filter(pk=demo_table.pk).update(name="Renommée depuis")
    with pytest.raises(CommandError, match="already holds rows"):
        call_command("import_table", str(path), verbosity=0)
    assert Table.objects.get(pk=demo_table.pk).name == "Renommée depuis"


@pytest.mark.parametrize(
    "content", ["pas du JSON", '{"model": "tables.table"}', '[{"model": "nowhere.thing", "pk": 1}]']
)
def test_a_file_that_is_not_an_export_is_refused_with_a_reason(tmp_path, content):
    path = tmp_path / "autre.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_table", str(path), verbosity=0)
    assert not Table.objects.exists()
