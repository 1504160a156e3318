"""A letter of support "from each partner": each partner organisation uploads its own when
it confirms; the lead cannot upload one for another organisation; submission waits for a
letter from every confirmed partner, and says whose is missing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from funding.rules import check_rules
from members.models import Delegation, Sector
from projects import services
from projects.models import Partnership, ProjectAttachment
from tests.conftest import client_as
from tests.funding.factories import (
    PartnershipFactory,
    RequiredDocumentFactory,
    call_on,
    member,
    ready_application,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 lettre d'appui signee"


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def pdf(name="appui.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def delegate_of(organisation, table):
    return (
        Delegation.objects.active()
        .filter(membership__organisation=organisation, membership__table=table)
        .select_related("person")
        .first()
        .person
    )


@pytest.fixture
def draft(world):
    """A draft of org A whose call asks for a letter of support from each partner, with a
    member organisation invited (not yet answered)."""
    call = call_on(world.table_a)
    application = ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a, partners=[])
    application.letter = RequiredDocumentFactory(call=call, name="Lettre d'appui", from_each_partner=True)
    guest, guest_delegate = member(world.table_a, sector=Sector.MUNICIPAL)
    application.partnership = services.partner_invite(
        project=application.project, organisation=guest, by=world.delegate_a, cash=Decimal("3000")
    )
    application.guest_delegate = guest_delegate
    return application


def confirm(partnership, by, **kwargs):
    partnership.refresh_from_db()
    return services.partner_answer(
        partnership=partnership, by=by, confirm=True, expected_version=partnership.version, **kwargs
    )


def codes(application):
    return {check.code: check for check in check_rules(application)}


# Uploading one's own letter -------------------------------------------------------------------


def test_the_partner_uploads_its_own_letter_when_it_confirms(draft):
    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    letter = ProjectAttachment.objects.get(project=draft.project, required_document=draft.letter)
    assert letter.organisation_id == draft.partnership.organisation_id
    assert letter.uploaded_by == draft.guest_delegate


def test_a_partner_cannot_confirm_without_its_letter_when_the_call_requires_one(draft):
    with pytest.raises(ValidationError) as caught:
        confirm(draft.partnership, draft.guest_delegate)
    assert caught.value.error_dict["letter"][0].code == "letter_required"
    assert Partnership.objects.get(pk=draft.partnership.pk).status == Partnership.Status.INVITED


def test_an_optional_letter_is_not_required_to_confirm(draft):
    draft.letter.mandatory = False
    draft.letter.save()
    assert confirm(draft.partnership, draft.guest_delegate).status == Partnership.Status.CONFIRMED


def test_a_new_letter_replaces_the_partners_previous_one(draft, django_capture_on_commit_callbacks):
    confirm(draft.partnership, draft.guest_delegate, letter=pdf("premiere.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(draft.partnership, draft.guest_delegate, letter=pdf("seconde.pdf"))
    letters = ProjectAttachment.objects.filter(project=draft.project, required_document=draft.letter)
    assert [a.file.name.rsplit("/", 1)[-1][:7] for a in letters] == ["seconde"]


def test_a_letter_of_the_wrong_type_is_refused(draft):
    with pytest.raises(ValidationError) as caught:
        confirm(draft.partnership, draft.guest_delegate, letter=pdf("appui.exe", b"MZ\x90\x00"))
    assert caught.value.code == "type"
    assert not ProjectAttachment.objects.filter(project=draft.project).exists()


def test_a_letter_whose_content_is_not_its_type_is_refused(draft):
    with pytest.raises(ValidationError) as caught:
        confirm(draft.partnership, draft.guest_delegate, letter=pdf("appui.pdf", b"MZ\x90\x00 not a pdf"))
    assert caught.value.code == "content"


def test_a_letter_too_large_is_refused(draft, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    assert caught.value.code == "too_large"


def test_the_lead_cannot_attach_a_letter_for_a_partner(draft):
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            project=draft.project,
            upload=pdf(),
            title="Lettre du partenaire",
            by=draft.lead_delegate,
            required_document=draft.letter,
            organisation=draft.partnership.organisation,
        )
    assert caught.value.error_dict["organisation"][0].code == "not_your_organisation"
    assert not ProjectAttachment.objects.filter(project=draft.project).exists()


def test_the_lead_cannot_attach_a_partner_letter_under_its_own_name(draft):
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            project=draft.project,
            upload=pdf(),
            title="Lettre",
            by=draft.lead_delegate,
            required_document=draft.letter,
            organisation=draft.project.lead,
        )
    assert caught.value.error_dict["organisation"][0].code == "partner_document"


def test_the_lead_cannot_attach_any_document_from_another_organisation(draft):
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            project=draft.project,
            upload=pdf(),
            title="Budget",
            by=draft.lead_delegate,
            organisation=draft.partnership.organisation,
        )
    assert caught.value.error_dict["organisation"][0].code == "not_your_organisation"


def test_the_lead_is_not_offered_the_partners_in_the_attachment_form(world, draft):
    client = client_as(world, "delegate_a")
    response = client.get(draft.project.get_absolute_url())
    form = response.context["attachment_form"]
    assert list(form.fields["organisation"].queryset) == [world.org_a]


def test_the_lead_posting_a_letter_for_a_partner_attaches_nothing(world, draft):
    client = client_as(world, "delegate_a")
    client.post(
        reverse("projects:attachment-create", args=[draft.project.pk]),
        {
            "file": pdf(),
            "title": "Lettre",
            "required_document": draft.letter.pk,
            "organisation": draft.partnership.organisation_id,
        },
    )
    assert not ProjectAttachment.objects.filter(project=draft.project).exists()


def test_the_lead_downloads_the_partners_letter(world, draft):
    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    letter = ProjectAttachment.objects.get(project=draft.project)
    response = client_as(world, "delegate_a").get(
        reverse("projects:attachment-download", args=[draft.project.pk, letter.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


# The answer page ----------------------------------------------------------------------------


def answer_url(draft):
    return reverse("projects:partner-answer", args=[draft.project.pk, draft.partnership.pk])


def answer_data(draft, **extra):
    draft.partnership.refresh_from_db()
    return {
        "answer": "confirm",
        "role": "Accueil",
        "cash": "3000",
        "in_kind": "0",
        "in_kind_description": "",
        "note": "Approuvé par notre CA",
        "version": draft.partnership.version,
        **extra,
    }


def test_the_answer_page_takes_the_letter(client, draft):
    client.force_login(draft.guest_delegate)
    response = client.post(answer_url(draft), answer_data(draft, letter=pdf()))
    assert response.status_code == 302
    assert ProjectAttachment.objects.get(project=draft.project).uploaded_by == draft.guest_delegate


def test_the_answer_page_without_the_letter_keeps_what_was_typed(client, draft):
    client.force_login(draft.guest_delegate)
    with translation.override("en"):
        response = client.post(answer_url(draft), answer_data(draft), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = response.context["form"]
    assert "letter" in form.errors
    assert form["note"].value() == "Approuvé par notre CA"
    assert Partnership.objects.get(pk=draft.partnership.pk).status == Partnership.Status.INVITED


def test_the_answer_page_refuses_a_wrong_file_type_in_the_form(client, draft):
    client.force_login(draft.guest_delegate)
    response = client.post(answer_url(draft), answer_data(draft, letter=pdf("appui.exe", b"MZ")))
    assert response.status_code == 200
    assert response.context["form"].errors["letter"]
    assert not ProjectAttachment.objects.exists()


# The rule at submission ------------------------------------------------------------------------


def test_a_confirmed_partner_without_its_letter_blocks_submission_and_is_named(draft):
    # given a confirmed partner that sent no letter (confirmed before the call asked one)
    Partnership.objects.filter(pk=draft.partnership.pk).update(status=Partnership.Status.CONFIRMED)
    # then
    check = codes(draft)["partner_documents"]
    assert not check.ok
    assert draft.partnership.organisation.short_name in check.message


def test_one_letter_does_not_stand_for_every_partner(world, draft):
    # given two confirmed partners, only the first sent its letter
    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    other, other_delegate = member(world.table_a, sector=Sector.PUBLIC_EDUCATION)
    second = PartnershipFactory(project=draft.project, organisation=other)
    # then
    check = codes(draft)["partner_documents"]
    assert not check.ok
    assert other.short_name in check.message
    assert draft.partnership.organisation.short_name not in check.message
    # and once the second sends its own, the rule is met
    second.status = Partnership.Status.INVITED
    second.save()
    confirm(second, other_delegate, letter=pdf())
    assert codes(draft)["partner_documents"].ok


def test_a_letter_attached_without_organisation_does_not_count(draft):
    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    ProjectAttachment.objects.filter(project=draft.project).update(organisation=None)
    assert not codes(draft)["partner_documents"].ok


def test_other_required_documents_are_still_checked_once(draft):
    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    RequiredDocumentFactory(call=draft.call, name="Budget détaillé")
    checks = codes(draft)
    assert checks["partner_documents"].ok
    assert not checks["documents"].ok


# The project page ------------------------------------------------------------------------------


def test_the_project_page_shows_each_partners_letter(world, draft):
    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    other, _delegate = member(world.table_a, sector=Sector.PUBLIC_EDUCATION)
    PartnershipFactory(project=draft.project, organisation=other)
    response = client_as(world, "delegate_a").get(draft.project.get_absolute_url())
    rows = {p.organisation_id: p.letter for p in response.context["partnerships"]}
    assert rows[draft.partnership.organisation_id] is not None
    assert rows[other.pk] is None


def test_the_project_page_costs_the_same_with_more_partners(world, draft):
    client = client_as(world, "delegate_a")
    url = draft.project.get_absolute_url()

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    confirm(draft.partnership, draft.guest_delegate, letter=pdf())
    before = count()
    for _ in range(4):
        organisation, delegate = member(world.table_a, sector=Sector.PUBLIC_EDUCATION)
        partnership = PartnershipFactory(
            project=draft.project, organisation=organisation, status=Partnership.Status.INVITED
        )
        confirm(partnership, delegate, letter=pdf())
    assert count() == before


def test_the_answer_page_costs_the_same_with_more_partners(world, draft):
    client = client_as(world, "delegate_a")
    client.force_login(draft.guest_delegate)
    url = answer_url(draft)

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    before = count()
    for _ in range(4):
        organisation, delegate = member(world.table_a, sector=Sector.PUBLIC_EDUCATION)
        partnership = PartnershipFactory(
            project=draft.project, organisation=organisation, status=Partnership.Status.INVITED
        )
        confirm(partnership, delegate, letter=pdf())
    assert count() == before
