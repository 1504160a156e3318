"""CSV and XLSX exports, written one way for every app.

What people typed (a project titled `=HYPERLINK(…)`, an organisation named `@SUM(…)`)
must reach the spreadsheet as text, never as a formula it would run. As OWASP's « CSV
Injection » guide advises, every text cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is prefixed with a single quote, which spreadsheets show as text. Numbers
(int, float, Decimal) stay numbers, negative ones included: they are not typed text.

Cells are typed: a `date` or `datetime` is a date, a `Decimal` or `float` a number, a
`Money` an amount in dollars. In XLSX they become date cells (`yyyy-mm-dd`) and number
cells, amounts with a money format (`# ##0,00 $` in a French spreadsheet program,
`$#,##0.00` in an English one); the header row is bold, frozen and carries a filter.

CSV comes in two variants:
- for spreadsheets (the default), written as Excel in fr-CA opens it: UTF-8 with a
  byte-order mark, so that accents come out right, `;` between cells and a decimal comma
  (`1234,50`), the comma being the decimal separator there. Thousands are not grouped:
  Excel reads a grouped figure as text when its grouping space is not the system's own.
- for programs (`machine=True`, `?format=csv-machine` on the export views): UTF-8
  without a byte-order mark, `,` between cells and a decimal point (`1234.50`).
Both write dates as ISO 8601 (`2026-01-31`), which every spreadsheet reads as a date.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}

# What the export views accept as ?format=…; anything else is the spreadsheet CSV.
CSV = "csv"
CSV_MACHINE = "csv-machine"
XLSX = "xlsx"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Excel limits a sheet's name to 31 characters.
SHEET_TITLE_LENGTH = 31

# Number formats are stored in the file in Excel's own (English) syntax; a spreadsheet
# program shows them with its locale's separators: `#,##0.00 $` reads 1 234,50 $ in fr-CA.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMATS = {"fr": "#,##0.00 $", "en": "$#,##0.00"}

# Column widths guessed from the content when the caller gives none, in characters.
MIN_WIDTH, MAX_WIDTH = 8, 50


class Money(Decimal):
    """An amount in dollars: a number cell with a money format in XLSX, two decimals in
    CSV. `Money(application.awarded_amount)`; see `money_or_none` for a value that may be
    missing."""

    __slots__ = ()


def money_or_none(value) -> Money | None:
    return None if value is None or value == "" else Money(value)


def money_format(language: str | None = None) -> str:
    language = language or translation.get_language() or "fr"
    return MONEY_FORMATS["fr" if language.startswith("fr") else "en"]


def safe_cell(value):
    """`value` as a spreadsheet should receive it: text that would start a formula is
    prefixed with a single quote; anything else (numbers, dates, None) is left as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _local(value: datetime) -> datetime:
    """A datetime as a naive local one: spreadsheets know no time zones."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _csv_cell(value, *, machine: bool):
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Money):
        text = format(value.quantize(Decimal("0.01")), "f")
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, float):
        text = repr(value)
    else:
        return value
    return text if machine else text.replace(".", ",")


def csv_bytes(header: Sequence, rows: Iterable[Sequence], *, machine: bool = False) -> bytes:
    """A header line and the rows: for a spreadsheet (`;`, decimal comma, UTF-8 with a
    byte-order mark), or with `machine` for a program (`,`, decimal point, plain UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if machine else ";")
    writer.writerow([_csv_cell(value, machine=machine) for value in header])
    writer.writerows([_csv_cell(value, machine=machine) for value in row] for row in rows)
    text = buffer.getvalue()
    return (text if machine else "\ufeff" + text).encode("utf-8")


def _xlsx_cell(value):
    """(value, number format or None) for openpyxl."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        # Control characters that XML cannot hold would make openpyxl refuse the whole
        # file; they are dropped first, so that what remains is checked for a formula.
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)), None
    if isinstance(value, Money):
        return float(value), "money"
    if isinstance(value, Decimal):
        return float(value), None
    if isinstance(value, datetime):
        return _local(value), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    return value, None


def _shown_length(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}") + 2
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_bytes(
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    sheet_title: str,
    column_widths: Sequence[float] = (),
    wrap_header: bool = False,
) -> bytes:
    """One sheet: a bold header row, frozen and with a filter, then the typed rows;
    `column_widths` from column A (guessed from the content when not given)."""
    # openpyxl is loaded when a spreadsheet is asked for, not at every process start.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    formats = {"money": money_format()}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(sheet_title)[:SHEET_TITLE_LENGTH]
    sheet.append([_xlsx_cell(value)[0] for value in header])
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = bold
        if wrap_header:
            cell.alignment = wrap
    widths = [_shown_length(cell.value) for cell in sheet[1]]
    for row in rows:
        typed = [_xlsx_cell(value) for value in row]
        sheet.append([value for value, _format in typed])
        for cell, (_value, number_format) in zip(sheet[sheet.max_row], typed, strict=False):
            if number_format:
                cell.number_format = formats.get(number_format, number_format)
        if not column_widths:
            for index, (value, _format) in enumerate(typed):
                if index >= len(widths):
                    widths.append(0)
                widths[index] = max(widths[index], _shown_length(value))
    chosen = column_widths or [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]
    for index, width in enumerate(chosen, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if sheet.max_column:
        sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
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


def csv_response(
    filename: str, header: Sequence, rows: Iterable[Sequence], *, machine: bool = False
) -> HttpResponse:
    """`machine` as for `csv_bytes`."""
    return _response(csv_bytes(header, rows, machine=machine), filename, CSV_CONTENT_TYPE)


def xlsx_response(filename: str, header: Sequence, rows: Iterable[Sequence], **sheet) -> HttpResponse:
    """`sheet` as for `xlsx_bytes`: `sheet_title`, and optionally `column_widths`, `wrap_header`."""
    return _response(xlsx_bytes(header, rows, **sheet), filename, XLSX_CONTENT_TYPE)


def export_response(
    export_format: str | None, stem: str, header: Sequence, rows: Iterable[Sequence], **sheet
) -> HttpResponse:
    """The export in the format a view was asked for (`?format=`): `xlsx`, `csv-machine`
    or, by default, the spreadsheet CSV; named `stem` plus its extension. `sheet` as for
    `xlsx_bytes` (`sheet_title` is required for XLSX)."""
    if export_format == XLSX:
        return xlsx_response(f"{stem}.{XLSX}", header, rows, **sheet)
    return csv_response(f"{stem}.csv", header, rows, machine=export_format == CSV_MACHINE)
