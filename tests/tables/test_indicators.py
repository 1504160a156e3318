"""Each process indicator against values computed by hand on a small table."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tables import services
from tables.assessment import assessment_answer
from tables.indicators import QUESTIONS, partnership_density, process_indicators
from tables.models import (
    ActionCommitment,
    AgendaItem,
    AssessmentAnswer,
    AssessmentParticipation,
    Attendance,
    FollowUp,
    Meeting,
    Resolution,
    SelfAssessment,
)
from tests.factories import (
    DelegationFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
YEAR = 2025


def at(month, day):
    return timezone.make_aware(datetime(YEAR, month, day, 9))


def held(table, month, day):
    meeting = services.meeting_create(
        table=table,
        by=None,
        title="Rencontre",
        starts_at=at(month, day),
        ends_at=at(month, day) + timedelta(hours=3),
        place="Salle",
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def small():
    """4 voting members (2 community, 1 municipal, 1 private), 1 observer (government);
    quorum 50 % + 1 = 3. Two meetings: the first with 3 voting members present, the second
    with 2 (no quorum) and the observer."""
    table = TableFactory(rules__quorum_percent=50, rules__quorum_strictly_more=True)
    table.rules_versions.update(effective_from=date(2020, 1, 1))
    community = [
        MembershipFactory(table=table, organisation=OrganisationFactory(sector="community")) for _ in range(2)
    ]
    municipal = MembershipFactory(table=table, organisation=OrganisationFactory(sector="municipal"))
    private = MembershipFactory(table=table, organisation=OrganisationFactory(sector="private"))
    observer = MembershipFactory(
        table=table, organisation=OrganisationFactory(sector="government"), status="observer"
    )
    first, second = held(table, 3, 4), held(table, 6, 10)
    for membership in (*community, municipal):
        Attendance.objects.create(
            meeting=first, membership=membership, present=True, attendee_role="delegate"
        )
    for membership in (*community, observer):
        Attendance.objects.create(
            meeting=second, membership=membership, present=True, attendee_role="delegate"
        )
    return type("Small", (), locals())


def test_attendance_rate_overall_by_sector_and_by_organisation(small):
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    # 5 called to each of 2 meetings = 10; present 3 + 3 = 6
    assert result.attendance_rate == 60
    by_sector = {label: (invited, present, rate) for label, invited, present, rate in result.by_sector}
    assert by_sector["Communautaire"] == (4, 4, 100)
    assert by_sector["Privé"] == (2, 0, 0)
    assert [str(s) for s in result.sectors_never_present] == ["Privé"]
    rates = {organisation.pk: rate for organisation, _i, _p, rate in result.by_organisation}
    assert rates[small.municipal.organisation_id] == 50


def test_quorum_reached_and_missed(small):
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    rows = [(row.voting, row.required, row.voting_present, row.quorum_reached) for row in result.meetings]
    assert rows == [(4, 3, 3, True), (4, 3, 2, False)]
    assert (result.quorum_reached, result.quorum_missed) == (1, 1)


def test_the_period_bounds_the_meetings(small):
    result = process_indicators(small.table, date(YEAR, 4, 1), date(YEAR, 12, 31))
    assert len(result.meetings) == 1


def test_delegate_turnover(small):
    DelegationFactory(membership=small.community[0], start=date(YEAR - 1, 1, 1), end=date(YEAR, 5, 1))
    DelegationFactory(membership=small.community[0], start=date(YEAR, 5, 1))
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert (result.delegations_started, result.delegations_ended, result.seats) == (1, 1, 5)
    assert result.turnover_rate == 20


def test_agenda_ownership_and_decision_modes(small):
    AgendaItem.objects.create(
        meeting=small.first,
        title="Membre",
        proposed_by_organisation=small.municipal.organisation,
        duration_minutes=30,
        position=45,
    )
    AgendaItem.objects.create(meeting=small.first, title="Coordination", duration_minutes=10, position=46)
    for number, mode, outcome in (
        ("01", "consensus", "consensus"),
        ("02", "vote", "majority"),
        ("03", "vote", "rejected"),
    ):
        Resolution.objects.create(
            table=small.table,
            meeting=small.first,
            number=f"{YEAR}-03-{number}",
            sequence=int(number),
            text="R",
            mode=mode,
            result=outcome,
        )
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert (result.ownership.item_share, result.ownership.minute_share) == (50, 75)
    assert result.decision_modes == {"Consensus": 1, "Vote": 2}
    assert (result.resolutions_adopted, result.resolutions_rejected) == (2, 1)


def test_follow_ups_on_time_late_open_and_overdue(small):
    def follow_up(status, due, done=None):
        return FollowUp.objects.create(
            table=small.table,
            meeting=small.first,
            description="x",
            status=status,
            due=due,
            done_at=timezone.make_aware(datetime.combine(done, datetime.min.time())) if done else None,
        )

    follow_up("done", date(YEAR, 4, 1), date(YEAR, 3, 20))
    follow_up("done", date(YEAR, 4, 1), date(YEAR, 4, 15))
    follow_up("open", timezone.localdate() + timedelta(days=10))
    follow_up("open", date(YEAR, 4, 1))
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert result.follow_ups == {"done_on_time": 1, "done_late": 1, "open": 1, "overdue": 1, "cancelled": 0}


def test_partnership_density_counts_pairs_working_together(small):
    # given an action of the plan where three members work together during YEAR
    plan = services.plan_create(
        table=small.table, by=None, title="Plan", starts=date(YEAR, 1, 1), ends=date(YEAR + 2, 12, 31)
    )
    axis = services.axis_save(plan=plan, number=1, title="Axe")
    objective = services.objective_save(axis=axis, number="1.1", title="Obj")
    action = services.action_add(
        objective=objective, by=None, title="A", starts=date(YEAR, 2, 1), ends=date(YEAR, 11, 30)
    )
    for membership, role in (
        (small.community[0], "lead"),
        (small.community[1], "partner"),
        (small.municipal, "partner"),
    ):
        ActionCommitment.objects.create(
            action=action, organisation=membership.organisation, role=role, level="active"
        )
    # then 3 pairs of the 10 possible among 5 members in YEAR, none the next year
    assert partnership_density(small.table, [YEAR, YEAR + 1]) == [(YEAR, 3, 10, 30.0), (YEAR + 1, 0, 10, 0.0)]


def test_self_assessment_is_anonymous_and_averaged(small):
    assessment = SelfAssessment.objects.create(
        table=small.table, year=YEAR, opens=date(YEAR, 1, 1), closes=timezone.localdate() + timedelta(days=1)
    )
    people = [UserFactory() for _ in range(3)]
    for person, score in zip(people, (2, 4, 5), strict=True):
        assessment_answer(assessment=assessment, person=person, scores=dict.fromkeys(QUESTIONS, score))
    # Nothing links an answer to a person.
    assert {f.name for f in AssessmentAnswer._meta.get_fields()} == {"id", "assessment", "question", "score"}
    assert AssessmentParticipation.objects.filter(assessment=assessment).count() == 3
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert result.assessment_participants == 3
    assert result.assessment_scores[0] == ("shared_understanding", 3.7, 3)


def test_fewer_than_three_answers_are_not_shown(small):
    assessment = SelfAssessment.objects.create(
        table=small.table, year=YEAR, opens=date(YEAR, 1, 1), closes=timezone.localdate() + timedelta(days=1)
    )
    assessment_answer(assessment=assessment, person=UserFactory(), scores=dict.fromkeys(QUESTIONS, 1))
    result = process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert result.assessment_scores[0][1] is None


def test_a_person_answers_only_once_and_only_while_open(small):
    from django.core.exceptions import ValidationError

    assessment = SelfAssessment.objects.create(
        table=small.table, year=YEAR, opens=date(YEAR, 1, 1), closes=timezone.localdate() + timedelta(days=1)
    )
    person = UserFactory()
    assessment_answer(assessment=assessment, person=person, scores=dict.fromkeys(QUESTIONS, 3))
    with pytest.raises(ValidationError):
        assessment_answer(assessment=assessment, person=person, scores=dict.fromkeys(QUESTIONS, 5))
    assert AssessmentAnswer.objects.count() == len(QUESTIONS)
    closed = SelfAssessment.objects.create(
        table=small.table, year=YEAR - 1, opens=date(YEAR - 1, 1, 1), closes=date(YEAR - 1, 2, 1)
    )
    with pytest.raises(ValidationError):
        assessment_answer(assessment=closed, person=UserFactory(), scores=dict.fromkeys(QUESTIONS, 3))


def test_indicator_queries_do_not_grow_with_meetings(small):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as context:
            process_indicators(small.table, date(YEAR, 1, 1), date(YEAR, 12, 31))
        return len(context.captured_queries)

    before = count()
    for month in (7, 8, 9, 10):
        meeting = held(small.table, month, 5)
        for membership in small.community:
            Attendance.objects.create(meeting=meeting, membership=membership, present=True)
    assert count() == before


def test_delegate_answers_the_self_assessment_from_the_site(world, client_for):
    assessment = SelfAssessment.objects.create(
        table=world.table_a,
        year=timezone.localdate().year,
        opens=timezone.localdate(),
        closes=timezone.localdate() + timedelta(days=5),
    )
    url = reverse("tables:assessment-answer", args=[world.table_a.slug, assessment.pk])
    data = dict.fromkeys(QUESTIONS, "4")
    data["comment"] = "Belle année"
    assert client_for("delegate_a").post(url, data).status_code == 302
    assert AssessmentAnswer.objects.filter(assessment=assessment).count() == len(QUESTIONS)


def test_an_incomplete_answer_saves_nothing(world, client_for):
    assessment = SelfAssessment.objects.create(
        table=world.table_a,
        year=timezone.localdate().year,
        opens=timezone.localdate(),
        closes=timezone.localdate() + timedelta(days=5),
    )
    url = reverse("tables:assessment-answer", args=[world.table_a.slug, assessment.pk])
    response = client_for("delegate_a").post(url, {"shared_vision": "9"})
    assert response.status_code == 200
    assert not AssessmentParticipation.objects.exists() and not AssessmentAnswer.objects.exists()


def test_bilan_pdf_has_cover_contents_indicators_and_charts(world, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    from tables.models import Bilan, Document
    from tables.services.documents import document_request

    meeting = held(world.table_a, 5, 5)
    Attendance.objects.create(meeting=meeting, membership=world.membership_a, present=True)
    bilan = Bilan.objects.create(
        table=world.table_a,
        title="Bilan annuel 2025",
        starts=date(YEAR, 1, 1),
        ends=date(YEAR, 12, 31),
        highlights="Une année de coconstruction réussie",
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(source=bilan, kind="bilan", language="fr-ca")
    document = Document.objects.get(pk=document.pk)
    reader = PdfReader(document.file.path)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert document.status == "ready" and len(reader.pages) >= 5
    assert "Bilan annuel 2025" in text and "Une année de coconstruction réussie" in text
    assert "100" in text  # the attendance rate of the one member called


def test_bilan_form_bad_input(world, client_for):
    from tables.models import Bilan

    response = client_for("coordinator").post(
        reverse("tables:bilan-create", args=[world.table_a.slug]),
        {"title": "", "starts": "2025-12-31", "ends": "2025-01-01"},
    )
    assert {"title", "ends"} <= set(response.context["form"].errors)
    assert not Bilan.objects.exists()
