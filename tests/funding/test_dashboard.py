"""The funders' dashboard: envelopes, distribution, leverage, organisations reached, the
partnership network and its growth, late reports, filters and exports."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funding.dashboard import build_dashboard
from funding.models import FundingCall, Report, Status
from members.models import Sector
from tests.conftest import client_as
from tests.funding.factories import application_in, call_on, member, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_calls(world):
    """Call 1 funds project P (lead L, partners X and Y); call 2 funds project Q, where X
    works with a new organisation Z."""
    first = call_on(world.table_a, funders=[world.funder], opens_at=timezone.now() - timedelta(days=400))
    second = call_on(world.table_a, funders=[world.funder])
    x, _ = member(world.table_a, sector=Sector.MUNICIPAL)
    y, _ = member(world.table_a, sector=Sector.PUBLIC_EDUCATION)
    z, _ = member(world.table_a, sector=Sector.PRIVATE)
    p = application_in(Status.FUNDED, first, partners=[x, y], amount=Decimal("30000"))
    q = application_in(Status.FUNDED, second, partners=[x, z], amount=Decimal("20000"))
    refused = application_in(Status.REFUSED, second)
    return {"first": first, "second": second, "p": p, "q": q, "refused": refused, "x": x, "y": y, "z": z}


def calls(*items):
    return FundingCall.objects.filter(pk__in=[c.pk for c in items])


def test_envelopes_committed_and_available(two_calls):
    data = build_dashboard(calls(two_calls["first"], two_calls["second"]))
    assert (data.envelope, data.committed, data.available) == (
        Decimal("200000"),
        Decimal("50000"),
        Decimal("150000"),
    )


def test_leverage_is_partner_contributions_over_call_funding(two_calls):
    # each partner confirms 5 000 cash and 8 000 in kind (factories): 4 partners in funded projects
    data = build_dashboard(calls(two_calls["first"], two_calls["second"]))
    assert (data.partner_cash, data.partner_in_kind) == (Decimal("20000"), Decimal("32000"))
    assert data.leverage_total == Decimal("1.04")  # 52 000 / 50 000
    assert data.leverage_cash == Decimal("0.40")


def test_organisations_reached_counts_leads_and_partners_once(two_calls):
    # leads of P and Q, plus X, Y, Z
    assert build_dashboard(calls(two_calls["first"], two_calls["second"])).organisations_reached == 5


def test_the_network_grows_from_call_to_call(two_calls):
    data = build_dashboard(calls(two_calls["first"], two_calls["second"]))
    growth = [
        (g["call"], g["new_links"], g["new_organisations"], g["total_links"]) for g in data.network_growth
    ]
    # call 1: L-X, L-Y, X-Y; call 2: L'-X, L'-Z, X-Z (all new)
    assert growth == [(two_calls["first"], 3, 3, 3), (two_calls["second"], 3, 2, 6)]
    pairs = {frozenset((a, b)) for a, b, *_rest in data.network_edges}
    assert frozenset((two_calls["x"].pk, two_calls["z"].pk)) in pairs


def test_refused_projects_are_not_in_the_distributions(two_calls):
    data = build_dashboard(calls(two_calls["second"]))
    assert [row.project for row in data.funded] == [two_calls["q"].project]
    assert data.calls[0].submitted == 2 and data.calls[0].funded == 1


def test_distribution_by_region_and_sector(two_calls):
    data = build_dashboard(calls(two_calls["first"], two_calls["second"]))
    assert data.by_region == [(region("03").name, 2, Decimal("50000"))]
    by_sector = {label: (led, partner) for label, led, partner, _amount in data.by_sector}
    assert by_sector[Sector.COMMUNITY.label] == (2, 0)
    assert by_sector[Sector.MUNICIPAL.label] == (0, 2)


def test_a_funder_sees_its_share_of_each_call(world, two_calls):
    from tests.factories import FunderFactory

    other = FunderFactory()
    shared = call_on(world.table_a, funders=[world.funder, other])
    application_in(Status.FUNDED, shared, amount=Decimal("40000"))
    data = build_dashboard(calls(shared), funder=other)
    assert (data.envelope, data.committed) == (Decimal("50000"), Decimal("20000"))


def test_late_reports_are_listed(two_calls):
    report = two_calls["p"].reports.get(kind=Report.Kind.PROGRESS)
    Report.objects.filter(pk=report.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    data = build_dashboard(calls(two_calls["first"], two_calls["second"]))
    assert [r.pk for r in data.late_reports] == [report.pk]


def test_the_region_filter_keeps_projects_serving_it(two_calls):
    two_calls["q"].project.regions.set([region("12")])
    data = build_dashboard(calls(two_calls["first"], two_calls["second"]), region_id=region("12").pk)
    assert [row.project for row in data.projects] == [two_calls["q"].project]


def test_the_page_filters_by_call(world, two_calls):
    response = client_as(world, "coordinator").get(
        reverse("funding:dashboard"), {"call": two_calls["first"].pk}
    )
    assert response.context["data"].committed == Decimal("30000")


def test_a_call_the_person_may_not_see_is_ignored_by_the_filter(world, two_calls):
    # the call of table B is not the coordinator of A's
    hidden = call_on(world.table_b)
    response = client_as(world, "coordinator").get(reverse("funding:dashboard"), {"call": hidden.pk})
    assert response.status_code == 200
    assert response.context["data"].committed == Decimal("50000")


def test_the_csv_export_has_one_row_per_submitted_application(world, two_calls):
    response = client_as(world, "coordinator").get(reverse("funding:dashboard-export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 3
    assert two_calls["p"].project.title in {row[2] for row in rows}


def test_the_xlsx_export_opens_in_a_spreadsheet(world, two_calls):
    response = client_as(world, "evaluator").get(reverse("funding:dashboard-export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert two_calls["q"].project.title in titles
    awarded = {row[2]: row[11] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert awarded[two_calls["q"].project.title] == 20000


def test_the_charts_have_a_title_for_screen_readers(world, two_calls):
    text = client_as(world, "coordinator").get(reverse("funding:dashboard")).content.decode()
    assert 'role="img"' in text and "<title" in text


@pytest.mark.parametrize("name", ["funding:dashboard", "funding:dashboard-export"])
def test_no_filter_value_gives_a_server_error(world, two_calls, name):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = client_as(world, "coordinator")
    url = reverse(name)
    values = st.one_of(
        st.text(max_size=30), st.integers().map(str), st.sampled_from(["", "0", "-1", "\x00", "9" * 30])
    )

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(params=st.dictionaries(st.sampled_from(["call", "funder", "region", "sector", "format"]), values))
    def get(params):
        assert client.get(url, params).status_code < 500, params

    get()


def test_a_title_that_looks_like_a_formula_is_exported_as_text(world, two_calls):
    type(two_calls["p"].project).objects.filter(pk=two_calls["p"].project_id).update(title='=HYPERLINK("x")')
    response = client_as(world, "coordinator").get(reverse("funding:dashboard-export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert '\'=HYPERLINK("x")' in {row[2] for row in rows}


def test_across_many_calls_the_dashboard_shows_the_most_recent_and_any_call_can_be_chosen(world, monkeypatch):
    # given five calls of the funder, and a dashboard that shows three at once and offers three
    from funding import forms
    from funding.views import dashboard as views

    monkeypatch.setattr(views, "RECENT_CALLS", 3)
    monkeypatch.setattr(forms, "CALL_CHOICES", 3)
    now = timezone.now()
    made = [
        call_on(
            world.table_a,
            funders=[world.funder],
            title=f"Appel {n}",
            opens_at=now - timedelta(days=400 - 50 * n),
            closes_at=now - timedelta(days=350 - 50 * n),
        )
        for n in range(5)
    ]
    client = client_as(world, "admin")
    # when the dashboard is opened without choosing a call
    page = client.get(reverse("funding:dashboard"))
    # then the three most recent calls are counted, and the page says so
    assert sorted(row.call.pk for row in page.context["data"].calls) == sorted(c.pk for c in made[2:])
    assert "3" in page.text and "5" in page.text and 'role="status"' in page.text
    call_select = re.search(r'<select name="call".*?</select>', page.text, re.S).group(0)
    assert call_select.count("<option") == 3 + 1  # the three most recent, and "all calls"
    # and the oldest call, not offered in the list, can still be chosen from its page's link
    oldest = client.get(reverse("funding:dashboard"), {"call": made[0].pk})
    assert [row.call.pk for row in oldest.context["data"].calls] == [made[0].pk]
    assert not oldest.context["recent_only"]


@pytest.fixture
def three_funders(world):
    """One call of 100 000 $ shared 1/3 each by three funders (33 333,33 $, 33 333,33 $,
    33 333,34 $), funding two projects whose amounts do not divide by three."""
    from funding.models import CallFunder
    from tests.factories import FunderFactory

    funders = [world.funder, FunderFactory(), FunderFactory()]
    call = call_on(world.table_a, funders=funders)
    for share, amount in zip(call.shares.order_by("pk"), ("33333.33", "33333.33", "33333.34"), strict=True):
        CallFunder.objects.filter(pk=share.pk).update(amount=Decimal(amount))
    application_in(Status.FUNDED, call, amount=Decimal("30001"))
    application_in(Status.FUNDED, call, amount=Decimal("20000.01"))
    return call, funders


def test_each_funder_is_credited_with_its_share_of_the_partners_contributions(three_funders):
    call, funders = three_funders
    whole = build_dashboard(calls(call))
    parts = [build_dashboard(calls(call), funder=funder) for funder in funders]
    for name in ("envelope", "committed", "available", "partner_cash", "partner_in_kind", "partner_total"):
        assert sum((getattr(part, name) for part in parts), Decimal("0")) == getattr(whole, name), name
    # a funder with a third of the call is credited with about a third of the contributions,
    # so its leverage is the call's, not three times it
    for part in parts:
        assert abs(part.leverage_total - whole.leverage_total) <= Decimal("0.01")


def test_the_dashboard_says_how_leverage_is_computed(world, client_for, three_funders):
    from django.conf import settings

    call, _funders = three_funders
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("funding:dashboard") + f"?call={call.pk}").text
    assert "in proportion to its share of the call's envelope" in page


def test_allocation_splits_to_the_cent_and_adds_up():
    from funding.dashboard import allocate

    parts = allocate(Decimal("100.00"), {1: Decimal(1), 2: Decimal(1), 3: Decimal(1)})
    assert sorted(parts.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(parts.values()) == Decimal("100.00")
    assert allocate(Decimal("0"), {1: Decimal(1)}) == {1: Decimal("0")}


def exported_titles(client):
    response = client.get(reverse("funding:dashboard-export"), {"format": "csv"})
    assert response.status_code == 200
    return {row[2] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")}


def test_an_evaluator_excluded_from_an_application_does_not_get_it_in_the_export_or_page(world, two_calls):
    # given the evaluator works for a partner of project P (so is excluded from reviewing it)
    from members.models import Affiliation

    Affiliation.objects.filter(person=world.evaluator, end__isnull=True).delete()
    Affiliation.objects.create(person=world.evaluator, organisation=two_calls["y"])
    evaluator = client_as(world, "evaluator")
    # then neither the export nor the page shows P, and Q is still there
    titles = exported_titles(evaluator)
    assert two_calls["p"].project.title not in titles
    assert two_calls["q"].project.title in titles
    page = evaluator.get(reverse("funding:dashboard"))
    assert two_calls["p"].project not in [row.project for row in page.context["data"].projects]
    # while the table's coordination, who manages the call, still sees it
    assert two_calls["p"].project.title in exported_titles(client_as(world, "coordinator"))


def test_a_declared_conflict_hides_the_application_from_the_evaluators_export(world, two_calls):
    from funding.models import Declaration
    from tests.funding.factories import reviewer_on

    reviewer = reviewer_on(two_calls["second"], person=world.evaluator)
    Declaration.objects.create(reviewer=reviewer, application=two_calls["q"], has_conflict=True)
    assert two_calls["q"].project.title not in exported_titles(client_as(world, "evaluator"))
