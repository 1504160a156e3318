"""Review assignments: the manager gives each application to some of the call's
reviewers, by a date, one by one or through the balance helper; from the first
assignment on, a reviewer reviews only what they were given. Nobody is assigned an
application they have a conflict of interest with. The committee's comparison page
shows no scores of an application to a reviewer excluded from it."""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funding import assignments as service
from funding import services
from funding.models import AuditEntry, ReviewAssignment, Status
from funding.selectors import my_reviews
from members.models import Notification
from tests.conftest import IN_CI
from tests.funding.factories import application_in, call_on, manager_of, review, reviewer_on

pytestmark = pytest.mark.django_db

VNU_JAR = Path(settings.BASE_DIR) / ".ci" / "cache" / "vnu.jar"


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


@pytest.fixture
def call(world):
    return call_on(world.table_a, funders=[world.funder])


@pytest.fixture
def manager(call):
    return manager_of(call)


@pytest.fixture
def evaluator(world, call, manager):
    """The funder's evaluator, a reviewer of the call with no tie to any project."""
    return services.reviewer_add(call=call, person=world.evaluator, by=manager)


# Helpers ---------------------------------------------------------------------------------------


def in_review(call, manager):
    return application_in(Status.IN_REVIEW, call, manager=manager)


def soon(days=14):
    return timezone.localdate() + timedelta(days=days)


def assign(call, manager, *pairs, due_on=None):
    return service.assignments_create(
        call=call, pairs=[(a.pk, r.pk) for a, r in pairs], due_on=due_on or soon(), by=manager
    )


def assigned(call):
    """(application id, reviewer id, due date) of the call's assignments."""
    return sorted(
        ReviewAssignment.objects.filter(application__call=call).values_list(
            "application_id", "reviewer_id", "due_on"
        )
    )


def codes(error):
    return [e.code for e in error.error_list]


def partner_reviewer(application, manager):
    """The delegate of one of the project's partners, named reviewer of its call."""
    partnership = application.project.partnerships.first()
    person = partnership.organisation.memberships.get(table=application.call.table).delegations.first().person
    return services.reviewer_add(call=application.call, person=person, by=manager)


def lead_reviewer(application, manager):
    """The lead organisation's delegate, named reviewer of its call."""
    return services.reviewer_add(call=application.call, person=application.lead_delegate, by=manager)


def declared_reviewer(application, manager):
    """A funder's evaluator who declared a conflict of interest with the application."""
    reviewer = reviewer_on(application.call)
    services.declaration_record(
        reviewer=reviewer,
        application=application,
        has_conflict=True,
        details="Ma sœur coordonne le projet.",
        by=reviewer.person,
    )
    return reviewer


CONFLICTED = {"lead": lead_reviewer, "partner": partner_reviewer, "declared": declared_reviewer}


def logged_in(person):
    client = Client()
    client.force_login(person)
    return client


def assignments_url(call):
    return reverse("funding:call-assignments", args=[call.pk])


def compare_url(call):
    return reverse("funding:call-compare", args=[call.pk])


def review_url(application):
    return reverse("funding:review-form", args=[application.call_id, application.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def told(count, people):
    """The page's message once `count` assignments are made for `people` reviewers."""
    return ngettext(
        "%(count)s assignment made; %(people)s reviewer told by email.",
        "%(count)s assignments made; %(people)s reviewers told by email.",
        count,
    ) % {"count": count, "people": people}


def new_notifications(since):
    return list(Notification.objects.filter(kind=Notification.Kind.REVIEW_ASSIGNED, pk__gt=since))


def last_notification():
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# Assigning ---------------------------------------------------------------------------------------


def test_an_assignment_without_a_date_gets_the_calls_default_due_date(call, manager, evaluator):
    application = in_review(call, manager)
    service.call_review_due_set(call=call, due_on=soon(21), by=manager)

    created = service.assignments_create(
        call=call, pairs=[(application.pk, evaluator.pk)], due_on=None, by=manager
    )

    assert [a.pk for a in created] == list(ReviewAssignment.objects.values_list("pk", flat=True))
    assert assigned(call) == [(application.pk, evaluator.pk, soon(21))]
    assert ReviewAssignment.objects.get().assigned_by == manager


def test_a_date_given_replaces_the_calls_default(call, manager, evaluator):
    application = in_review(call, manager)
    service.call_review_due_set(call=call, due_on=soon(21), by=manager)

    assign(call, manager, (application, evaluator), due_on=soon(7))

    assert assigned(call) == [(application.pk, evaluator.pk, soon(7))]


def test_an_assignment_needs_a_due_date_when_the_call_has_no_default(call, manager, evaluator):
    application = in_review(call, manager)
    assert call.review_due_on is None

    with pytest.raises(ValidationError) as caught:
        service.assignments_create(call=call, pairs=[(application.pk, evaluator.pk)], due_on=None, by=manager)

    assert caught.value.message_dict == {
        "due_on": [_("Give a due date, or set the call's default due date first.")]
    }
    assert caught.value.error_dict["due_on"][0].code == "no_due_date"
    assert assigned(call) == []


def test_an_assignment_cannot_be_due_in_the_past(call, manager, evaluator):
    application = in_review(call, manager)

    with pytest.raises(ValidationError) as caught:
        assign(call, manager, (application, evaluator), due_on=soon(-1))

    assert caught.value.message_dict == {"due_on": [_("The due date cannot be in the past.")]}
    assert caught.value.error_dict["due_on"][0].code == "past_due_date"
    assert assigned(call) == []


def test_the_calls_default_due_date_cannot_be_in_the_past(call, manager):
    with pytest.raises(ValidationError) as caught:
        service.call_review_due_set(call=call, due_on=soon(-1), by=manager)

    assert caught.value.message_dict == {"due_on": [_("The due date cannot be in the past.")]}
    assert caught.value.error_dict["due_on"][0].code == "past_due_date"
    call.refresh_from_db()
    assert call.review_due_on is None


def test_an_empty_batch_is_refused(call, manager):
    with pytest.raises(ValidationError) as caught:
        service.assignments_create(call=call, pairs=[], due_on=soon(), by=manager)

    assert codes(caught.value) == ["empty"]


def test_the_reviewer_is_told_once_of_all_they_were_given(
    world, call, manager, evaluator, django_capture_on_commit_callbacks
):
    # given two applications in review
    first, second = in_review(call, manager), in_review(call, manager)
    since = last_notification()

    # when both go to the evaluator at once
    with django_capture_on_commit_callbacks(execute=True):
        assign(call, manager, (first, evaluator), (second, evaluator), due_on=soon(10))

    # then one notification lists both, linking to their reviews, and one email follows
    (notification,) = new_notifications(since)
    assert notification.recipient == world.evaluator
    assert notification.url == reverse("funding:review-list") + f"#call-{call.pk}"
    assert first.project.title in notification.text and second.project.title in notification.text
    (message,) = mail.outbox
    assert message.to == [world.evaluator.email]
    assert message.reply_to == [manager.email]
    assert first.project.title in message.body and second.project.title in message.body


def test_one_application_assigned_links_to_its_review_page(call, manager, evaluator):
    application = in_review(call, manager)
    since = last_notification()

    assign(call, manager, (application, evaluator))

    (notification,) = new_notifications(since)
    assert notification.url == review_url(application)


def test_pairs_already_assigned_are_left_as_they_are(world, call, manager, evaluator):
    # given the first application assigned to the evaluator, due in a week
    first, second = in_review(call, manager), in_review(call, manager)
    assign(call, manager, (first, evaluator), due_on=soon(7))
    since = last_notification()

    # when a batch gives both, due in a month
    created = assign(call, manager, (first, evaluator), (second, evaluator), due_on=soon(30))

    # then only the second is new, the first keeps its date, and the news is only the second
    assert [(a.application_id, a.reviewer_id) for a in created] == [(second.pk, evaluator.pk)]
    assert assigned(call) == sorted([(first.pk, evaluator.pk, soon(7)), (second.pk, evaluator.pk, soon(30))])
    (notification,) = new_notifications(since)
    assert second.project.title in notification.text and first.project.title not in notification.text


def test_a_batch_of_pairs_all_already_assigned_tells_nobody(call, manager, evaluator):
    application = in_review(call, manager)
    assign(call, manager, (application, evaluator))
    since = last_notification()

    assert assign(call, manager, (application, evaluator)) == []

    assert new_notifications(since) == []


# All or nothing --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", sorted(CONFLICTED))
def test_a_batch_with_one_conflict_of_interest_assigns_nothing(call, manager, evaluator, how):
    # given a reviewer excluded from the application, by their organisation or a declaration
    application = in_review(call, manager)
    excluded = CONFLICTED[how](application, manager)
    since = last_notification()

    # when a batch gives it to the evaluator and to them
    with pytest.raises(ValidationError) as caught:
        assign(call, manager, (application, evaluator), (application, excluded))

    # then nothing is assigned, nobody is told
    assert codes(caught.value) == ["conflict"]
    assert assigned(call) == []
    assert new_notifications(since) == []


def test_a_reviewer_of_another_call_cannot_be_assigned(world, call, manager, evaluator):
    application = in_review(call, manager)
    stranger = reviewer_on(call_on(world.table_a, funders=[world.funder]))

    with pytest.raises(ValidationError) as caught:
        assign(call, manager, (application, evaluator), (application, stranger))

    assert codes(caught.value) == ["not_a_reviewer"]
    assert assigned(call) == []


def test_an_application_of_another_call_cannot_be_assigned(world, call, manager, evaluator):
    application = in_review(call, manager)
    elsewhere = application_in(Status.ELIGIBILITY, call_on(world.table_a, funders=[world.funder]))

    with pytest.raises(ValidationError) as caught:
        assign(call, manager, (application, evaluator), (elsewhere, evaluator))

    assert codes(caught.value) == ["other_call"]
    assert assigned(call) == []


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.FUNDED])
def test_an_application_not_waiting_for_reviews_cannot_be_assigned(call, manager, evaluator, status):
    application = in_review(call, manager)
    other = application_in(status, call, manager=manager)

    with pytest.raises(ValidationError, match=re.escape(other.project.title)) as caught:
        assign(call, manager, (application, evaluator), (other, evaluator))

    assert codes(caught.value) == ["not_assignable"]
    assert assigned(call) == []


def test_an_application_checked_for_eligibility_may_be_assigned(call, manager, evaluator):
    application = application_in(Status.ELIGIBILITY, call, manager=manager)

    assign(call, manager, (application, evaluator))

    assert assigned(call) == [(application.pk, evaluator.pk, soon())]


# Who reviews what --------------------------------------------------------------------------------


def test_without_assignments_every_reviewer_reviews_every_application(call, manager, evaluator):
    application = in_review(call, manager)
    other = reviewer_on(call)

    assert service.may_review(evaluator, application) and service.may_review(other, application)
    assert logged_in(evaluator.person).get(review_url(application)).status_code == 200
    assert logged_in(other.person).get(review_url(application)).status_code == 200


def test_once_the_call_assigns_only_the_assigned_reviewer_reviews(call, manager, evaluator):
    # given the first application assigned to the evaluator only
    application, unassigned = in_review(call, manager), in_review(call, manager)
    other = reviewer_on(call)

    # when
    assign(call, manager, (application, evaluator))

    # then the other reviewer may review neither, not even the one nobody was given
    assert service.may_review(evaluator, application)
    assert not service.may_review(other, application)
    assert not service.may_review(other, unassigned)
    assert logged_in(evaluator.person).get(review_url(application)).status_code == 200
    assert logged_in(other.person).get(review_url(application)).status_code == 404
    assert logged_in(other.person).get(review_url(unassigned)).status_code == 404


def test_a_review_submitted_before_the_assignments_stays_readable(call, manager, evaluator):
    # given the other reviewer submitted their review while the call assigned nothing
    application = in_review(call, manager)
    other = reviewer_on(call)
    review(application, other)

    # when the manager assigns the application to the evaluator
    assign(call, manager, (application, evaluator))

    # then the other reviewer still reads their submitted review
    assert service.may_review(other, application)
    response = logged_in(other.person).get(review_url(application))
    assert response.status_code == 200
    assert response.context["state"] == "review" and response.context["submitted"]


def test_a_reviewers_list_holds_only_what_they_were_given_with_its_due_date(call, manager, evaluator):
    application, unassigned = in_review(call, manager), in_review(call, manager)
    other = reviewer_on(call)

    assign(call, manager, (application, evaluator), due_on=soon(9))

    (group,) = my_reviews(evaluator.person)
    assert [(row["application"].pk, row["due_on"]) for row in group["rows"]] == [(application.pk, soon(9))]
    assert unassigned.pk not in {row["application"].pk for row in group["rows"]}
    (group,) = my_reviews(other.person)
    assert group["rows"] == []


# Removing an assignment --------------------------------------------------------------------------


def test_an_assignment_is_removed_before_its_review_is_submitted(call, manager, evaluator):
    application = in_review(call, manager)
    (assignment,) = assign(call, manager, (application, evaluator))

    service.assignment_remove(assignment=assignment, by=manager)

    assert assigned(call) == []
    assert AuditEntry.objects.filter(
        application=application, action=AuditEntry.Action.REVIEWER_REMOVED, actor=manager
    ).exists()


def test_an_assignment_whose_review_was_submitted_stays(call, manager, evaluator):
    application = in_review(call, manager)
    (assignment,) = assign(call, manager, (application, evaluator))
    review(application, evaluator)

    with pytest.raises(ValidationError) as caught:
        service.assignment_remove(assignment=assignment, by=manager)

    assert caught.value.code == "submitted"
    assert assigned(call) == [(application.pk, evaluator.pk, soon())]


def test_removing_from_the_page_says_it_is_done(call, manager, evaluator):
    application = in_review(call, manager)
    (assignment,) = assign(call, manager, (application, evaluator))

    response = logged_in(manager).post(
        reverse("funding:assignment-remove", args=[call.pk, assignment.pk]), follow=True
    )

    assert response.redirect_chain == [(assignments_url(call), 302)]
    assert messages_of(response) == [_("The assignment was removed.")]
    assert assigned(call) == []


def test_removing_from_the_page_after_the_review_says_why_it_stays(call, manager, evaluator):
    application = in_review(call, manager)
    (assignment,) = assign(call, manager, (application, evaluator))
    review(application, evaluator)

    response = logged_in(manager).post(
        reverse("funding:assignment-remove", args=[call.pk, assignment.pk]), follow=True
    )

    assert response.redirect_chain == [(assignments_url(call), 302)]
    assert messages_of(response) == [
        _("This reviewer submitted their review: the assignment stays on the record.")
    ]
    assert assigned(call) == [(application.pk, evaluator.pk, soon())]


# The balance helper ------------------------------------------------------------------------------


@pytest.fixture
def three_by_three(call, manager, evaluator):
    """Three applications in review and three reviewers, one of whom partners the first."""
    applications = [in_review(call, manager) for _number in range(3)]
    reviewers = [evaluator, reviewer_on(call), partner_reviewer(applications[0], manager)]
    return applications, reviewers


def by_application(proposal):
    found = {}
    for application, reviewer in proposal.pairs:
        found.setdefault(application.pk, set()).add(reviewer.pk)
    return found


def test_the_helper_gives_each_application_its_reviewers_evenly(call, three_by_three):
    applications, reviewers = three_by_three
    partner = reviewers[2]

    proposal = service.assignments_propose(call=call, per_application=2)

    found = by_application(proposal)
    assert sorted(found) == sorted(a.pk for a in applications)
    assert all(len(chosen) == 2 for chosen in found.values())
    assert partner.pk not in found[applications[0].pk]
    loads = [load["after"] for load in proposal.loads]
    assert sorted(loads) == [2, 2, 2] and max(loads) - min(loads) <= 1
    assert proposal.shortfalls == []
    assert ReviewAssignment.objects.count() == 0


def test_the_helper_says_which_applications_lack_eligible_reviewers(call, three_by_three):
    applications, reviewers = three_by_three

    proposal = service.assignments_propose(call=call, per_application=3)

    assert [(s.application.pk, s.needed, s.found) for s in proposal.shortfalls] == [
        (applications[0].pk, 3, 2)
    ]
    found = by_application(proposal)
    assert found[applications[0].pk] == {reviewers[0].pk, reviewers[1].pk}
    assert all(len(found[a.pk]) == 3 for a in applications[1:])


def test_the_helper_keeps_the_assignments_already_made_and_counts_them(call, manager, three_by_three):
    # given the evaluator already has two applications
    applications, reviewers = three_by_three
    evaluator = reviewers[0]
    assign(call, manager, (applications[1], evaluator), (applications[2], evaluator))

    # when
    proposal = service.assignments_propose(call=call, per_application=1)

    # then only the first is proposed, to the lightest-loaded eligible reviewer
    assert [(a.pk, r.pk) for a, r in proposal.pairs] == [(applications[0].pk, reviewers[1].pk)]
    loads = {load["reviewer"].pk: (load["before"], load["after"]) for load in proposal.loads}
    assert loads[evaluator.pk] == (2, 2) and loads[reviewers[1].pk] == (0, 1)


@pytest.mark.parametrize("per_application", [0, service.MAX_PER_APPLICATION + 1])
def test_the_helper_asks_for_one_to_six_reviewers(call, per_application):
    with pytest.raises(ValidationError) as caught:
        service.assignments_propose(call=call, per_application=per_application)

    assert caught.value.message_dict == {
        "per_application": [
            _("Between 1 and %(max)s reviewers per application.") % {"max": service.MAX_PER_APPLICATION}
        ]
    }
    assert caught.value.error_dict["per_application"][0].code == "per_application"


def test_the_page_shows_the_proposal_and_saves_nothing(call, manager, three_by_three):
    response = logged_in(manager).post(
        assignments_url(call),
        {"action": "propose", "balance-per_application": 2, "balance-due_on": soon().isoformat()},
    )

    assert response.status_code == 200
    proposal = response.context["proposal"]
    assert len(proposal.pairs) == 6
    page = response.content.decode()
    assert all(f'name="pair" value="{pair}"' in page for pair in proposal.encoded())
    assert assigned(call) == []


def test_confirming_the_proposal_makes_its_assignments(call, manager, three_by_three):
    # given the proposal shown
    client = logged_in(manager)
    data = {"balance-per_application": 2, "balance-due_on": soon(10).isoformat()}
    proposal = client.post(assignments_url(call), {"action": "propose", **data}).context["proposal"]

    # when the manager confirms it
    response = client.post(
        assignments_url(call), {"action": "confirm", "pair": proposal.encoded(), **data}, follow=True
    )

    # then
    assert response.redirect_chain == [(assignments_url(call), 302)]
    assert assigned(call) == sorted((a.pk, r.pk, soon(10)) for a, r in proposal.pairs)
    assert messages_of(response) == [told(6, 3)]


@pytest.mark.parametrize("pair", ["abc:1", "12", "1:2:3"])
def test_a_tampered_proposal_is_refused_readably(call, manager, three_by_three, pair):
    response = logged_in(manager).post(
        assignments_url(call),
        {"action": "confirm", "pair": pair, "balance-per_application": 2, "balance-due_on": ""},
    )

    assert response.status_code == 200
    assert response.context["balance_form"].non_field_errors() == [
        _("The proposal sent back is not readable. Propose again.")
    ]
    assert escape(_("The proposal sent back is not readable. Propose again.")) in response.content.decode()
    assert assigned(call) == []


def test_a_confirmed_pair_with_a_conflict_is_refused_on_the_page(call, manager, three_by_three):
    applications, reviewers = three_by_three
    response = logged_in(manager).post(
        assignments_url(call),
        {
            "action": "confirm",
            "pair": [f"{applications[1].pk}:{reviewers[0].pk}", f"{applications[0].pk}:{reviewers[2].pk}"],
            "balance-per_application": 2,
            "balance-due_on": soon().isoformat(),
        },
    )

    assert response.status_code == 200
    (error,) = response.context["balance_form"].non_field_errors()
    assert applications[0].project.title in error
    assert assigned(call) == []


# The page's forms --------------------------------------------------------------------------------


def test_assigning_on_the_page_with_a_past_date_keeps_the_form(call, manager, evaluator):
    application = in_review(call, manager)
    yesterday = soon(-1).isoformat()

    response = logged_in(manager).post(
        assignments_url(call),
        {
            "action": "assign",
            "assign-application": application.pk,
            "assign-reviewer": evaluator.pk,
            "assign-due_on": yesterday,
        },
    )

    assert response.status_code == 200
    form = response.context["assign_form"]
    assert form.errors == {"due_on": [_("The due date cannot be in the past.")]}
    assert form["due_on"].value() == yesterday and form["application"].value() == str(application.pk)
    page = response.content.decode()
    assert escape(_("The due date cannot be in the past.")) in page
    assert f'value="{yesterday}"' in page
    assert assigned(call) == []


def test_assigning_on_the_page_uses_the_default_date_and_says_who_was_told(call, manager, evaluator):
    application = in_review(call, manager)
    client = logged_in(manager)
    saved = client.post(
        assignments_url(call), {"action": "due", "due-due_on": soon(20).isoformat()}, follow=True
    )
    assert messages_of(saved) == [_("The default due date is saved.")]

    response = client.post(
        assignments_url(call),
        {"action": "assign", "assign-application": application.pk, "assign-reviewer": evaluator.pk},
        follow=True,
    )

    assert response.redirect_chain == [(assignments_url(call), 302)]
    assert assigned(call) == [(application.pk, evaluator.pk, soon(20))]
    assert messages_of(response) == [told(1, 1)]


def test_a_reviewer_does_not_reach_the_assignments_page(call, manager, evaluator):
    client = logged_in(evaluator.person)

    assert client.get(assignments_url(call)).status_code == 403
    application = in_review(call, manager)
    client.post(
        assignments_url(call),
        {
            "action": "assign",
            "assign-application": application.pk,
            "assign-reviewer": evaluator.pk,
            "assign-due_on": soon().isoformat(),
        },
    )
    assert assigned(call) == []


# The comparison ----------------------------------------------------------------------------------


@pytest.fixture(params=["partner", "declared"])
def compared(request, call, manager, evaluator):
    """Two applications reviewed by the evaluator; a reviewer excluded from the first
    (by their organisation or a declaration) reviewed the second."""
    first, second = in_review(call, manager), in_review(call, manager)
    excluded = CONFLICTED[request.param](first, manager)
    review(first, evaluator, scores=(4, 3))
    review(second, evaluator, scores=(2, 2))
    review(second, excluded, scores=(5, 5))
    return first, second, excluded


def rows_by_application(response):
    return {row.application.pk: row for row in response.context["comparison"].rows}


def row_html(page, title):
    (row,) = [r for r in page.split("<tr>") if escape(title) in r]
    return row.split("</tr>")[0]


def test_a_manager_compares_every_applications_scores(call, manager, compared):
    first, second, _excluded = compared

    response = logged_in(manager).get(compare_url(call))

    rows = rows_by_application(response)
    assert (rows[first.pk].hidden, str(rows[first.pk].overall)) == ("", "72.0")
    assert [str(average) for _c, average in rows[first.pk].criteria] == ["4.0", "3.0"]
    assert (rows[second.pk].hidden, str(rows[second.pk].overall)) == ("", "70.0")
    assert rows[second.pk].disagreement
    assert "72,0" in row_html(response.content.decode(), first.project.title)


def test_a_reviewer_sees_no_scores_of_an_application_they_are_excluded_from(call, compared):
    first, second, excluded = compared

    response = logged_in(excluded.person).get(compare_url(call))

    assert response.status_code == 200 and not response.context["manages"]
    rows = rows_by_application(response)
    assert rows[first.pk].hidden == "excluded"
    assert rows[first.pk].overall is None and rows[first.pk].spread is None
    assert [average for _c, average in rows[first.pk].criteria] == [None, None]
    row = row_html(response.content.decode(), first.project.title)
    assert escape(_("Hidden: you are excluded from this application.")) in row
    assert not re.search(r"\d,\d", row), row
    # the one they reviewed keeps its scores, counted without theirs when they are excluded
    assert rows[second.pk].hidden == "" and rows[second.pk].overall is not None


# Query counts ------------------------------------------------------------------------------------


def grow(call, manager, reviewers, n):
    """n applications in review, each given to both reviewers, the first of whom reviewed
    it; the first application's assignments fall overdue."""
    for _number in range(n):
        application = in_review(call, manager)
        assign(call, manager, *[(application, r) for r in reviewers])
        review(application, reviewers[0])
    ReviewAssignment.objects.filter(pk=ReviewAssignment.objects.order_by("pk").first().pk).update(
        due_on=soon(-3)
    )


def queries(client, url, data=None):
    send = client.post if data is not None else client.get
    send(url, data)  # warm the per-process caches (content types, templates)
    with CaptureQueriesContext(connection) as context:
        response = send(url, data)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def test_the_assignment_and_comparison_pages_cost_the_same_with_four_times_the_applications(
    call, manager, evaluator
):
    # given two applications assigned to two reviewers
    reviewers = [evaluator, reviewer_on(call)]
    grow(call, manager, reviewers, 2)
    propose = {"action": "propose", "balance-per_application": 3, "balance-due_on": ""}
    pages = [
        (manager, assignments_url(call), None),
        (manager, assignments_url(call), propose),
        (manager, compare_url(call), None),
        (reviewers[0].person, compare_url(call), None),
        (reviewers[1].person, compare_url(call), None),
    ]
    clients = {person.pk: logged_in(person) for person, _url, _data in pages}
    small = [queries(clients[person.pk], url, data) for person, url, data in pages]

    # when there are eight
    grow(call, manager, reviewers, 6)
    reviewer_on(call)

    # then
    large = [queries(clients[person.pk], url, data) for person, url, data in pages]
    assert large == small


# Valid HTML --------------------------------------------------------------------------------------


def assert_valid_html(pages: dict[str, str], directory: Path) -> None:
    if not (VNU_JAR.is_file() and shutil.which("java")):
        message = f"the Nu Html Checker needs java and {VNU_JAR} (bash .ci/run fetches it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    for name, text in pages.items():
        (directory / f"{name}.html").write_text(text)
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html"]
    result = subprocess.run(
        [*command, str(directory)],
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


def test_the_assignment_and_comparison_pages_are_valid_html(call, manager, evaluator, tmp_path):
    # given an overdue assignment, a submitted review, a reviewer excluded from one application
    first, second = in_review(call, manager), in_review(call, manager)
    excluded = partner_reviewer(first, manager)
    assign(call, manager, (first, evaluator), (second, excluded))
    review(second, excluded)
    ReviewAssignment.objects.filter(application=first).update(due_on=soon(-2))
    client = logged_in(manager)
    url = assignments_url(call)

    pages = {
        "assignments": client.get(url),
        "proposal": client.post(
            url, {"action": "propose", "balance-per_application": 3, "balance-due_on": soon().isoformat()}
        ),
        "assign-error": client.post(
            url,
            {
                "action": "assign",
                "assign-application": first.pk,
                "assign-reviewer": excluded.pk,
                "assign-due_on": soon().isoformat(),
            },
        ),
        "compare-manager": client.get(compare_url(call)),
        "compare-excluded": logged_in(excluded.person).get(compare_url(call) + "?sort=title"),
    }

    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    assert pages["proposal"].context["proposal"].shortfalls
    assert pages["assign-error"].context["assign_form"].non_field_errors()
    assert_valid_html({name: response.content.decode() for name, response in pages.items()}, tmp_path)
