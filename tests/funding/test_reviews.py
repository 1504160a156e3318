"""Fair reviews: conflicts of interest excluded automatically or by declaration, the
declaration before the application, scores weighted, other reviews hidden until one's
own is submitted, reviewer names never shown to applicants."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from funding import services
from funding.models import Declaration, Review, Score, Status, weighted_total
from funding.selectors import review_board
from members.services.editing import EditConflict
from tests.conftest import client_as
from tests.factories import DelegationFactory, FunderStaffFactory
from tests.funding.factories import application_in, call_on, manager_of, review, reviewer_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(world):
    return call_on(world.table_a, funders=[world.funder])


@pytest.fixture
def in_review(call):
    return application_in(Status.IN_REVIEW, call)


def partner_delegate_as_reviewer(application):
    """The delegate of one of the project's partners, named reviewer of its call."""
    partnership = application.project.partnerships.first()
    membership = partnership.organisation.memberships.get(table=application.call.table)
    person = membership.delegations.first().person
    return services.reviewer_add(call=application.call, person=person, by=None)


def url(application):
    return reverse("funding:review-form", args=[application.call_id, application.pk])


def test_a_reviewer_from_a_partner_organisation_is_excluded_automatically(in_review):
    # given
    reviewer = partner_delegate_as_reviewer(in_review)
    # when / then: they cannot even declare, let alone review
    with pytest.raises(ValidationError):
        services.declaration_record(
            reviewer=reviewer, application=in_review, has_conflict=False, by=reviewer.person
        )
    row = review_board(in_review.call)[0]
    assert [s.state for s in row.states if s.reviewer == reviewer] == ["excluded"]


def test_a_reviewer_from_the_lead_organisation_is_excluded_automatically(in_review):
    lead_membership = in_review.project.lead.memberships.get(table=in_review.call.table)
    reviewer = services.reviewer_add(
        call=in_review.call, person=lead_membership.delegations.first().person, by=None
    )
    assert [s.state for s in review_board(in_review.call)[0].states if s.reviewer == reviewer] == ["excluded"]


def test_an_excluded_reviewer_sees_nothing_of_the_application(world, in_review):
    reviewer = partner_delegate_as_reviewer(in_review)
    client = client_as(world, "outsider")
    client.force_login(reviewer.person)
    response = client.get(url(in_review))
    assert response.status_code == 200
    assert escape(in_review.project.summary) not in response.content.decode()
    assert "vous ne l’évaluez" in response.content.decode()


def test_a_funder_evaluator_working_for_a_partner_is_excluded(world, in_review):
    # given the evaluator's funder organisation is a partner of the project
    from tests.funding.factories import PartnershipFactory

    PartnershipFactory(project=in_review.project, organisation=world.funder.organisation)
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    # then
    assert [s.state for s in review_board(in_review.call)[0].states if s.reviewer == reviewer] == ["excluded"]


def test_the_application_is_hidden_until_the_reviewer_declares(world, in_review):
    services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    response = client_as(world, "evaluator").get(url(in_review))
    text = response.content.decode()
    assert "Déclarez d’abord vos intérêts" in text
    assert escape(in_review.project.summary) not in text
    assert escape(in_review.project.lead.name) in text


def test_after_declaring_no_conflict_the_reviewer_reads_the_application(world, in_review):
    services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    client = client_as(world, "evaluator")
    response = client.post(url(in_review), {"action": "declare", "has_conflict": "no"})
    assert response.status_code == 302
    assert escape(in_review.project.summary) in client.get(url(in_review)).content.decode()


def test_a_declared_conflict_excludes_the_reviewer(world, in_review):
    # given
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    services.declaration_record(
        reviewer=reviewer,
        application=in_review,
        has_conflict=True,
        details="Ma sœur dirige l'organisme.",
        by=world.evaluator,
    )
    # when / then
    with pytest.raises(ValidationError):
        review(in_review, reviewer)
    assert (
        escape(in_review.project.summary)
        not in client_as(world, "evaluator").get(url(in_review)).content.decode()
    )


def test_a_declared_conflict_cannot_be_taken_back(world, in_review):
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    services.declaration_record(
        reviewer=reviewer, application=in_review, has_conflict=True, details="Lien.", by=world.evaluator
    )
    with pytest.raises(ValidationError):
        services.declaration_record(
            reviewer=reviewer, application=in_review, has_conflict=False, by=world.evaluator
        )
    assert Declaration.objects.get(reviewer=reviewer).has_conflict


def test_a_conflict_needs_a_few_words(world, in_review):
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    with pytest.raises(ValidationError):
        services.declaration_record(
            reviewer=reviewer, application=in_review, has_conflict=True, details="", by=world.evaluator
        )


def test_a_declared_conflict_removes_the_review_from_the_count(world, in_review):
    # given a submitted review, then a conflict declared afterwards
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    review(in_review, reviewer, submit=False)
    services.declaration_record(
        reviewer=reviewer, application=in_review, has_conflict=True, details="Oubli.", by=world.evaluator
    )
    # then the application cannot be recommended on that review
    with pytest.raises(ValidationError):
        services.application_transition(application=in_review, to=Status.RECOMMENDED, by=world.coordinator)


def test_only_named_reviewers_review(world, in_review):
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.declaration_record(
            reviewer=reviewer, application=in_review, has_conflict=False, by=world.outsider
        )


def test_a_person_neither_funder_staff_nor_delegate_cannot_be_named(world, call):
    with pytest.raises(ValidationError):
        services.reviewer_add(call=call, person=world.outsider, by=world.coordinator)


def test_a_delegate_of_a_member_can_be_named_reviewer(world, call):
    reviewer = services.reviewer_add(call=call, person=world.delegate_a, by=world.coordinator)
    assert (reviewer.kind, reviewer.organisation) == ("table_member", world.org_a)


def test_the_weighted_total_is_out_of_100():
    class C:
        def __init__(self, pk, weight):
            self.pk, self.weight = pk, weight

    class S:
        def __init__(self, criterion_id, value):
            self.criterion_id, self.value = criterion_id, value

    # 4/5 on a 60-point criterion and 2/5 on a 40-point one: 48 + 16 = 64
    assert weighted_total([S(1, 4), S(2, 2)], [C(1, 60), C(2, 40)]) == Decimal("64.0")
    assert weighted_total([S(1, 4)], [C(1, 60), C(2, 40)]) is None


def test_the_spread_across_reviewers_is_shown(world, in_review):
    # given two reviews of 80 and 50
    first, second = reviewer_on(in_review.call), reviewer_on(in_review.call)
    review(in_review, first, scores=(4, 4))
    review(in_review, second, scores=(3, 2))
    # when
    row = review_board(in_review.call)[0]
    # then
    assert sorted(row.totals) == [Decimal("52.0"), Decimal("80.0")]
    assert (row.mean, row.spread, row.low, row.high) == (
        Decimal("66.0"),
        Decimal("28.0"),
        Decimal("52.0"),
        Decimal("80.0"),
    )


def test_submitting_requires_every_criterion_scored(world, in_review):
    reviewer = reviewer_on(in_review.call)
    with pytest.raises(ValidationError):
        review(in_review, reviewer, scores=(4,))


def test_a_submitted_review_no_longer_changes(world, in_review):
    reviewer = reviewer_on(in_review.call)
    submitted = review(in_review, reviewer)
    with pytest.raises(ValidationError):
        services.review_save(
            reviewer=reviewer,
            application=in_review,
            by=reviewer.person,
            expected_version=submitted.version,
            comment="Autre avis",
            scores={},
        )


def test_two_tabs_saving_the_same_review_do_not_lose_work(world, in_review):
    # given the review saved once from tab 1
    reviewer = reviewer_on(in_review.call)
    review(in_review, reviewer, submit=False, comment="Premier jet")
    # when tab 2, opened on version 1, saves
    with pytest.raises(EditConflict) as conflict:
        services.review_save(
            reviewer=reviewer,
            application=in_review,
            by=reviewer.person,
            expected_version=1,
            comment="Autre",
            scores={},
        )
    # then nothing of tab 1 is lost
    assert conflict.value.version == 2
    assert Review.objects.get(reviewer=reviewer).comment == "Premier jet"


def test_other_reviews_are_hidden_until_the_reviewer_submits(world, in_review):
    # given another reviewer submitted a review with a telling comment
    review(in_review, reviewer_on(in_review.call), comment="Avis très critique du budget")
    reviewer = services.reviewer_add(call=in_review.call, person=world.evaluator, by=None)
    services.declaration_record(
        reviewer=reviewer, application=in_review, has_conflict=False, by=world.evaluator
    )
    client = client_as(world, "evaluator")
    # when the evaluator has not submitted, then they do not see it
    assert "Avis très critique du budget" not in client.get(url(in_review)).content.decode()
    # when they submit theirs, then they do
    criteria = list(in_review.call.criteria.all())
    services.review_save(
        reviewer=reviewer,
        application=in_review,
        by=world.evaluator,
        expected_version=1,
        comment="",
        scores={c.pk: (3, "") for c in criteria},
        submit=True,
    )
    assert "Avis très critique du budget" in client.get(url(in_review)).content.decode()


def test_applicants_never_see_reviewer_names(world):
    # given a decided application of org A reviewed by two named people
    call = call_on(world.table_a, funders=[world.funder])
    from tests.funding.factories import ready_application, submit

    application = submit(
        ready_application(call, lead=world.org_a, lead_delegate=world.delegate_a), world.delegate_a
    )
    for step in (Status.ELIGIBILITY, Status.IN_REVIEW):
        application = services.application_transition(application=application, to=step, by=world.coordinator)
    funder = call.shares.first().funder
    reviewers = [
        reviewer_on(call, person=FunderStaffFactory(funder=funder, person__last_name=name).person)
        for name in ("Évaluatrice-Quintal", "Évaluateur-Zarzour")
    ]
    for reviewer in reviewers:
        review(application, reviewer, comment="Commentaire anonyme")
    application = services.application_transition(
        application=application, to=Status.RECOMMENDED, by=world.coordinator
    )
    services.application_decide(
        application=application, by=manager_of(call), funded=False, note="Enveloppe épuisée."
    )
    # when the lead reads the project page
    text = client_as(world, "delegate_a").get(application.project.get_absolute_url()).content.decode()
    # then the comments are there, the names are not
    assert "Commentaire anonyme" in text
    for reviewer in reviewers:
        assert reviewer.person.last_name not in text
        assert reviewer.person.email not in text


def test_scores_sent_for_another_calls_criteria_are_refused(world, in_review):
    reviewer = reviewer_on(in_review.call)
    services.declaration_record(
        reviewer=reviewer, application=in_review, has_conflict=False, by=reviewer.person
    )
    other = call_on(world.table_a).criteria.first()
    with pytest.raises(ValidationError):
        services.review_save(
            reviewer=reviewer,
            application=in_review,
            by=reviewer.person,
            expected_version=1,
            comment="",
            scores={other.pk: (3, "")},
        )
    assert not Score.objects.filter(criterion=other).exists()


def test_a_delegate_named_reviewer_then_partnering_is_excluded(world, in_review):
    # given a delegate of org A named reviewer, then org A joins the project
    from tests.funding.factories import PartnershipFactory

    reviewer = services.reviewer_add(call=in_review.call, person=world.delegate_a, by=None)
    PartnershipFactory(project=in_review.project, organisation=world.org_a)
    # then the exclusion follows the project as it is now
    assert [s.state for s in review_board(in_review.call)[0].states if s.reviewer == reviewer] == ["excluded"]


def test_a_substitute_of_a_partner_is_excluded_too(world, in_review):
    partnership = in_review.project.partnerships.first()
    membership = partnership.organisation.memberships.get(table=in_review.call.table)
    substitute = DelegationFactory(membership=membership, role="substitute").person
    reviewer = services.reviewer_add(call=in_review.call, person=substitute, by=None)
    assert [s.state for s in review_board(in_review.call)[0].states if s.reviewer == reviewer] == ["excluded"]
