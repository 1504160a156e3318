"""CSV and XLSX exports, written one way for every app.

What people typed (a project titled `=HYPERLINK(…)`, an organisation named `@SUM(…)`)
must reach the spreadsheet as text, never as a formula it would run. As OWASP's « CSV
Injection » guide advises, every text cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is prefixed with a single quote, which spreadsheets show as text. Numbers
(int, float, Decimal) stay numbers, negative ones included: they are not typed text.

CSV is written as Excel in fr-CA opens it: UTF-8 with a byte-order mark, so that accents
come out right, and `;` between cells, the comma being the decimal separator there.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Excel limits a sheet's name to 31 characters.
SHEET_TITLE_LENGTH = 31


def safe_cell(value):
    """`value` as a spreadsheet should receive it: text that would start a formula is
    prefixed with a single quote; anything else (numbers, dates, None) is left as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A header line and the rows, `;`-separated, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_cell(value) for value in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        # Control characters that XML cannot hold would make openpyxl refuse the whole
        # file; they are dropped first, so that what remains is checked for a formula.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, Decimal):
        value = float(value)
    return safe_cell(value)


def xlsx_bytes(
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    sheet_title: str,
    column_widths: Sequence[float] = (),
    wrap_header: bool = False,
) -> bytes:
    """One sheet: a bold header row, frozen, then the rows; `column_widths` from column A."""
    # openpyxl is loaded when a spreadsheet is asked for, not at every process start.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(sheet_title)[:SHEET_TITLE_LENGTH]
    sheet.append([_xlsx_cell(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        if wrap_header:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    for index, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def attachment_header(filename: str) -> str:
    """A Content-Disposition that downloads the file under `filename`, reduced to a plain
    file name (no folder, no quotes) and encoded for non-ASCII names (RFC 6266)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return content_disposition_header(True, get_valid_filename(name))


def _response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    return _response(csv_bytes(header, rows), filename, CSV_CONTENT_TYPE)


def xlsx_response(filename: str, header: Sequence, rows: Iterable[Sequence], **sheet) -> HttpResponse:
    """`sheet` as for `xlsx_bytes`: `sheet_title`, and optionally `column_widths`, `wrap_header`."""
    return _response(xlsx_bytes(header, rows, **sheet), filename, XLSX_CONTENT_TYPE)
