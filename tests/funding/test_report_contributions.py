"""What each partner actually provided, in a report: the lead proposes, the partner's own
people confirm or correct it; a figure far above the commitment needs a reason, which the
funder reads; the funder sees which partners have not confirmed."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from funding import services
from funding.models import Report, ReportContribution, Status
from funding.models.followup import OVER_COMMITMENT_RATIO, exceeds_commitment
from members.models import Delegation, Sector
from projects.models import Partnership
from tests.conftest import client_as
from tests.funding.factories import PartnershipFactory, application_in, call_on, manager_of, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def delegate_of(partnership):
    return (
        Delegation.objects.active()
        .filter(
            membership__organisation_id=partnership.organisation_id,
            membership__table_id=partnership.project.table_id,
        )
        .select_related("person")
        .first()
        .person
    )


@pytest.fixture
def funded(world):
    call = call_on(world.table_a, funders=[world.funder])
    application = application_in(Status.IN_PROGRESS, call, lead=world.org_a, lead_delegate=world.delegate_a)
    application.manager = manager_of(call)
    application.first, application.second = list(
        Partnership.objects.filter(project=application.project).select_related("organisation", "project")
    )
    return application


def progress_of(application):
    report = application.reports.get(kind=Report.Kind.PROGRESS)
    report.application = application
    return report


def lead_saves(application, contributions, *, submit=False):
    report = progress_of(application)
    return services.report_save(
        report=report,
        by=application.lead_delegate,
        expected_version=report.version,
        contributions=contributions,
        submit=submit,
        summary="Deux cohortes accueillies.",
    )


def partner_confirms(application, partnership, *, by=None, **figures):
    return services.report_contribution_confirm(
        report=progress_of(application),
        partnership=partnership,
        by=by or delegate_of(partnership),
        **({"cash": partnership.cash, "in_kind": partnership.in_kind} | figures),
    )


# The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivered", "committed", "far"),
    [
        ("4500", "3000", False),
        ("4500.01", "3000", True),
        ("1", "0", True),
        ("0", "0", False),
    ],
)
def test_what_is_far_above_a_commitment(delivered, committed, far):
    assert Decimal("1.5") == OVER_COMMITMENT_RATIO
    assert exceeds_commitment(delivered=Decimal(delivered), committed=Decimal(committed)) is far


# The lead proposes ----------------------------------------------------------------------------


def test_the_leads_figures_stay_a_proposal(funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    contribution = ReportContribution.objects.get(partnership=funded.first)
    assert not contribution.is_confirmed
    assert (contribution.proposed_cash, contribution.proposed_in_kind) == (Decimal("2000"), Decimal("3000"))


def test_a_figure_far_above_the_commitment_needs_a_reason(funded):
    # given the partner committed 5 000 $ in cash; the lead types 900 000 $
    with pytest.raises(ValidationError) as caught:
        lead_saves(funded, {funded.first.pk: (Decimal("900000"), Decimal("0"), "")})
    assert caught.value.error_dict[f"reason_{funded.first.pk}"][0].code == "reason_required"
    assert not ReportContribution.objects.exists()


def test_a_figure_far_above_the_commitment_with_a_reason_is_kept(funded):
    lead_saves(
        funded, {funded.first.pk: (Decimal("9000"), Decimal("0"), "", "Subvention reçue en cours de route")}
    )
    assert ReportContribution.objects.get().reason == "Subvention reçue en cours de route"


def test_what_earlier_reports_counted_adds_up(funded):
    # given the progress report counted the whole commitment, accepted
    lead_saves(funded, {funded.first.pk: (funded.first.cash, Decimal("0"), "")}, submit=True)
    services.report_accept(report=progress_of(funded), by=funded.manager)
    final = funded.reports.get(kind=Report.Kind.FINAL)
    final.application = funded
    # when the final report counts it all again, then it needs a reason
    with pytest.raises(ValidationError, match=r"reason|raison|%") as caught:
        services.report_save(
            report=final,
            by=funded.lead_delegate,
            expected_version=final.version,
            contributions={funded.first.pk: (funded.first.cash, Decimal("0"), "")},
        )
    assert caught.value.error_dict[f"reason_{funded.first.pk}"][0].code == "reason_required"


def test_the_partners_delegates_are_asked_to_confirm(funded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    assert [m.to for m in mail.outbox] == [[delegate_of(funded.first).email]]
    message = mail.outbox[0]
    assert funded.project.title in message.subject
    assert (
        reverse(
            "projects:report-contribution", args=[funded.project.pk, progress_of(funded).pk, funded.first.pk]
        )
        in message.body
    )
    assert message.alternatives, "an HTML part"


def test_the_email_is_in_the_partners_language(funded, django_capture_on_commit_callbacks):
    person = delegate_of(funded.first)
    person.language = "en"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    assert "Please confirm what your organisation provided" in mail.outbox[0].subject


def test_saving_the_same_figures_again_asks_nobody_again(funded, django_capture_on_commit_callbacks):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    with django_capture_on_commit_callbacks(execute=True):
        lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    assert mail.outbox == []


# The partner confirms ------------------------------------------------------------------------


def test_the_partner_confirms_and_corrects(funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    contribution = partner_confirms(funded, funded.first, cash=Decimal("1500"), in_kind=Decimal("3000"))
    assert contribution.is_confirmed and contribution.is_corrected
    assert contribution.confirmed_by == delegate_of(funded.first)
    assert (contribution.cash, contribution.proposed_cash) == (Decimal("1500"), Decimal("2000"))


def test_the_lead_cannot_confirm_for_a_partner(funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    with pytest.raises(PermissionDenied):
        partner_confirms(funded, funded.first, by=funded.lead_delegate)
    assert not ReportContribution.objects.get().is_confirmed


def test_another_partner_cannot_confirm_for_a_partner(funded):
    with pytest.raises(PermissionDenied):
        partner_confirms(funded, funded.first, by=delegate_of(funded.second))


def test_the_partner_too_needs_a_reason_far_above_its_commitment(funded):
    with translation.override("en"), pytest.raises(ValidationError, match=r"far above what it confirmed"):
        partner_confirms(funded, funded.first, cash=Decimal("900000"))
    assert not ReportContribution.objects.exists()


def test_an_accepted_report_can_no_longer_be_confirmed(funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")}, submit=True)
    services.report_accept(report=progress_of(funded), by=funded.manager)
    with pytest.raises(ValidationError) as caught:
        partner_confirms(funded, funded.first)
    assert caught.value.code == "accepted"


def test_a_confirmation_stands_when_the_lead_saves_the_partners_figures(funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    partner_confirms(funded, funded.first, cash=Decimal("1500"), in_kind=Decimal("3000"))
    lead_saves(funded, {funded.first.pk: (Decimal("1500"), Decimal("3000"), "")})
    assert ReportContribution.objects.get().is_confirmed


def test_other_figures_from_the_lead_undo_the_confirmation(funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    partner_confirms(funded, funded.first)
    lead_saves(funded, {funded.first.pk: (Decimal("100"), Decimal("3000"), "")})
    assert not ReportContribution.objects.get().is_confirmed


def test_the_lead_is_told_of_the_confirmation(funded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        partner_confirms(funded, funded.first)
    assert [m.to for m in mail.outbox] == [[funded.lead_delegate.email]]


# Submission and the funder -------------------------------------------------------------------


def test_a_report_is_submitted_with_the_unconfirmed_partners_named(
    funded, django_capture_on_commit_callbacks
):
    lead_saves(funded, {p.pk: (p.cash, p.in_kind, "") for p in (funded.first, funded.second)})
    partner_confirms(funded, funded.first)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = lead_saves(
            funded, {p.pk: (p.cash, p.in_kind, "") for p in (funded.first, funded.second)}, submit=True
        )
    assert report.status == Report.Status.SUBMITTED
    assert [p.pk for p in services.report_unconfirmed_partners(report=report)] == [funded.second.pk]
    to_funder = [m for m in mail.outbox if funded.manager.email in m.to]
    assert funded.second.organisation.short_name in to_funder[0].body
    assert funded.first.organisation.short_name not in to_funder[0].body


def test_the_funder_sees_confirmed_unconfirmed_and_the_reason(world, funded):
    lead_saves(
        funded,
        {
            funded.first.pk: (Decimal("9000"), Decimal("0"), "", "Don imprévu"),
            funded.second.pk: (Decimal("10"), Decimal("0"), ""),
        },
        submit=True,
    )
    partner_confirms(funded, funded.first, cash=Decimal("9000"), in_kind=Decimal("0"), reason="Don imprévu")
    client = client_as(world, "coordinator")
    client.force_login(funded.manager)
    response = client.get(reverse("funding:application-followup", args=[funded.call_id, funded.pk]))
    text = response.content.decode()
    assert "Don imprévu" in text
    assert text.count(">confirmé par le partenaire<") == 1
    assert text.count(">non confirmé par le partenaire<") == 1


# Pages ----------------------------------------------------------------------------------------


def contribution_url(application, partnership):
    return reverse(
        "projects:report-contribution",
        args=[application.project.pk, progress_of(application).pk, partnership.pk],
    )


def test_the_partner_confirms_on_its_page(client, funded):
    lead_saves(funded, {funded.first.pk: (Decimal("2000"), Decimal("3000"), "")})
    client.force_login(delegate_of(funded.first))
    response = client.post(
        contribution_url(funded, funded.first), {"cash": "2000", "in_kind": "3000", "note": ""}
    )
    assert response.status_code == 302
    assert ReportContribution.objects.get().is_confirmed


def test_a_figure_far_above_without_reason_keeps_the_form(client, funded):
    client.force_login(delegate_of(funded.first))
    response = client.post(
        contribution_url(funded, funded.first),
        {"cash": "900000", "in_kind": "0", "note": "Versé en deux fois"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reason"]
    assert form["note"].value() == "Versé en deux fois"
    assert not ReportContribution.objects.exists()


def test_a_negative_figure_is_refused_in_the_form(client, funded):
    client.force_login(delegate_of(funded.first))
    response = client.post(contribution_url(funded, funded.first), {"cash": "-1", "in_kind": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors["cash"]


def test_a_partner_cannot_open_another_partners_page(client, funded):
    client.force_login(delegate_of(funded.second))
    assert client.get(contribution_url(funded, funded.first)).status_code == 403
    assert (
        client.post(contribution_url(funded, funded.first), {"cash": "1", "in_kind": "0"}).status_code == 403
    )


def test_the_lead_cannot_open_a_partners_page(world, funded):
    assert client_as(world, "delegate_a").get(contribution_url(funded, funded.first)).status_code == 403


def test_an_outsider_gets_404(world, funded):
    assert client_as(world, "delegate_b").get(contribution_url(funded, funded.first)).status_code == 404


def test_a_declined_partner_has_no_page(world, funded):
    declined = PartnershipFactory(
        project=funded.project, organisation=member(world.table_a)[0], status=Partnership.Status.DECLINED
    )
    client = client_as(world, "delegate_a")
    client.force_login(delegate_of(declined))
    assert client.get(contribution_url(funded, declined)).status_code == 404


def test_the_lead_reads_which_partner_confirmed(world, funded):
    lead_saves(funded, {p.pk: (p.cash, p.in_kind, "") for p in (funded.first, funded.second)})
    partner_confirms(funded, funded.first)
    response = client_as(world, "delegate_a").get(
        reverse("projects:report-update", args=[funded.project.pk, progress_of(funded).pk])
    )
    rows = {p.pk: p.reported.is_confirmed for p in response.context["partnerships"]}
    assert rows == {funded.first.pk: True, funded.second.pk: False}


def count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_report_pages_cost_the_same_with_more_partners(world, funded):
    manager = client_as(world, "coordinator")
    manager.force_login(funded.manager)
    lead = client_as(world, "delegate_a")
    partner = client_as(world, "delegate_a")
    partner.force_login(delegate_of(funded.first))
    urls = [
        (lead, reverse("projects:report-update", args=[funded.project.pk, progress_of(funded).pk])),
        (partner, contribution_url(funded, funded.first)),
        (manager, reverse("funding:application-followup", args=[funded.call_id, funded.pk])),
    ]
    lead_saves(funded, {p.pk: (p.cash, p.in_kind, "") for p in (funded.first, funded.second)}, submit=True)
    partner_confirms(funded, funded.first)
    before = [count(client, url) for client, url in urls]
    for _ in range(3):
        organisation = member(funded.call.table, sector=Sector.PRIVATE)[0]
        partnership = PartnershipFactory(project=funded.project, organisation=organisation)
        partnership.project = funded.project
        partner_confirms(funded, partnership)
    assert [count(client, url) for client, url in urls] == before
