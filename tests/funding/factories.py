"""Factories and builders for calls, joint projects and applications.

`ready_application` builds a draft that meets every rule of its call (the lead and two
partners of other sectors, members of the table, confirmed; a budget within the caps;
indicators of both kinds), so that a test breaks exactly one rule and sees that one
refused. `application_in` takes it along the path through the services, as people do.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from funding import services
from funding.models import (
    Application,
    CallFunder,
    Criterion,
    FunderStaff,
    FundingCall,
    RequiredDocument,
    Reviewer,
    Status,
)
from members.models import Sector
from members.regions import ensure_regions
from projects.models import BudgetLine, Partnership, PartnershipAnswer, Project, ProjectIndicator
from tests.factories import (
    DelegationFactory,
    FunderFactory,
    FunderStaffFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
)


def region(code="03"):
    return ensure_regions()[code]


class FundingCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingCall
        skip_postgeneration_save = True

    table = factory.SubFactory(TableFactory)
    title = factory.Sequence(lambda n: f"Appel de projets en partenariat {n}")
    description = "Projets concertés pour l'intégration des personnes immigrantes."
    envelope = Decimal("100000")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    min_partners = 2
    min_sectors = 2
    max_applications_per_lead = 1
    max_request = Decimal("50000")
    max_request_share = 80
    partners_must_be_members = True
    decision_by_resolution = False

    @factory.post_generation
    def funders(self, create, extracted, **kwargs):
        """funders=[funder, …] share the envelope equally; default: one new ministry."""
        if not create:
            return
        funders = extracted if extracted is not None else [FunderFactory()]
        for funder in funders:
            CallFunder.objects.create(call=self, funder=funder, amount=self.envelope / len(funders))

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        rows = extracted if extracted is not None else [("Partenariat réel", 60), ("Effets attendus", 40)]
        for position, (title, weight) in enumerate(rows, start=1):
            Criterion.objects.create(
                call=self, position=position, title=title, weight=weight, guidance="Ce qui fait un bon score."
            )


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    call = factory.SubFactory(FundingCallFactory)
    name = "Lettre d'appui de chaque partenaire"
    mandatory = True


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    table = factory.SubFactory(TableFactory)
    lead = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Projet concerté {n}")
    summary = "Un accompagnement commun vers l'emploi."
    needs = "Les personnes nouvellement arrivées peinent à trouver un emploi à la hauteur."
    target_population = "Personnes immigrantes arrivées depuis moins de cinq ans."
    territory = "Ville de Québec"
    starts = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    ends = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=425))
    activities = "Ateliers, jumelages, stages."
    deliverables = "Trente jumelages, un guide."

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            self.regions.set(extracted if extracted is not None else [region("03")])


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = Partnership.Status.CONFIRMED
    role = "Accueil des participantes et participants"
    cash = Decimal("5000")
    in_kind = Decimal("8000")
    in_kind_description = "Une intervenante deux jours par semaine"
    answered_at = factory.LazyFunction(timezone.now)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.LazyAttribute(lambda line: line.project.lead)
    category = BudgetLine.Category.STAFF
    description = "Coordination du projet"
    nature = BudgetLine.Nature.CASH
    source = BudgetLine.Source.REQUESTED
    amount = Decimal("40000")


def member(table, *, sector=Sector.COMMUNITY, person=None, **organisation_fields):
    """A member organisation of `table` and its delegate there."""
    organisation = OrganisationFactory(sector=sector, **organisation_fields)
    membership = MembershipFactory(table=table, organisation=organisation)
    delegation = DelegationFactory(membership=membership, **({"person": person} if person else {}))
    return organisation, delegation.person


def call_on(table, **fields) -> FundingCall:
    return FundingCallFactory(table=table, **fields)


def ready_application(call, *, lead=None, lead_delegate=None, partners=None) -> Application:
    """A draft application that meets every rule of `call` (as the factories build it)."""
    if lead is None:
        lead, lead_delegate = member(call.table, sector=Sector.COMMUNITY)
    project = ProjectFactory(table=call.table, lead=lead)
    application = Application.objects.create(call=call, project=project)
    if partners is None:
        partners = [
            member(call.table, sector=Sector.MUNICIPAL)[0],
            member(call.table, sector=Sector.PUBLIC_EDUCATION)[0],
        ]
    for organisation in partners:
        partnership = PartnershipFactory(project=project, organisation=organisation)
        PartnershipAnswer.objects.create(
            partnership=partnership,
            event=PartnershipAnswer.Event.CONFIRMED,
            cash=partnership.cash,
            in_kind=partnership.in_kind,
        )
    ProjectIndicator.objects.create(
        project=project, kind="result", name="Personnes en emploi", unit="personnes", target=30
    )
    ProjectIndicator.objects.create(
        project=project, kind="process", name="Partenaires présents aux comités", unit="%", target=80
    )
    BudgetLineFactory(project=project, amount=Decimal("40000"))
    BudgetLineFactory(
        project=project,
        organisation=partners[0] if partners else lead,
        category=BudgetLine.Category.PREMISES,
        description="Locaux et animation",
        nature=BudgetLine.Nature.IN_KIND,
        source=BudgetLine.Source.CONTRIBUTION,
        amount=Decimal("8000"),
    )
    BudgetLineFactory(
        project=project,
        category=BudgetLine.Category.ACTIVITIES,
        description="Frais d'inscription des participants",
        source=BudgetLine.Source.OTHER,
        other_source="Emploi-Québec",
        amount=Decimal("12000"),
    )
    project.lead_delegate = lead_delegate
    application.lead_delegate = lead_delegate
    return application


def manager_of(call):
    """A programme manager of the call's first funder."""
    funder = call.shares.first().funder
    return FunderStaffFactory(funder=funder, role=FunderStaff.Role.MANAGER).person


def reviewer_on(call, *, person=None) -> Reviewer:
    """A funder evaluator named reviewer of the call."""
    funder = call.shares.first().funder
    person = person or FunderStaffFactory(funder=funder).person
    return services.reviewer_add(call=call, person=person, by=None)


def submit(application, by=None):
    return services.application_submit(application=application, by=by or application.lead_delegate)


def review(application, reviewer, *, scores=(4, 3), comment="Partenariat solide.", submit=True):
    services.declaration_record(
        reviewer=reviewer, application=application, has_conflict=False, by=reviewer.person
    )
    criteria = list(application.call.criteria.all())
    return services.review_save(
        reviewer=reviewer,
        application=application,
        by=reviewer.person,
        expected_version=1,
        comment=comment,
        scores={c.pk: (score, "") for c, score in zip(criteria, scores, strict=False)},
        submit=submit,
    )


PATH = [
    Status.SUBMITTED,
    Status.ELIGIBILITY,
    Status.IN_REVIEW,
    Status.RECOMMENDED,
    Status.FUNDED,
    Status.IN_PROGRESS,
]


def application_in(status, call, *, manager=None, amount=Decimal("30000"), **kwargs) -> Application:
    """A new application of `call` taken through the services up to `status`."""
    application = ready_application(call, **kwargs)
    if status == Status.DRAFT:
        return application
    manager = manager or manager_of(call)
    lead = application.lead_delegate
    detours = {
        Status.WITHDRAWN: Status.SUBMITTED,
        Status.INELIGIBLE: Status.ELIGIBILITY,
        Status.NOT_RECOMMENDED: Status.IN_REVIEW,
        Status.REFUSED: Status.RECOMMENDED,
        Status.CLOSED: Status.IN_PROGRESS,
    }
    target = detours.get(status, status)
    for step in PATH[: PATH.index(target) + 1]:
        application.refresh_from_db()
        if step == Status.SUBMITTED:
            application = submit(application, lead)
        elif step == Status.RECOMMENDED:
            review(application, reviewer_on(call))
            application = services.application_transition(application=application, to=step, by=manager)
        elif step == Status.FUNDED:
            application = services.application_decide(
                application=application, by=manager, funded=True, amount=amount
            )
        elif step == Status.IN_PROGRESS:
            application = services.application_transition(application=application, to=step, by=lead)
        else:
            application = services.application_transition(application=application, to=step, by=manager)
    if status == Status.WITHDRAWN:
        application = services.application_transition(application=application, to=status, by=lead)
    elif status == Status.INELIGIBLE:
        application = services.application_transition(
            application=application, to=status, by=manager, note="Un partenaire n'est pas membre."
        )
    elif status == Status.NOT_RECOMMENDED:
        review(application, reviewer_on(call), scores=(1, 1))
        application = services.application_transition(application=application, to=status, by=manager)
    elif status == Status.REFUSED:
        application = services.application_decide(
            application=application, by=manager, funded=False, note="L'enveloppe est épuisée."
        )
    elif status == Status.CLOSED:
        final = application.reports.get(kind="final")
        services.report_save(
            report=final, by=lead, expected_version=final.version, submit=True, summary="Terminé."
        )
        services.report_accept(report=final, by=manager)
        application = services.application_transition(application=application, to=status, by=manager)
    application.lead_delegate = lead
    return application


def resolution_of(table, *, by=None, text="Il est résolu de financer les projets recommandés par le comité."):
    """An adopted resolution in the register of `table` (its meeting held a month ago)."""
    from tables import services as table_services
    from tables.models import Meeting
    from tests.factories import meeting_with_agenda

    meeting = meeting_with_agenda(
        table, days_ahead=-30, status=Meeting.Status.HELD, title="Comité de sélection"
    )
    return table_services.resolution_record(
        meeting=meeting, by=by, text=text, mode="consensus", result="consensus"
    )


def objective_of(table, *, status="adopted"):
    """A new objective in an adopted action plan of `table`."""
    from datetime import date

    from tables.models import ActionPlan, Axis, Objective

    plan = ActionPlan.objects.filter(table=table, status=status).first() or ActionPlan.objects.create(
        table=table,
        title="Plan d'action 2024-2027",
        starts=date(2024, 9, 1),
        ends=date(2027, 8, 31),
        status=status,
    )
    axis = Axis.objects.create(plan=plan, number=plan.axes.count() + 1, title="Intégration")
    return Objective.objects.create(axis=axis, number=f"{axis.number}.1", title="Favoriser l'emploi")
