"""What people download is what it says it is, and reads as a French reader expects.

- Every download of the permission matrix answers with its own Content-Type and a file
  name ending with that type's extension (never a spreadsheet served as a PDF).
- Spreadsheets hold typed cells: dates are dates, amounts numbers with a money format,
  under a bold header row that is frozen and carries a filter. The CSV for spreadsheets
  is `;`-separated with a byte-order mark and decimal commas; the CSV for programs is
  `,`-separated with decimal points.
- PDFs and emails write dates in words, « 1er » for the first of a month, times as
  « 9 h 00 », and no ISO date in their text.
"""

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from funding.models import Status
from tables import services
from tables.services.documents import document_render, document_request
from tests.conftest import ROLES, client_as
from tests.factories import meeting_with_agenda
from tests.funding.factories import application_in, call_on, review, reviewer_on
from tests.site.test_permission_matrix import CASES
from tests.tables.test_plans import make_plan, structure

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    XLSX: "xlsx",
    "text/calendar": "ics",
    "text/vcard": "vcf",
    "text/x-vcard": "vcf",
}
# A URL whose name ends so serves a file.
DOWNLOAD_NAME = re.compile(r"(download|export|feed|attachment)$")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
BOM = "\ufeff".encode()


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def file_name(response) -> str:
    disposition = response["Content-Disposition"]
    encoded = re.search(r"filename\*=utf-8''([^;]+)", disposition)
    if encoded:
        return unquote(encoded.group(1))
    return re.search(r'filename="([^"]+)"', disposition).group(1)


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def download_cases():
    for case in CASES:
        role = next((role for role in ROLES if case.expected[role] == 200), None)
        if case.method == "get" and DOWNLOAD_NAME.search(case.name) and role:
            yield pytest.param(case, role, id=f"{case.name}{'[' + case.label + ']' if case.label else ''}")


DOWNLOADS = list(download_cases())


def test_the_downloads_of_the_permission_matrix_are_all_found():
    names = {param.values[0].name for param in DOWNLOADS}
    assert names >= {
        "tables:document-download",
        "tables:attachment-download",
        "tables:consultation-attachment",
        "tables:calendar-feed",
        "tables:activity-feed",
        "projects:attachment-download",
        "funding:dashboard-export",
        "funding:call-reviews-export",
    }


@pytest.mark.parametrize(("case", "role"), DOWNLOADS)
def test_every_download_has_its_own_content_type_and_a_file_name_with_its_extension(world, case, role):
    # when the download is asked for by someone who may have it
    response = client_as(world, role).get(reverse(case.name, kwargs=case.kwargs(world)), case.data(world))
    # then it says what it is, and its name ends with the matching extension
    assert response.status_code == 200
    media_type, _sep, parameters = response["Content-Type"].partition(";")
    assert media_type in EXTENSIONS, response["Content-Type"]
    assert file_name(response).endswith("." + EXTENSIONS[media_type]), response["Content-Disposition"]
    if media_type.startswith("text/"):
        assert "charset=utf-8" in parameters


# The action plan's spreadsheets ------------------------------------------------------------

START, END, BUDGET, PROGRESS = 8, 9, 10, 12


@pytest.fixture
def plan(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    services.action_add(
        objective=fixed,
        by=None,
        title="Accueillir les familles",
        lead=world.org_a,
        starts=date(2026, 3, 1),
        ends=date(2026, 9, 30),
        budget=Decimal("2500.50"),
    )
    return plan


def plan_download(world, plan, kind, django_capture_on_commit_callbacks, language="fr-ca"):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(source=plan, kind=kind, language=language)
    return client_as(world, "coordinator").get(reverse("tables:document-download", args=[document.pk]))


@pytest.mark.parametrize(
    ("kind", "content_type", "extension"), [("plan_csv", "text/csv", "csv"), ("plan_xlsx", XLSX, "xlsx")]
)
def test_a_plan_spreadsheet_is_served_as_what_it_is(
    world, plan, django_capture_on_commit_callbacks, kind, content_type, extension
):
    response = plan_download(world, plan, kind, django_capture_on_commit_callbacks)
    assert response["Content-Type"].split(";")[0] == content_type
    assert re.fullmatch(rf"plan-d-action-\d{{4}}-\d{{2}}-\d{{2}}\.{extension}", file_name(response))


def test_the_plan_xlsx_holds_dates_as_dates_and_the_budget_as_an_amount(
    world, plan, django_capture_on_commit_callbacks
):
    response = plan_download(world, plan, "plan_xlsx", django_capture_on_commit_callbacks)
    sheet = load_workbook(io.BytesIO(content(response))).active
    starts, ends, budget = (sheet.cell(2, column) for column in (START, END, BUDGET))
    assert (starts.value, starts.is_date) == (datetime(2026, 3, 1), True)
    assert (ends.value, ends.is_date) == (datetime(2026, 9, 30), True)
    assert (budget.value, budget.data_type, budget.number_format) == (2500.5, "n", "#,##0.00 $")
    assert sheet.cell(2, PROGRESS).data_type == "n"


def test_the_plan_xlsx_has_a_bold_frozen_header_with_a_filter(
    world, plan, django_capture_on_commit_callbacks
):
    response = plan_download(world, plan, "plan_xlsx", django_capture_on_commit_callbacks)
    sheet = load_workbook(io.BytesIO(content(response))).active
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{sheet.max_row}"


def test_the_english_plan_xlsx_uses_the_english_money_format(world, plan, django_capture_on_commit_callbacks):
    response = plan_download(world, plan, "plan_xlsx", django_capture_on_commit_callbacks, language="en")
    assert load_workbook(io.BytesIO(content(response))).active.cell(2, BUDGET).number_format == "$#,##0.00"


def test_the_plan_csv_is_for_excel_in_french(world, plan, django_capture_on_commit_callbacks):
    data = content(plan_download(world, plan, "plan_csv", django_capture_on_commit_callbacks))
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [rows[1][column - 1] for column in (START, END, BUDGET)] == ["2026-03-01", "2026-09-30", "2500,50"]


# The funders' dashboard and the reviews ----------------------------------------------------

AWARDED = 11  # zero-based


@pytest.fixture
def funded(world):
    return application_in(
        Status.FUNDED, call_on(world.table_a, funders=[world.funder]), amount=Decimal("1234.50")
    )


def dashboard_export(world, export_format, language="fr-ca"):
    client = client_as(world, "coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("funding:dashboard-export"), {"format": export_format})


def test_the_dashboard_csv_is_for_excel_in_french(world, funded):
    response = dashboard_export(world, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1][AWARDED] == "1234,50"


def test_the_dashboard_csv_for_programs_uses_commas_and_decimal_points(world, funded):
    response = dashboard_export(world, "csv-machine")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert file_name(response).endswith(".csv")
    assert not response.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows[1][AWARDED] == "1234.50"


@pytest.mark.parametrize(("language", "number_format"), [("fr-ca", "#,##0.00 $"), ("en", "$#,##0.00")])
def test_the_dashboard_xlsx_holds_amounts_as_money(world, funded, language, number_format):
    response = dashboard_export(world, "xlsx", language)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(2, AWARDED + 1)
    assert (cell.value, cell.data_type, cell.number_format) == (1234.5, "n", number_format)
    assert (sheet.freeze_panes, sheet["A1"].font.bold) == ("A2", True)
    assert sheet.auto_filter.ref


def test_the_reviews_xlsx_holds_scores_as_numbers_under_a_filtered_header(world):
    call = call_on(world.table_a)
    review(application_in(Status.IN_REVIEW, call), reviewer_on(call), scores=(4, 3), comment="Solide.")
    response = client_as(world, "coordinator").get(
        reverse("funding:call-reviews-export", args=[call.pk]), {"format": "xlsx"}
    )
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    # the first criterion's score is the sixth column, after who and where the review stands
    (submitted,) = [row for row in sheet.iter_rows(min_row=2) if row[5].value is not None]
    assert (submitted[5].value, submitted[5].data_type) == (4, "n")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"


# French typography in PDFs and emails ------------------------------------------------------


def first_of_a_month() -> datetime:
    """9 h 00 on the first day of a month at least five weeks away, in Montréal."""
    later = timezone.localdate() + timedelta(days=40)
    day = date(later.year + later.month // 12, later.month % 12 + 1, 1)
    return datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def meeting_on_the_first(world):
    starts = first_of_a_month()
    return meeting_with_agenda(
        world.table_a, by=world.coordinator, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )


def spaced(text: str) -> str:
    """Text with its no-break spaces made plain, as a reader sees it."""
    return re.sub(r"[ \u00a0\u202f\n]+", " ", text)


def pdf_text(document) -> str:
    with document.file.open("rb") as file:
        return spaced(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages))


def test_the_agenda_pdf_writes_the_first_of_the_month_as_1er_and_no_iso_date(meeting_on_the_first):
    document = document_render(document_request(source=meeting_on_the_first, kind="agenda", language="fr-ca"))
    text = pdf_text(document)
    assert re.search(r"\b1er [a-zéû]+ \d{4}", text), text
    assert "9 h 00" in text
    assert ISO_DATE.findall(text) == []


def test_the_english_agenda_pdf_writes_english_dates_and_times(meeting_on_the_first):
    document = document_render(document_request(source=meeting_on_the_first, kind="agenda", language="en"))
    text = pdf_text(document)
    starts = first_of_a_month()
    assert f"{starts:%B} 1, {starts.year}" in text
    assert "9:00 a.m." in text
    assert ISO_DATE.findall(text) == []


def test_the_convocation_email_writes_the_first_of_the_month_as_1er_and_no_iso_date(
    world, meeting_on_the_first, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=meeting_on_the_first, by=world.coordinator)
    (message,) = [m for m in mail.outbox if world.delegate_a.email in m.to]
    body = spaced(message.body)
    assert re.search(r"\b1er \w+ \d{4}, 9 h 00 – 11 h 00", body), body
    assert ISO_DATE.findall(body) == []
