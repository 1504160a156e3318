"""The letter of decision and the funding summaries, made by the shared PDF pipeline; their
text read back with pypdf."""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from funding import services
from funding.documents import CALL_SUMMARY, DECISION_LETTER, FUNDER_SUMMARY, can_download_letter
from funding.models import Status
from tables.services import documents
from tests.funding.factories import application_in, call_on, manager_of, resolution_of

pytestmark = pytest.mark.django_db


def pdf_text(source, kind, language="en"):
    document = documents.document_request(source=source, kind=kind, language=language)
    document = documents.document_render(document)
    assert document.is_ready, document.error
    with document.file.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    # Letters and amounts may be split by line breaks or thin spaces in the PDF.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def funded(world):
    call = call_on(
        world.table_a, funders=[world.funder], decision_by_resolution=True, title="Appel concerté 2026"
    )
    application = application_in(Status.RECOMMENDED, call)
    resolution = resolution_of(world.table_a, by=world.coordinator)
    lead = application.lead_delegate
    funded = services.application_decide(
        application=application,
        by=world.coordinator,
        funded=True,
        amount=Decimal("30000"),
        conditions="Remettre la liste des bénévoles avant le premier versement.",
        resolution=resolution,
    )
    funded.lead_delegate = lead
    return funded


def test_the_letter_of_a_funded_project_states_the_decision(funded):
    text = pdf_text(funded, DECISION_LETTER)
    assert "Letter of decision" in text
    assert funded.project.title in text
    assert "$30,000" in text
    assert f"resolution {funded.resolution.number}" in text
    assert "Remettre la liste des bénévoles" in text


def test_the_letter_lists_the_partners_and_the_schedule(funded):
    text = pdf_text(funded, DECISION_LETTER)
    for partnership in funded.project.partnerships.all():
        assert partnership.organisation.name in text
    assert "Disbursement schedule" in text
    assert "$15,000" in text  # the first tranche, half the award


def test_the_letter_of_a_refusal_gives_the_reasons(world):
    call = call_on(world.table_a)
    application = application_in(Status.RECOMMENDED, call)
    refused = services.application_decide(
        application=application,
        by=manager_of(call),
        funded=False,
        note="Le projet dépasse le territoire visé.",
    )
    text = pdf_text(refused, DECISION_LETTER)
    assert "is not funded" in text
    assert "Le projet dépasse le territoire visé." in text


def test_the_letter_is_in_french_for_french_readers(funded):
    text = pdf_text(funded, DECISION_LETTER, language="fr-ca")
    assert re.search(r"30\s?000\s?\$", text)
    assert funded.resolution.number in text


def test_the_lead_and_the_coordination_may_download_the_letter_others_not(world, funded):
    assert can_download_letter(funded.lead_delegate, funded)
    assert can_download_letter(world.coordinator, funded)
    assert not can_download_letter(world.outsider, funded)
    assert not can_download_letter(world.delegate_b, funded)


def test_there_is_no_letter_before_the_decision(world):
    application = application_in(Status.RECOMMENDED, call_on(world.table_a))
    assert not can_download_letter(world.admin, application)


def test_the_call_summary_shows_the_envelope_and_the_projects(funded):
    text = pdf_text(funded.call, CALL_SUMMARY)
    assert "Funding summary" in text
    assert "Appel concerté 2026" in text
    assert funded.project.title in text
    assert "$30,000" in text


def test_the_funder_summary_covers_the_funders_calls(world, funded):
    text = pdf_text(world.funder, FUNDER_SUMMARY)
    assert world.funder.organisation.name in text
    assert funded.project.title in text


def test_a_letter_is_made_again_when_the_decision_changes(funded):
    first = documents.document_request(source=funded, kind=DECISION_LETTER, language="en")
    services.tranche_release(tranche=funded.tranches.get(number=1), by=funded.decided_by)
    type(funded).objects.filter(pk=funded.pk).update(conditions="Nouvelles conditions")
    funded.refresh_from_db()
    assert documents.document_request(source=funded, kind=DECISION_LETTER, language="en").pk != first.pk
