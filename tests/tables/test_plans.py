from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tables import services
from tables.models import Action, ActionCommitment, ActionPlan, Indicator, Resolution
from tables.plan_progress import plan_view
from tests.factories import MembershipFactory, UserFactory, meeting_with_agenda

pytestmark = pytest.mark.django_db


def make_plan(table, **fields):
    return services.plan_create(
        table=table,
        by=None,
        title=fields.pop("title", "Plan 2026-2029"),
        starts=date(2026, 1, 1),
        ends=date(2028, 12, 31),
        **fields,
    )


def structure(plan):
    axis = services.axis_save(plan=plan, number=1, title="Accueil")
    fixed = services.objective_save(axis=axis, number="1.1", title="Accueillir", origin="non_negotiable")
    free = services.objective_save(axis=axis, number="1.2", title="Installer", origin="coconstructed")
    return axis, fixed, free


def adopting_resolution(plan):
    meeting = meeting_with_agenda(plan.table, days_ahead=-5)
    return Resolution.objects.create(
        table=plan.table,
        meeting=meeting,
        number="2026-01-01",
        sequence=1,
        text="Adopté",
        mode="consensus",
        result="consensus",
    )


def test_progress_of_a_parent_is_derived_from_its_children(world):
    # given two objectives: one with actions at 20 % and 60 %, the other at 100 %, and an abandoned action
    plan = make_plan(world.table_a)
    _axis, fixed, free = structure(plan)
    for objective, progress in ((fixed, 20), (fixed, 60), (free, 100)):
        action = services.action_add(objective=objective, by=None, title=f"A{progress}")
        Action.objects.filter(pk=action.pk).update(progress=progress)
    abandoned = services.action_add(objective=free, by=None, title="Abandonnée")
    Action.objects.filter(pk=abandoned.pk).update(status="abandoned", progress=0, abandon_reason="Doublon")
    # when the plan view is computed
    view = plan_view(plan)
    # then objectives average their actions, the axis its objectives, the plan its axes
    objectives = {o.number: o.progress for o in view.axes[0].objectives.all()}
    assert objectives == {"1.1": 40, "1.2": 100}
    assert view.axes[0].progress == 70
    assert view.progress == 70


def test_a_part_without_action_has_no_progress_rather_than_zero(world):
    plan = make_plan(world.table_a)
    structure(plan)
    assert plan_view(plan).progress is None


def test_late_actions_and_actions_without_lead_are_flagged(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    late = services.action_add(
        objective=fixed,
        by=None,
        title="En retard",
        lead=world.org_a,
        ends=timezone.localdate() - timedelta(days=1),
    )
    services.action_add(objective=fixed, by=None, title="Sans responsable")
    view = plan_view(plan)
    assert [a.pk for a in view.late] == [late.pk]
    assert [a.title for a in view.without_lead] == ["Sans responsable"]


def test_organisations_committed_to_nothing_are_listed(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    idle = MembershipFactory(table=world.table_a).organisation
    action = services.action_add(objective=fixed, by=None, title="Action", lead=world.org_a)
    assert action.lead == world.org_a
    assert [o.pk for o in plan_view(plan).uncommitted] == [idle.pk]


def test_non_negotiable_objectives_cannot_be_removed(world):
    plan = make_plan(world.table_a)
    _axis, fixed, free = structure(plan)
    with pytest.raises(ValidationError):
        services.objective_delete(objective=fixed)
    services.objective_delete(objective=free)
    assert list(plan.axes.get().objectives.values_list("number", flat=True)) == ["1.1"]


def test_members_cannot_remove_objectives_through_the_site(world, client_for):
    plan = make_plan(world.table_a)
    _axis, fixed, free = structure(plan)
    url = reverse("tables:plan-structure", args=[world.table_a.slug, plan.pk])
    assert client_for("delegate_a").post(url, {"delete_objective": free.pk}).status_code == 403
    response = client_for("coordinator").post(url, {"delete_objective": fixed.pk}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert plan.axes.get().objectives.count() == 2


def test_a_delegate_proposes_an_action_that_the_coordinator_merges_into_a_duplicate(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    original = services.action_add(objective=fixed, by=None, title="Guichet d'accueil")
    proposal = services.action_propose(
        objective=fixed, by=world.delegate_a, organisation=world.org_a, title="Guichet unique"
    )
    services.action_commit(
        action=proposal, organisation=world.org_a, by=world.delegate_a, role="partner", level="active"
    )
    assert proposal.state == Action.State.PROPOSED
    services.action_decide(action=proposal, decision=Action.State.MERGED, merge_into=original)
    proposal.refresh_from_db()
    assert proposal.state == Action.State.MERGED and proposal.merged_into == original
    # The organisation's commitment followed the merge.
    assert original.commitments.get().organisation == world.org_a


def test_proposals_close_once_the_plan_is_submitted(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    services.action_add(objective=fixed, by=None, title="Action")
    services.plan_transition(plan=plan, status=ActionPlan.Status.SUBMITTED)
    with pytest.raises(ValidationError):
        services.action_propose(
            objective=fixed, by=world.delegate_a, organisation=world.org_a, title="Trop tard"
        )


def test_adoption_links_the_resolution_to_this_version_and_freezes_the_content(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action")
    services.plan_transition(plan=plan, status=ActionPlan.Status.SUBMITTED)
    resolution = adopting_resolution(plan)
    services.plan_adopt(plan=plan, resolution=resolution)
    resolution.refresh_from_db()
    assert resolution.adopts_plan == plan
    with pytest.raises(ValidationError):
        services.action_add(objective=fixed, by=None, title="Ajout après adoption")
    with pytest.raises(ValidationError):
        services.action_update(action=action, expected_version=action.version, title="Autre titre")
    # progress still moves
    services.action_update(action=action, expected_version=action.version, status="in_progress", progress=30)


def test_a_plan_cannot_be_adopted_by_another_table_s_resolution(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    services.action_add(objective=fixed, by=None, title="Action")
    services.plan_transition(plan=plan, status=ActionPlan.Status.SUBMITTED)
    other = adopting_resolution(make_plan(world.table_b))
    with pytest.raises(ValidationError):
        services.plan_adopt(plan=plan, resolution=other)


def test_a_new_version_copies_the_plan_without_progress(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action", lead=world.org_a)
    Action.objects.filter(pk=action.pk).update(progress=80)
    ActionCommitment.objects.create(action=action, organisation=world.org_a, role="lead", level="active")
    Indicator.objects.create(objective=fixed, name="Personnes accueillies", target=Decimal(100))
    new = services.plan_new_version(plan=plan, by=None)
    copied = Action.objects.get(objective__axis__plan=new)
    assert (new.version, new.previous, new.status) == (2, plan, ActionPlan.Status.COCONSTRUCTION)
    assert copied.progress == 0 and copied.lead == world.org_a
    assert copied.commitments.get().role == "lead"
    assert new.axes.get().objectives.get(number="1.1").is_non_negotiable
    assert Indicator.objects.filter(objective__axis__plan=new).count() == 1


def test_two_people_editing_an_action_never_overwrite_each_other(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action")
    version = action.version
    services.action_update(action=action, expected_version=version, title="Première modification")
    with pytest.raises(services.ActionConflict) as conflict:
        services.action_update(action=action, expected_version=version, title="Seconde modification")
    assert conflict.value.current.title == "Première modification"
    action.refresh_from_db()
    assert action.title == "Première modification"


def test_a_progress_report_moves_the_action(world):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action", lead=world.org_a)
    services.action_progress(
        action=action, by=world.delegate_a, organisation=world.org_a, text="Lancée", progress=40
    )
    action.refresh_from_db()
    assert (action.progress, action.status) == (40, Action.Status.IN_PROGRESS)
    services.action_progress(
        action=action, by=world.delegate_a, organisation=world.org_a, text="Terminée", progress=100
    )
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_only_the_lead_s_delegates_report_progress(world, client_for):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    other = MembershipFactory(table=world.table_a).organisation
    action = services.action_add(objective=fixed, by=None, title="Action", lead=other)
    url = reverse("tables:action-progress", args=[world.table_a.slug, plan.pk, action.pk])
    assert (
        client_for("delegate_a").post(url, {"progress-text": "x", "progress-progress": "50"}).status_code
        == 403
    )
    action.lead = world.org_a
    action.save()
    assert (
        client_for("delegate_a").post(url, {"progress-text": "x", "progress-progress": "50"}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.progress == 50


def test_a_delegate_commits_only_their_own_organisation(world, client_for):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action")
    other = MembershipFactory(table=world.table_a).organisation
    url = reverse("tables:action-commit", args=[world.table_a.slug, plan.pk, action.pk])
    response = client_for("delegate_a").post(url, {"organisation": other.pk, f"c{other.pk}-role": "lead"})
    assert response.status_code == 403
    client_for("delegate_a").post(
        url,
        {
            "organisation": world.org_a.pk,
            f"c{world.org_a.pk}-role": "partner",
            f"c{world.org_a.pk}-level": "mobilising",
            f"c{world.org_a.pk}-resources": ["human"],
        },
    )
    commitment = ActionCommitment.objects.get()
    assert (commitment.organisation, commitment.level, commitment.stated_by) == (
        world.org_a,
        "mobilising",
        world.delegate_a,
    )


def test_a_partner_must_say_how_much_it_commits(world, client_for):
    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action")
    url = reverse("tables:action-commit", args=[world.table_a.slug, plan.pk, action.pk])
    client_for("delegate_a").post(url, {f"c{world.org_a.pk}-role": "partner"})
    assert not ActionCommitment.objects.exists()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"objective", "title"}),
        ({"title": "x" * 300}, {"title"}),
        ({"title": "A", "budget": "-5"}, {"budget"}),
        ({"title": "A", "starts": "2027-01-01", "ends": "2026-01-01"}, {"ends"}),
        ({"title": "A", "status": "abandoned"}, {"abandon_reason"}),
        ({"title": "A", "lead": "999999"}, {"lead"}),
    ],
)
def test_action_form_bad_input_saves_nothing(world, client_for, data, fields):
    plan = make_plan(world.table_a)
    structure(plan)
    url = reverse("tables:action-create", args=[world.table_a.slug, plan.pk])
    response = client_for("coordinator").post(url, {"status": "not_started", **data})
    assert response.status_code == 200
    assert fields <= set(response.context["form"].errors)
    assert not Action.objects.exists()


def test_an_objective_of_another_plan_is_refused(world, client_for):
    plan = make_plan(world.table_a)
    structure(plan)
    other_plan = make_plan(world.table_b)
    _axis, other_objective, _free = structure(other_plan)
    url = reverse("tables:action-create", args=[world.table_a.slug, plan.pk])
    response = client_for("coordinator").post(
        url, {"objective": other_objective.pk, "title": "X", "status": "not_started"}
    )
    assert "objective" in response.context["form"].errors


def test_a_plan_in_co_construction_is_hidden_from_the_public(world, client):
    plan = make_plan(world.table_a)
    assert client.get(plan.get_absolute_url()).status_code == 404
    ActionPlan.objects.filter(pk=plan.pk).update(status=ActionPlan.Status.ADOPTED)
    assert client.get(plan.get_absolute_url()).status_code == 200


def test_plan_exports_have_every_action(world, django_capture_on_commit_callbacks):
    import csv
    import io

    from openpyxl import load_workbook

    from tables.models import Document
    from tables.services.documents import document_request

    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    services.action_add(objective=fixed, by=None, title="Guichet d'accueil commun", lead=world.org_a)
    with django_capture_on_commit_callbacks(execute=True):
        xlsx = document_request(source=plan, kind="plan_xlsx", language="fr-ca")
        text = document_request(source=plan, kind="plan_csv", language="fr-ca")
    xlsx, text = Document.objects.get(pk=xlsx.pk), Document.objects.get(pk=text.pk)
    sheet = load_workbook(xlsx.file.path).active
    assert sheet.cell(row=2, column=5).value == "Guichet d'accueil commun"
    rows = list(csv.reader(io.StringIO(text.file.read().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][4] == "Guichet d'accueil commun" and rows[1][5] == world.org_a.name


def test_plan_pdf_lists_axes_and_actions(world, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    from tables.models import Document
    from tables.services.documents import document_request

    plan = make_plan(world.table_a, title="Plan d'action régional")
    _axis, fixed, _free = structure(plan)
    services.action_add(objective=fixed, by=None, title="Francisation en région éloignée", lead=world.org_a)
    ActionPlan.objects.filter(pk=plan.pk).update(status=ActionPlan.Status.ADOPTED)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(source=ActionPlan.objects.get(pk=plan.pk), kind="plan", language="fr-ca")
    document = Document.objects.get(pk=document.pk)
    text = " ".join(page.extract_text() for page in PdfReader(document.file.path).pages)
    assert "Plan d'action régional" in text.replace("’", "'")
    assert "Francisation en région éloignée" in text
    assert "Accueil" in text


def test_the_plan_documents_fingerprint_follows_every_part_and_costs_one_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tables.models import Measurement
    from tables.services.documents import fingerprint

    plan = make_plan(world.table_a)
    axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action", lead=world.org_a)
    indicator = Indicator.objects.create(objective=fixed, name="Personnes accueillies")
    changes = [
        lambda: services.action_add(objective=fixed, by=None, title="Autre", lead=world.org_a),
        lambda: Action.objects.filter(pk=action.pk).update(updated_at=timezone.now() + timedelta(days=1)),
        lambda: ActionCommitment.objects.create(
            action=action, organisation=world.org_b, role="partner", level="active"
        ),
        lambda: services.action_progress(
            action=action, by=world.delegate_a, organisation=world.org_a, text="Lancée", progress=10
        ),
        lambda: Measurement.objects.create(
            indicator=indicator, measured_on=date(2026, 3, 1), value=4, source="Registre"
        ),
        lambda: services.axis_save(plan=plan, number=2, title="Emploi"),
        lambda: services.objective_save(axis=axis, number="1.3", title="Retenir", origin="coconstructed"),
    ]
    seen = set()
    for change in [lambda: None, *changes]:
        change()
        current = ActionPlan.objects.get(pk=plan.pk)
        with CaptureQueriesContext(connection) as queries:
            value = fingerprint(current, "plan")
        assert len(queries.captured_queries) == 1
        seen.add(value)
    assert len(seen) == len(changes) + 1


def test_the_plan_page_reads_the_fingerprint_once_for_its_three_documents(world, client_for):
    from dataclasses import replace
    from unittest import mock

    from tables import plan_documents
    from tables.services.documents import KINDS

    plan = make_plan(world.table_a)
    structure(plan)
    spy = mock.Mock(wraps=plan_documents._fingerprint)
    kinds = {code: replace(KINDS[code], fingerprint=spy) for code in ("plan", "plan_xlsx", "plan_csv")}
    with mock.patch.dict(KINDS, kinds):
        response = client_for("coordinator").get(plan.get_absolute_url())
    assert response.status_code == 200
    assert all(f'id="document-{code}-{plan.pk}-title"' in response.content.decode() for code in kinds)
    assert spy.call_count == 1


def test_plan_page_query_count_does_not_grow(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(world.table_a)
    _axis, fixed, free = structure(plan)
    client = client_for("coordinator")
    url = plan.get_absolute_url()

    def grow(n):
        for i in range(n):
            member = MembershipFactory(table=world.table_a).organisation
            action = services.action_add(
                objective=fixed if i % 2 else free, by=None, title=f"Action {i}", lead=member
            )
            ActionCommitment.objects.create(
                action=action, organisation=world.org_a, role="partner", level="active"
            )
            Indicator.objects.create(objective=fixed, name=f"I{i}")

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    grow(2)
    small = count()
    grow(20)
    assert count() == small


def test_action_page_query_count_does_not_grow(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(world.table_a)
    _axis, fixed, _free = structure(plan)
    action = services.action_add(objective=fixed, by=None, title="Action", lead=world.org_a)
    client = client_for("delegate_a")
    url = reverse("tables:action-detail", args=[world.table_a.slug, plan.pk, action.pk])

    def grow(n):
        for i in range(n):
            member = MembershipFactory(table=world.table_a).organisation
            ActionCommitment.objects.create(
                action=action, organisation=member, role="partner", level="active"
            )
            indicator = Indicator.objects.create(action=action, name=f"I{i}")
            services.measurement_add(
                indicator=indicator,
                by=world.coordinator,
                measured_on=date(2026, 1, 1),
                value=Decimal(i),
                source="s",
            )
            services.action_comment(
                action=action, by=world.delegate_a, organisation=world.org_a, text=f"c{i}"
            )
            services.action_progress(
                action=action, by=UserFactory(), organisation=None, text="x", progress=10
            )

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    grow(2)
    small = count()
    grow(10)
    assert count() == small
