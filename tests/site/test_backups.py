"""The documented backup commands (`make backup`, `make restore`) round-trip the database."""

import os
import subprocess

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


def url(name):
    options = connection.settings_dict
    return f"postgres://{options['USER']}@{options['HOST'] or '127.0.0.1'}:{options['PORT'] or 5432}/{name}"


def fingerprints(database_url):
    """Each model's row count and a digest of all its rows, read straight from PostgreSQL."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    with psycopg.connect(database_url) as conn:
        return {
            table: conn.execute(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f' FROM "{table}" t'
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def restored_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url(name)
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make(target, database_url, **variables):
    command = ["make", "-s", target, *(f"{key}={value}" for key, value in variables.items())]
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True)


def test_make_backup_then_make_restore_gives_back_every_row(restored_database, tmp_path):
    # given a database with the demo's tables, meetings, minutes, plans and funding
    call_command("seed_demo", allow_production=True, verbosity=0)
    source = url(connection.settings_dict["NAME"])
    before = fingerprints(source)
    assert before["tables_meeting"][0] > 0 and before["funding_application"][0] > 0
    # when it is backed up and restored into an empty database
    dump = tmp_path / "concertation.dump"
    make("backup", source, BACKUP_FILE=dump)
    assert dump.stat().st_size > 0
    make("restore", restored_database, FILE=dump)
    # then every row of every model is there, identical
    assert fingerprints(restored_database) == before
