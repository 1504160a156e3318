"""The funders' dashboard exports: what people typed (an organisation's name here) arrives
in the spreadsheet as text, never as a formula; amounts stay numbers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funding.models import Status
from members.models import Organisation
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on

pytestmark = pytest.mark.django_db

HOSTILE_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
LEAD, AWARDED = 3, 11


@pytest.fixture
def hostile_lead(world):
    application = application_in(Status.FUNDED, call_on(world.table_a, funders=[world.funder]))
    Organisation.objects.filter(pk=application.project.lead_id).update(name=HOSTILE_NAME)
    return application


def test_the_csv_export_keeps_a_formula_typed_as_an_organisation_name_as_text(world, hostile_lead):
    response = client_as(world, "coordinator").get(reverse("funding:dashboard-export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[LEAD] for row in rows[1:]] == ["'" + HOSTILE_NAME]


def test_the_xlsx_export_keeps_a_formula_typed_as_an_organisation_name_as_text(world, hostile_lead):
    response = client_as(world, "coordinator").get(reverse("funding:dashboard-export"), {"format": "xlsx"})
    cell = load_workbook(io.BytesIO(response.content)).active.cell(2, LEAD + 1)
    assert (cell.value, cell.data_type) == ("'" + HOSTILE_NAME, "s")


def test_the_xlsx_export_writes_amounts_as_numbers(world, hostile_lead):
    response = client_as(world, "coordinator").get(reverse("funding:dashboard-export"), {"format": "xlsx"})
    cell = load_workbook(io.BytesIO(response.content)).active.cell(2, AWARDED + 1)
    assert (cell.value, cell.data_type) == (float(hostile_lead.awarded_amount), "n")


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_exports_keep_their_file_names(world, hostile_lead, export_format):
    response = client_as(world, "coordinator").get(
        reverse("funding:dashboard-export"), {"format": export_format}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="financement-')
    assert response["Content-Disposition"].endswith(f'.{export_format}"')
