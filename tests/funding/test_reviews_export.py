"""A call's reviews and scores, exported for its committee: one row per application and
reviewer, scores and comments once submitted, excluded reviewers listed without scores."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from funding.models import Status
from members.models import Affiliation
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on, review, reviewer_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """Requests in English switch the thread's language; the next tests expect French."""
    with translation.override("fr-ca"):
        yield


@pytest.fixture
def reviewed(world):
    call = call_on(world.table_a)
    application = application_in(Status.IN_REVIEW, call)
    scorer = reviewer_on(call)
    review(application, scorer, scores=(4, 3), comment="Partenariat solide.")
    excluded = reviewer_on(call)
    Affiliation.objects.filter(person=excluded.person).delete()
    Affiliation.objects.create(person=excluded.person, organisation=application.project.lead)
    return call, application, scorer, excluded


def export(world, role, call, fmt="csv", language="en"):
    client = client_as(world, role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("funding:call-reviews-export", args=[call.pk]), {"format": fmt})


def test_the_csv_has_each_reviewers_scores_and_comments(world, reviewed):
    call, application, scorer, excluded = reviewed
    response = export(world, "coordinator", call)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_reviewer = {row["Reviewer"]: row for row in rows}
    mine = by_reviewer[scorer.person.display_name]
    assert mine["Project"] == application.project.title
    assert mine["Where the review stands"] == "Review submitted"
    assert mine["Overall comment"] == "Partenariat solide."
    assert mine["Weighted total"]
    theirs = by_reviewer[excluded.person.display_name]
    assert theirs["Where the review stands"].startswith("Excluded")
    assert theirs["Weighted total"] == "" and theirs["Overall comment"] == ""


def test_the_xlsx_opens_in_a_spreadsheet_with_numbers_for_scores(world, reviewed):
    call, _application, scorer, _excluded = reviewed
    response = export(world, "coordinator", call, fmt="xlsx", language="fr-ca")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert "Personne évaluatrice" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    scored = next(row for row in rows if scorer.person.display_name in row)
    assert isinstance(scored[5], int)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "delegate_a", "evaluator"])
def test_no_one_but_those_who_manage_the_call_downloads_it(world, reviewed, role):
    call, *_rest = reviewed
    assert export(world, role, call).status_code in {302, 403, 404}
