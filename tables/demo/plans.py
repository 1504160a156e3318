"""Demo agreement and action plans of the TRCI: the adopted 2024-2027 plan (five axes,
some twenty-five actions with leads, partners, indicators and measurements) and the next
one, 2027-2030, in co-construction with members' proposals."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members.models import Delegation, Organisation

from .. import services
from ..models import (
    Action,
    ActionCommitment,
    ActionPlan,
    AgendaItem,
    Agreement,
    AgreementObjective,
    Indicator,
    Measurement,
    Meeting,
    Resolution,
)

AGREEMENT_OBJECTIVES = [
    ("1", "Attirer et retenir des personnes immigrantes dans toute la région"),
    ("2", "Offrir un accueil et une installation de qualité"),
    ("3", "Favoriser l'intégration en emploi à la hauteur des compétences"),
    ("4", "Soutenir la francisation et la réussite éducative"),
]

# axis title, [(objective number, title, agreement objective code or None, [(action, lead acronym or "")…])]
PLAN = [
    (
        "Attraction et régionalisation",
        [
            (
                "1.1",
                "Faire connaître les régions de la Capitale-Nationale",
                "1",
                [
                    ("Missions de recrutement concertées à Montréal", "EER"),
                    ("Calendrier régional des activités d'attraction", "QI"),
                    ("Portraits des MRC pour les personnes candidates", "CMQuébec"),
                ],
            ),
            (
                "1.2",
                "Retenir les personnes arrivées hors de la ville de Québec",
                "1",
                [
                    ("Accueil personnalisé dans Portneuf", "AIP"),
                    ("Réseau d'ambassadeurs dans Charlevoix", ""),
                ],
            ),
        ],
    ),
    (
        "Accueil et installation",
        [
            (
                "2.1",
                "Simplifier le parcours des premières semaines",
                "2",
                [
                    ("Guichet d'accueil commun", "CMQ"),
                    ("Trousse d'accueil bilingue des organismes", "MEI"),
                    ("Accès au logement : répertoire et accompagnement", "OMHQ"),
                ],
            ),
            (
                "2.2",
                "Soutenir les familles et les femmes immigrantes",
                None,
                [
                    ("Halte-garderie lors des activités de francisation", "MFI"),
                    ("Groupes d'entraide pour les femmes", "CIFQ"),
                ],
            ),
        ],
    ),
    (
        "Intégration en emploi",
        [
            (
                "3.1",
                "Rapprocher employeurs et personnes immigrantes",
                "3",
                [
                    ("Jumelage interculturel en entreprise", "SOIIT"),
                    ("Formation des gestionnaires à la diversité", "CCIQ"),
                    ("Stages d'observation en milieu de travail", "RIRE"),
                ],
            ),
            (
                "3.2",
                "Faire reconnaître les compétences acquises à l'étranger",
                "3",
                [
                    ("Accompagnement vers les ordres professionnels", "SQ-CN"),
                    ("Carrefour d'information sur la reconnaissance des acquis", "UL"),
                ],
            ),
        ],
    ),
    (
        "Francisation et éducation",
        [
            (
                "4.1",
                "Rendre la francisation accessible partout",
                "4",
                [
                    ("Francisation en milieu de travail", "CSSC"),
                    ("Cours du soir en région", "CSSP"),
                    ("Francisation des travailleuses et travailleurs temporaires", "MIFI"),
                ],
            ),
            (
                "4.2",
                "Soutenir la réussite scolaire des jeunes",
                "4",
                [
                    ("Accompagnement des familles à l'école", "CSSPS"),
                    ("Aide aux devoirs interculturelle", "YWCA Québec"),
                ],
            ),
        ],
    ),
    (
        "Rapprochement interculturel et vivre-ensemble",
        [
            (
                "5.1",
                "Créer des occasions de rencontre",
                None,
                [
                    ("Semaine québécoise des rencontres interculturelles", "Ville de Québec"),
                    ("Jardins collectifs interculturels", "CDEC"),
                ],
            ),
            (
                "5.2",
                "Renforcer les compétences interculturelles des organisations",
                None,
                [
                    ("Formation à l'approche interculturelle", "CIUSSS-CN"),
                    ("Communauté de pratique des intervenantes et intervenants", ""),
                    ("Portrait annuel de l'immigration régionale", "Centraide"),
                ],
            ),
        ],
    ),
]

NEXT_PROPOSALS = [
    ("Plateforme commune d'offres d'emploi pour personnes immigrantes", "3.1"),
    ("Mentorat entre personnes immigrantes établies et nouvelles arrivantes", "2.1"),
    ("Parcours d'accueil en région avec hébergement temporaire", "1.2"),
]


def _organisations():
    return {o.acronym or o.name: o for o in Organisation.objects.all()}


@transaction.atomic
def seed_plans(table, out=None):
    out = out or (lambda message: None)
    if table.plans.exists():
        return
    rng = random.Random(2024)
    orgs = _organisations()
    members = [m.organisation for m in table.memberships.active().select_related("organisation")]
    coordinator = table.coordinators.select_related("person").first().person
    today = timezone.localdate()

    agreement = Agreement.objects.create(
        table=table,
        name="Entente sectorielle en immigration de la Capitale-Nationale 2024-2027",
        kind=Agreement.Kind.SECTORAL,
        starts=date(2024, 9, 1),
        ends=date(2027, 8, 31),
        envelope=Decimal("2400000"),
        description="Entente entre le MIFI et les partenaires municipaux de la région, qui finance le plan "
        "d'action de la Table et ses appels de projets en partenariat.",
    )
    agreement.parties.set(
        [orgs[k] for k in ("MIFI", "CMQuébec", "Ville de Québec", "MRC de Portneuf") if k in orgs]
    )
    agreement_objectives = {
        code: AgreementObjective.objects.create(agreement=agreement, code=code, title=title)
        for code, title in AGREEMENT_OBJECTIVES
    }

    plan = services.plan_create(
        table=table,
        by=coordinator,
        title="Plan d'action 2024-2027",
        starts=date(2024, 9, 1),
        ends=date(2027, 8, 31),
        agreement=agreement,
        vision="Une région où chaque personne immigrante trouve sa place, partout sur le territoire, grâce à "
        "des organisations qui agissent ensemble plutôt qu'en concurrence.",
    )
    span = (plan.ends - plan.starts).days
    elapsed = max(0, min(1, (today - plan.starts).days / span))
    for number, (axis_title, objectives) in enumerate(PLAN, start=1):
        axis = services.axis_save(plan=plan, number=number, title=axis_title)
        for code, title, agreement_code, actions in objectives:
            objective = services.objective_save(
                axis=axis,
                number=code,
                title=title,
                origin="non_negotiable" if agreement_code else "coconstructed",
                agreement_objective=agreement_objectives.get(agreement_code),
            )
            indicator = Indicator.objects.create(
                objective=objective,
                kind=Indicator.Kind.RESULT,
                name=f"Personnes rejointes – {title[:60]}",
                unit="personnes",
                baseline=Decimal(rng.randint(50, 200)),
                target=Decimal(rng.randint(300, 900)),
            )
            for months in (6, 12, 18, 24):
                measured = plan.starts + timedelta(days=30 * months)
                if measured <= today:
                    Measurement.objects.create(
                        indicator=indicator,
                        measured_on=measured,
                        value=indicator.baseline + Decimal(rng.randint(20, 80) * months // 6),
                        source="Compilation des organisations responsables",
                        entered_by=coordinator,
                    )
            for title_action, lead_key in actions:
                lead = orgs.get(lead_key)
                starts = plan.starts + timedelta(days=rng.choice([0, 60, 120, 240]))
                ends = starts + timedelta(days=rng.choice([300, 450, 600, 800]))
                action = services.action_add(
                    objective=objective,
                    by=coordinator,
                    title=title_action,
                    description="Action portée en partenariat, suivie à chaque rencontre de la Table.",
                    lead=lead,
                    starts=starts,
                    ends=ends,
                    budget=Decimal(rng.choice([15000, 25000, 40000, 60000, 90000])),
                )
                expected = max(0, min(1, (today - starts).days / max((ends - starts).days, 1)))
                progress = int(min(100, max(0, expected * 100 + rng.randint(-35, 10))))
                status = (
                    Action.Status.DONE
                    if progress >= 100
                    else Action.Status.IN_PROGRESS
                    if progress > 0
                    else Action.Status.NOT_STARTED
                )
                Action.objects.filter(pk=action.pk).update(progress=progress, status=status)
                if lead:
                    ActionCommitment.objects.create(
                        action=action, organisation=lead, role="lead", level="active", resources=["human"]
                    )
                for partner in rng.sample([m for m in members if m != lead], rng.randint(1, 3)):
                    ActionCommitment.objects.create(
                        action=action,
                        organisation=partner,
                        role="partner",
                        level=rng.choice(["passive", "participative", "mobilising", "active"]),
                        resources=rng.sample(
                            ["human", "material", "financial", "in_kind"], rng.randint(1, 2)
                        ),
                    )
    abandoned = Action.objects.filter(objective__axis__plan=plan).order_by("-pk").first()
    Action.objects.filter(pk=abandoned.pk).update(
        status=Action.Status.ABANDONED,
        abandon_reason="Le portrait annuel est désormais produit par l'Observatoire régional.",
    )
    Indicator.objects.create(
        objective=plan.axes.get(number=5).objectives.first(),
        kind=Indicator.Kind.PROCESS,
        name="Organisations membres engagées dans au moins une action",
        unit="organisations",
        baseline=Decimal(12),
        target=Decimal(30),
    )
    _adopt(plan, table, coordinator, elapsed)

    following = services.plan_new_version(plan=plan, by=coordinator, title="Plan d'action 2027-2030")
    ActionPlan.objects.filter(pk=following.pk).update(starts=date(2027, 9, 1), ends=date(2030, 8, 31))
    delegates = {
        d.membership.organisation_id: d.person
        for d in Delegation.objects.active()
        .filter(membership__table=table, role="delegate")
        .select_related("membership", "person")
    }
    for title, objective_code in NEXT_PROPOSALS:
        organisation = rng.choice(members)
        objective = following.axes.get(objectives__number=objective_code).objectives.get(
            number=objective_code
        )
        proposal = services.action_propose(
            objective=objective,
            by=delegates.get(organisation.pk),
            organisation=organisation,
            title=title,
            description="Proposée lors de la première journée de coconstruction.",
        )
        services.action_comment(
            action=proposal,
            by=coordinator,
            organisation=None,
            text="Merci ! Proposition à discuter en atelier avec les organisations intéressées.",
        )
        for other in rng.sample(members, 3):
            services.action_commit(
                action=proposal,
                organisation=other,
                by=delegates.get(other.pk),
                role=rng.choice(["partner", "partner", "none"]),
                level="participative",
            )
    out("Action plans: 2024-2027 adopted and in progress, 2027-2030 in co-construction.")


def _adopt(plan, table, coordinator, elapsed):
    """Adopt the plan by a resolution at the first demo meeting after its start."""
    meeting = (
        table.meetings.filter(starts_at__date__gte=plan.starts, status__in=["held", "closed"])
        .order_by("starts_at")
        .first()
        or table.meetings.order_by("starts_at").first()
    )
    if meeting is None:
        return
    item = AgendaItem.objects.create(
        meeting=meeting,
        title="Adoption du plan d'action 2024-2027",
        kind="decision",
        position=45,
        duration_minutes=30,
    )
    month = meeting.starts_at.strftime("%Y-%m")
    sequence = Resolution.objects.filter(table=table, number__startswith=month).count() + 1
    resolution = Resolution.objects.create(
        table=table,
        meeting=meeting,
        item=item,
        number=f"{month}-{sequence:02d}",
        sequence=sequence,
        text="Il est résolu d'adopter le plan d'action 2024-2027 de la Table, coconstruit avec les membres, "
        "tel que présenté (version 1).",
        mode=Resolution.Mode.CONSENSUS,
        result=Resolution.Result.CONSENSUS,
    )
    services.plan_transition(plan=plan, status=ActionPlan.Status.SUBMITTED)
    services.plan_adopt(plan=plan, resolution=resolution)
    if elapsed > 0:
        services.plan_transition(plan=plan, status=ActionPlan.Status.IN_PROGRESS)
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
