"""The shared workspace: editing together without lost updates, rights, the budget's
totals, attachments checked, frozen versions, and every form refusing bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from funding.models import Status
from projects import services
from projects.budget import budget_totals
from projects.models import BudgetLine, Collaborator, Project, ProjectAttachment, ProjectComment
from projects.permissions import can_comment_project, can_edit_project, can_view_project
from tests.conftest import client_as
from tests.factories import UserFactory
from tests.funding.factories import application_in, call_on, ready_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return ready_application(call_on(world.table_a), lead=world.org_a, lead_delegate=world.delegate_a)


def edit_url(draft):
    return reverse("projects:project-update", args=[draft.project_id])


def project_form(project, **overrides):
    data = {
        "title": project.title,
        "summary": project.summary,
        "needs": project.needs,
        "target_population": project.target_population,
        "territory": project.territory,
        "regions": [r.pk for r in project.regions.all()],
        "starts": project.starts.isoformat(),
        "ends": project.ends.isoformat(),
        "activities": project.activities,
        "deliverables": project.deliverables,
        "version": project.version,
    }
    data.update(overrides)
    return data


# Editing together --------------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_nothing_lost(world, draft):
    # given two people opened the project on version 1
    project = draft.project
    opened = project.version
    colleague = UserFactory()
    services.collaborator_set(project=project, person=colleague, right="edit", by=world.delegate_a)
    # when the first saves, then the second
    services.project_update(
        project=project, expected_version=opened, by=colleague, summary="Version de Julie"
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.project_update(
            project=project, expected_version=opened, by=world.delegate_a, summary="Version d'Amina"
        )
    # then the first save stands and the second learns who saved what
    assert Project.objects.get(pk=project.pk).summary == "Version de Julie"
    assert conflict.value.saved_by == colleague
    assert conflict.value.current["summary"] == "Version de Julie"


def test_saving_what_is_already_there_is_not_a_conflict(world, draft):
    project = draft.project
    services.project_update(project=project, expected_version=1, by=world.delegate_a, summary="Même texte")
    services.project_update(project=project, expected_version=1, by=world.delegate_a, summary="Même texte")


def test_the_edit_page_shows_the_conflict_and_keeps_the_typed_text(world, draft):
    # given someone saved since the page was opened
    project = draft.project
    services.project_update(
        project=project, expected_version=1, by=world.delegate_a, summary="Déjà enregistré"
    )
    # when the stale form is sent
    response = client_as(world, "delegate_a").post(
        edit_url(draft), project_form(project, summary="Mon texte", version=1)
    )
    # then the page explains, shows both, and the form carries my text on the new version
    assert response.status_code == 200
    text = response.content.decode()
    assert "Déjà enregistré" in text and "Mon texte" in text
    assert response.context["form"]["version"].value() == 2
    assert Project.objects.get(pk=project.pk).summary == "Déjà enregistré"


def test_saving_the_merged_form_goes_through(world, draft):
    project = draft.project
    services.project_update(
        project=project, expected_version=1, by=world.delegate_a, summary="Déjà enregistré"
    )
    response = client_as(world, "delegate_a").post(
        edit_url(draft), project_form(project, summary="Fusion", version=2)
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).summary == "Fusion"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 201),
        ("summary", "x" * 10_001),
        ("starts", "bientôt"),
        ("regions", ["9999"]),
        ("version", "abc"),
        ("version", ""),
    ],
)
def test_the_project_form_refuses_bad_input(world, draft, field, value):
    response = client_as(world, "delegate_a").post(
        edit_url(draft), project_form(draft.project, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Project.objects.get(pk=draft.project_id).title == draft.project.title


def test_the_project_form_refuses_an_end_before_the_start(world, draft):
    project = draft.project
    data = project_form(project, ends=(project.starts - timedelta(days=1)).isoformat())
    response = client_as(world, "delegate_a").post(edit_url(draft), data)
    assert "ends" in response.context["form"].errors


def test_the_project_form_refuses_an_objective_outside_the_call(world, draft):
    from tests.funding.factories import objective_of

    wanted, other = objective_of(world.table_a), objective_of(world.table_a)
    draft.call.objectives.set([wanted])
    response = client_as(world, "delegate_a").post(
        edit_url(draft), project_form(draft.project, objectives=[other.pk])
    )
    assert "objectives" in response.context["form"].errors


# Rights ------------------------------------------------------------------------------------------


def test_partners_comment_but_do_not_edit_by_default(draft):
    partner = draft.project.partnerships.first().organisation
    delegate = partner.memberships.first().delegations.first().person
    assert can_comment_project(delegate, draft.project)
    assert not can_edit_project(delegate, draft.project)


def test_the_lead_can_give_a_partner_the_right_to_edit(world, draft):
    delegate = draft.project.partnerships.first().organisation.memberships.first().delegations.first().person
    services.collaborator_set(project=draft.project, person=delegate, right="edit", by=world.delegate_a)
    project = Project.objects.get(pk=draft.project_id)
    assert can_edit_project(delegate, project)


def test_a_view_right_sees_but_does_not_comment(world, draft):
    reader = UserFactory()
    services.collaborator_set(project=draft.project, person=reader, right="view", by=world.delegate_a)
    project = Project.objects.get(pk=draft.project_id)
    assert can_view_project(reader, project) and not can_comment_project(reader, project)
    response = client_as(world, "outsider")
    response.force_login(reader)
    assert (
        response.post(reverse("projects:comment-create", args=[project.pk]), {"text": "Bonjour"}).status_code
        == 403
    )


def test_the_rights_form_needs_an_existing_account(world, draft):
    response = client_as(world, "delegate_a").post(
        reverse("projects:collaborators", args=[draft.project_id]),
        {"email": "personne@nulle.part", "right": "edit"},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Collaborator.objects.exists()


def test_a_comment_that_is_too_long_is_refused(world, draft):
    client_as(world, "delegate_a").post(
        reverse("projects:comment-create", args=[draft.project_id]), {"text": "x" * 5001}
    )
    assert not ProjectComment.objects.exists()


# Budget --------------------------------------------------------------------------------------------


def test_budget_totals_and_shares(draft):
    totals = budget_totals(BudgetLine.objects.filter(project=draft.project))
    # 40 000 requested, 8 000 in kind from a partner, 12 000 from another source
    assert (totals.total, totals.requested, totals.contribution_in_kind, totals.other_sources) == (
        Decimal("60000"),
        Decimal("40000"),
        Decimal("8000"),
        Decimal("12000"),
    )
    assert totals.requested_share == Decimal("66.7")


def test_what_is_requested_from_the_call_is_cash(world, draft):
    with pytest.raises(ValidationError):
        services.budget_line_save(
            project=draft.project,
            by=world.delegate_a,
            organisation=world.org_a,
            category="staff",
            description="Temps",
            nature="in_kind",
            source="requested",
            amount=Decimal("100"),
        )


def test_a_budget_line_is_carried_by_the_lead_or_a_partner(world, draft):
    with pytest.raises(ValidationError):
        services.budget_line_save(
            project=draft.project,
            by=world.delegate_a,
            organisation=world.org_b,
            category="staff",
            description="Temps",
            nature="cash",
            source="contribution",
            amount=Decimal("100"),
        )


def test_two_people_editing_one_budget_line_lose_nothing(world, draft):
    line = BudgetLine.objects.filter(project=draft.project, source="requested").get()
    services.budget_line_save(
        project=draft.project, by=world.delegate_a, line=line, expected_version=1, amount=Decimal("41000")
    )
    with pytest.raises(services.EditConflict):
        services.budget_line_save(
            project=draft.project, by=world.delegate_a, line=line, expected_version=1, amount=Decimal("39000")
        )
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("41000")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "-10"),
        ("amount", "0"),
        ("amount", "cher"),
        ("description", ""),
        ("category", "fête"),
        ("organisation", "999999"),
    ],
)
def test_the_budget_form_refuses_bad_input(world, draft, field, value):
    data = {
        "organisation": world.org_a.pk,
        "category": "staff",
        "description": "Animation",
        "source": "requested",
        "nature": "cash",
        "amount": "1000",
    }
    data[field] = value
    before = BudgetLine.objects.count()
    response = client_as(world, "delegate_a").post(reverse("projects:budget", args=[draft.project_id]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert BudgetLine.objects.count() == before


def test_the_budget_form_refuses_another_projects_organisation(world, draft):
    stranger = ready_application(call_on(world.table_a)).project.lead
    data = {
        "organisation": stranger.pk,
        "category": "staff",
        "description": "A",
        "source": "requested",
        "nature": "cash",
        "amount": "10",
    }
    response = client_as(world, "delegate_a").post(reverse("projects:budget", args=[draft.project_id]), data)
    assert "organisation" in response.context["form"].errors


# Attachments ----------------------------------------------------------------------------------------


def upload(world, draft, name, content, **extra):
    return client_as(world, "delegate_a").post(
        reverse("projects:attachment-create", args=[draft.project_id]),
        {"file": SimpleUploadedFile(name, content), "title": "Lettre", **extra},
    )


def test_a_letter_of_support_is_attached(world, draft):
    upload(world, draft, "appui.pdf", b"%PDF-1.4 appui")
    assert ProjectAttachment.objects.get(project=draft.project).title == "Lettre"


@pytest.mark.parametrize(
    ("name", "content"),
    [("virus.exe", b"MZ\x90"), ("faux.pdf", b"MZ\x90\x00 pas un pdf"), ("vide.txt", b"\x00\x01\x02")],
)
def test_a_file_of_the_wrong_type_is_refused(world, draft, name, content):
    upload(world, draft, name, content)
    assert not ProjectAttachment.objects.exists()


def test_a_file_too_large_is_refused(world, draft, settings):
    settings.UPLOAD_MAX_BYTES = 100
    upload(world, draft, "gros.pdf", b"%PDF-1.4" + b"x" * 200)
    assert not ProjectAttachment.objects.exists()


def test_a_document_of_another_call_is_refused(world, draft):
    from tests.funding.factories import RequiredDocumentFactory

    foreign = RequiredDocumentFactory(call=call_on(world.table_a))
    upload(world, draft, "appui.pdf", b"%PDF-1.4 appui", required_document=foreign.pk)
    assert not ProjectAttachment.objects.exists()


# Submission freezes the project ---------------------------------------------------------------------


def test_a_submitted_project_can_no_longer_change(world):
    submitted = application_in(Status.SUBMITTED, call_on(world.table_a))
    with pytest.raises(ValidationError):
        services.project_update(
            project=submitted.project,
            expected_version=submitted.project.version,
            by=submitted.lead_delegate,
            summary="x",
        )
    with pytest.raises(ValidationError):
        services.budget_line_save(
            project=submitted.project,
            by=submitted.lead_delegate,
            organisation=submitted.project.lead,
            category="staff",
            description="Ajout",
            nature="cash",
            source="other",
            other_source="Ville",
            amount=Decimal("10"),
        )


def test_the_submitted_version_does_not_follow_later_changes(world):
    # given a submitted project, withdrawn and changed
    from funding import services as funding_services

    application = application_in(Status.WITHDRAWN, call_on(world.table_a))
    funding_services.application_transition(
        application=application, to=Status.DRAFT, by=application.lead_delegate
    )
    project = Project.objects.get(pk=application.project_id)
    services.project_update(
        project=project, expected_version=project.version, by=application.lead_delegate, title="Nouveau titre"
    )
    # then version 1 keeps what was submitted
    version = application.versions.get(number=1)
    assert version.data["project"]["title"] == application.project.title
    assert version.data["project"]["title"] != "Nouveau titre"


def test_the_submitted_version_holds_the_confirmed_partners_and_budget(world):
    application = application_in(Status.SUBMITTED, call_on(world.table_a))
    data = application.versions.get(number=1).data
    assert len(data["partners"]) == 2
    assert data["budget"]["requested"] == "40000.00"
    assert all(rule["ok"] for rule in data["rules"])


def test_starting_a_project_needs_an_open_call(world):
    call = call_on(
        world.table_a,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=9),
    )
    response = client_as(world, "delegate_a").post(
        reverse("projects:project-start", args=[call.pk]), {"lead": world.org_a.pk, "title": "Tôt"}
    )
    assert response.status_code == 403
    assert not Project.objects.filter(title="Tôt").exists()


def test_starting_a_project_for_someone_elses_organisation_is_refused(world):
    call = call_on(world.table_a)
    response = client_as(world, "delegate_a").post(
        reverse("projects:project-start", args=[call.pk]), {"lead": world.org_b.pk, "title": "Usurpé"}
    )
    assert response.status_code == 200
    assert "lead" in response.context["form"].errors
    assert not Project.objects.filter(title="Usurpé").exists()
