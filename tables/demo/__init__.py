"""Demo data: the Table régionale de concertation en immigration de la Capitale-Nationale,
a second table in Chaudière-Appalaches sharing some members, the demo accounts, and
synthetic regions for benchmarks (`seed_demo --scale N`)."""

import random
from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from funding.models import Funder, FunderStaff
from members.demo import (
    CAPITALE_NATIONALE,
    CHAUDIERE_APPALACHES,
    FIRST_NAMES,
    LAST_NAMES,
    SHARED_WITH_CHAUDIERE,
)
from members.models import Affiliation, Delegation, Organisation, User
from members.regions import ensure_regions

from ..models import Coordinator, GovernanceRules, Invitation, Membership, Table

DEMO_PASSWORD = "Concertation-2026"
DEMO_DOMAIN = "concertation.demo"
MAIN_SLUG = "trci-capitale-nationale"
SECOND_SLUG = "tci-chaudiere-appalaches"

# role: (email, first name, last name)
DEMO_ACCOUNTS = {
    "admin": (f"admin@{DEMO_DOMAIN}", "Alex", "Administrateur"),
    "coordinator": (f"coordination@{DEMO_DOMAIN}", "Geneviève", "Ouellet"),
    "delegate": (f"delegue@{DEMO_DOMAIN}", "Amina", "Diallo"),
    "delegate_other_table": (f"delegue.chaudiere@{DEMO_DOMAIN}", "Louis", "Cloutier"),
    "funder_evaluator": (f"evaluation@{DEMO_DOMAIN}", "Sophie", "Lavoie"),
}

COMMUNIQUES = [
    (
        "Rappel : données pour le bilan d'étape du plan d'action",
        "Bonjour à toutes et à tous,\n\nPour préparer le bilan d'étape du plan d'action, merci de "
        "transmettre d'ici le 15 du mois les données de vos actions (personnes rejointes, activités "
        "réalisées). Le gabarit est sur la page de chaque action.\n\nMerci de votre collaboration,\n"
        "La coordination",
        "all",
    ),
    (
        "Consultation du ministère sur la régionalisation de l'immigration",
        "Le ministère invite les membres votants à faire part de leurs priorités régionales avant "
        "la rencontre de décembre. Nous en ferons la synthèse pour la prochaine rencontre.",
        "voting",
    ),
]

MANDATE = (
    "Conseiller les instances régionales en matière d'immigration; se doter d'un plan d'action "
    "découlant de l'entente sectorielle signée avec les ministères et le mettre en œuvre; "
    "favoriser l'attraction, l'installation, l'intégration et la rétention des personnes "
    "immigrantes dans la Capitale-Nationale, par des projets menés en partenariat."
)

# Plausible expectations of a member, by sector.
SECTOR_PROFILE = {
    "government": (["authority", "resources", "expertise"], ["represent_organisation", "shed_light"]),
    "public_employment": (["resources", "expertise"], ["represent_organisation", "spread_information"]),
    "public_education": (["expertise", "skills", "presence"], ["represent_sector", "share_information"]),
    "public_health": (["expertise", "resources"], ["represent_sector", "shed_light"]),
    "municipal": (["authority", "resources"], ["represent_organisation", "spread_information"]),
    "private": (["resources", "authority"], ["represent_sector", "share_information"]),
    "philanthropic": (["resources", "expertise"], ["represent_organisation", "shed_light"]),
    "community": (["experience", "expertise", "presence"], ["share_information", "represent_sector"]),
    "citizen": (["experience", "presence"], ["shed_light", "share_information"]),
}


class DemoSeeder:
    def __init__(self, out=None, rng_seed=2026):
        self.out = out or (lambda message: None)
        self.rng = random.Random(rng_seed)
        self.password = make_password(DEMO_PASSWORD)
        self.regions = ensure_regions()
        self.used_emails = set(User.objects.values_list("email", flat=True))

    # People -----------------------------------------------------------------------------

    def person(self, organisation, *, email=None, first_name=None, last_name=None, job_title=""):
        first_name = first_name or self.rng.choice(FIRST_NAMES)
        last_name = last_name or self.rng.choice(LAST_NAMES)
        if email is None:
            local = slugify(f"{first_name}.{last_name}").replace("-", ".")
            email = f"{local}@{organisation.slug}.{DEMO_DOMAIN}"
            n = 1
            while email in self.used_emails:
                n += 1
                email = f"{local}{n}@{organisation.slug}.{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                first_name=first_name,
                last_name=last_name,
                password=self.password,
                language="fr-ca",
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        self.used_emails.add(email)
        if organisation and not Affiliation.objects.filter(person=user, end__isnull=True).exists():
            Affiliation.objects.create(
                person=user, organisation=organisation, job_title=job_title, start=date(2022, 1, 10)
            )
        return user

    # Organisations ----------------------------------------------------------------------

    def organisations(self, rows):
        result = {}
        for name, acronym, sector, actor_type, region_code, territory, funder_kind in rows:
            organisation, _created = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "acronym": acronym,
                    "sector": sector,
                    "actor_type": actor_type,
                    "region": self.regions[region_code],
                    "territory": territory,
                    "mission": f"{name} : organisation membre de tables de concertation en immigration.",
                },
            )
            if funder_kind:
                Funder.objects.get_or_create(organisation=organisation, defaults={"kind": funder_kind})
            result[acronym or name] = organisation
        return result

    # Tables -----------------------------------------------------------------------------

    def membership(self, table, organisation, joined, *, status=Membership.Status.VOTING, substitute=True):
        contributions, roles = SECTOR_PROFILE[organisation.sector]
        powers = ["contribution", "coconstruction"] + (
            ["decision"] if status == Membership.Status.VOTING else []
        )
        if self.rng.random() < 0.3:
            powers.append("evaluation")
        membership = Membership.objects.create(
            table=table,
            organisation=organisation,
            status=status,
            joined=joined,
            contributions=contributions,
            roles=roles,
            powers=powers,
        )
        delegate = self.person(organisation)
        Delegation.objects.create(
            membership=membership, person=delegate, role=Delegation.Role.DELEGATE, start=joined
        )
        if substitute:
            other = self.person(organisation)
            Delegation.objects.create(
                membership=membership, person=other, role=Delegation.Role.SUBSTITUTE, start=joined
            )
        return membership

    @transaction.atomic
    def seed_main(self):
        if Table.objects.filter(slug=MAIN_SLUG).exists():
            self.out("Demo tables already present.")
            return
        cn = self.organisations(CAPITALE_NATIONALE)
        ca = self.organisations(CHAUDIERE_APPALACHES)
        admin_email, first, last = DEMO_ACCOUNTS["admin"]
        admin = self.person(None, email=admin_email, first_name=first, last_name=last)
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])

        coordination = cn["CRÉCN"]
        main = Table.objects.create(
            name="Table régionale de concertation en immigration de la Capitale-Nationale",
            slug=MAIN_SLUG,
            acronym="TRCI-CN",
            kind=Table.Kind.THEMATIC,
            scope=Table.Scope.MULTISECTORAL,
            region=self.regions["03"],
            territory="Région administrative de la Capitale-Nationale",
            theme="immigration",
            mandate=MANDATE,
            founded=date(2007, 1, 15),
            coordinating_organisation=coordination,
            visibility=Table.Visibility.PUBLIC,
        )
        GovernanceRules.objects.create(
            table=main,
            version=1,
            effective_from=date(2007, 1, 15),
            quorum_percent=50,
            notice_days=10,
            decision_mode="majority",
            created_by=admin,
            note="Règles de fonctionnement adoptées à la fondation de la Table.",
        )
        GovernanceRules.objects.create(
            table=main,
            version=2,
            effective_from=date(2011, 9, 1),
            quorum_percent=50,
            notice_days=10,
            decision_mode="consensus",
            created_by=admin,
            note="Passage à la prise de décision par consensus (résolution 2011-06-03).",
        )
        GovernanceRules.objects.create(
            table=main,
            version=3,
            effective_from=date(2024, 9, 1),
            quorum_percent=40,
            quorum_strictly_more=False,
            notice_days=7,
            decision_mode="consent",
            created_by=admin,
            note="Quorum à 40 % et convocation 7 jours avant, rencontres hybrides (résolution 2024-06-02).",
        )
        GovernanceRules.objects.create(
            table=main,
            version=4,
            effective_from=date(2025, 9, 1),
            quorum_percent=40,
            quorum_strictly_more=False,
            notice_days=7,
            decision_mode="consent",
            e_votes_allowed=True,
            e_vote_majority="cast",
            e_vote_majority_percent=50,
            e_vote_participation_percent=50,
            e_vote_min_days=5,
            e_vote_objections=3,
            members_may_propose=True,
            created_by=admin,
            note=(
                "Décisions entre les rencontres par vote électronique, ratifiées à la rencontre "
                "suivante ; les membres peuvent proposer une consultation (résolution 2025-06-03)."
            ),
        )
        email, first, last = DEMO_ACCOUNTS["coordinator"]
        coordinator = self.person(
            coordination,
            email=email,
            first_name=first,
            last_name=last,
            job_title="Coordonnatrice de la Table",
        )
        Coordinator.objects.create(table=main, person=coordinator, since=date(2019, 3, 1))

        observers = {"MEIE", "FLAC", "AEIUL"}
        delegate_email, first, last = DEMO_ACCOUNTS["delegate"]
        for key, organisation in cn.items():
            joined = date(2007, 3, 20) if organisation.sector != "citizen" else date(2012, 2, 1)
            status = Membership.Status.OBSERVER if key in observers else Membership.Status.VOTING
            if key == "CMQ":
                membership = self.membership(main, organisation, joined, status=status, substitute=True)
                membership.delegations.filter(role=Delegation.Role.DELEGATE).update(end=date(2023, 9, 1))
                person = self.person(
                    organisation,
                    email=delegate_email,
                    first_name=first,
                    last_name=last,
                    job_title="Responsable de l'intégration",
                )
                Delegation.objects.create(
                    membership=membership,
                    person=person,
                    role=Delegation.Role.DELEGATE,
                    start=date(2023, 9, 1),
                )
            else:
                self.membership(main, organisation, joined, status=status, substitute=self.rng.random() < 0.8)

        second = Table.objects.create(
            name="Table de concertation en immigration de Chaudière-Appalaches",
            slug=SECOND_SLUG,
            acronym="TCI-CA",
            kind=Table.Kind.THEMATIC,
            scope=Table.Scope.MULTISECTORAL,
            region=self.regions["12"],
            territory="Chaudière-Appalaches",
            theme="immigration",
            mandate="Concerter les acteurs de l'attraction, de l'accueil et de l'établissement durable des "
            "personnes immigrantes en Chaudière-Appalaches.",
            founded=date(2015, 10, 5),
            coordinating_organisation=ca["ICI"],
            visibility=Table.Visibility.PRIVATE,
        )
        GovernanceRules.objects.create(
            table=second,
            version=1,
            effective_from=date(2015, 10, 5),
            quorum_percent=50,
            notice_days=14,
            decision_mode="consensus",
            created_by=admin,
        )
        second_coordinator = self.person(
            ca["ICI"],
            email=f"coordination.chaudiere@{DEMO_DOMAIN}",
            first_name="Karine",
            last_name="Poirier",
            job_title="Coordonnatrice de la Table",
        )
        Coordinator.objects.create(table=second, person=second_coordinator, since=date(2020, 1, 6))
        other_email, first, last = DEMO_ACCOUNTS["delegate_other_table"]
        for key, organisation in ca.items():
            membership = self.membership(second, organisation, date(2015, 10, 5))
            if key == "ICI":
                membership.delegations.filter(role=Delegation.Role.DELEGATE).update(end=date(2024, 1, 8))
                person = self.person(
                    organisation,
                    email=other_email,
                    first_name=first,
                    last_name=last,
                    job_title="Agent de liaison",
                )
                Delegation.objects.create(
                    membership=membership,
                    person=person,
                    role=Delegation.Role.DELEGATE,
                    start=date(2024, 1, 8),
                )
        for key in SHARED_WITH_CHAUDIERE:
            self.membership(second, cn[key], date(2016, 2, 1), substitute=False)

        email, first, last = DEMO_ACCOUNTS["funder_evaluator"]
        evaluator = self.person(
            cn["MIFI"], email=email, first_name=first, last_name=last, job_title="Conseillère en programmes"
        )
        FunderStaff.objects.create(
            funder=cn["MIFI"].funder, person=evaluator, role=FunderStaff.Role.EVALUATOR
        )

        # Two invitations waiting for an answer, so the coordination screens show some.
        for key, first_name in (("MRC de Charlevoix", "Simon"), ("YWCA Québec", "Yasmine")):
            membership = Membership.objects.get(table=main, organisation=cn[key])
            Invitation.objects.create(
                membership=membership,
                email=f"{slugify(first_name)}@{membership.organisation.slug}.{DEMO_DOMAIN}",
                first_name=first_name,
                role=Delegation.Role.SUBSTITUTE,
                invited_by=coordinator,
            )
        self.out(f"Demo tables: {main.name}; {second.name}.")

    def seed_regional(self):
        """More tables across three regions, and declared activities (see tables/demo/regional.py)."""
        from .regional import seed_regional

        seed_regional(out=self.out)

    def seed_bilans(self):
        from .bilans import seed_bilans

        seed_bilans(Table.objects.get(slug=MAIN_SLUG), out=self.out)

    def seed_plans(self):
        """Agreement and action plans (see tables/demo/plans.py)."""
        from .plans import seed_plans

        seed_plans(Table.objects.get(slug=MAIN_SLUG), out=self.out)

    def seed_meetings(self):
        from .meetings import MeetingSeeder

        seeder = MeetingSeeder(out=self.out)
        main = Table.objects.get(slug=MAIN_SLUG)
        seeder.seed_table(main, main.coordinators.first().person, past=16)
        second = Table.objects.get(slug=SECOND_SLUG)
        seeder.seed_table(second, second.coordinators.first().person, past=6, cadence_days=60)
        self.seed_communiques(main, main.coordinators.first().person)
        self.seed_communiques(second, second.coordinators.first().person)
        self.seed_consultations(main, main.coordinators.first().person)

    def seed_consultations(self, table, coordinator):
        """An open opinion round, answered by a few member organisations, and an open
        availability poll: what a table sees between two meetings."""
        from datetime import timedelta

        from django.utils import timezone

        from members.services.notifications import without_email

        from ..models import Consultation
        from ..services.consultations import consultation_answer, consultation_open

        if Consultation.objects.filter(table=table).exists():
            return
        now = timezone.now().replace(second=0, microsecond=0)
        with without_email():
            avis = consultation_open(
                table=table,
                by=coordinator,
                kind=Consultation.Kind.AVIS,
                title="Avis sur le projet de priorités régionales 2027",
                text=(
                    "La coordination propose trois priorités pour la prochaine année : l'accès au "
                    "logement des nouveaux arrivants, la reconnaissance des compétences et la "
                    "francisation en milieu de travail. Qu'en pense votre organisation ? Que "
                    "faudrait-il ajouter ou retirer ?"
                ),
                opens_at=now - timedelta(days=2),
                closes_at=now + timedelta(days=12),
            )
            poll_day = (now + timedelta(days=35)).replace(hour=13, minute=30)
            consultation_open(
                table=table,
                by=coordinator,
                kind=Consultation.Kind.POLL,
                title="Date de la journée de bilan du plan d'action",
                text="Une journée de travail sur le bilan d'étape, en présence.",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=9),
                slots=[
                    (poll_day + timedelta(days=n), poll_day + timedelta(days=n, hours=3)) for n in (0, 2, 7)
                ],
            )
            opinions = [
                "D'accord avec les trois priorités ; le logement est le plus urgent pour nos familles.",
                "Ajouter l'accès aux services de garde, qui freine l'emploi des mères nouvellement arrivées.",
                "La francisation en entreprise demande l'appui des employeurs : prévoir un volet avec eux.",
            ]
            for membership, opinion in zip(
                table.memberships.active().voting().order_by("pk")[:3], opinions, strict=False
            ):
                delegation = membership.delegations.active().select_related("person").first()
                if delegation:
                    consultation_answer(
                        consultation=avis, membership=membership, by=delegation.person, comment=opinion
                    )
        from .consultations import seed_votes_and_proposals

        seed_votes_and_proposals(table, coordinator)

    def seed_communiques(self, table, coordinator):
        """Two communiqués of the coordination, sent through the service and the task, as a
        coordinator's would be; their notifications are written, no email leaves."""
        from members.services.notifications import without_email

        from ..services import communique_send
        from ..tasks.communiques import send_communique

        if table.communiques.exists():
            return
        with without_email():
            for subject, body, audience in COMMUNIQUES:
                communique = communique_send(
                    table=table, by=coordinator, subject=subject, body=body, audience=audience
                )
                send_communique(communique.pk)

    # Scale ------------------------------------------------------------------------------

    def _scale_meetings(self, tables, per_table):
        """`per_table` weekly meetings back in time for each table, each with the standard
        agenda and two items, adopted minutes with notes, and a resolution — in bulk."""
        from datetime import datetime, time, timedelta

        from ..models import AgendaItem, Meeting, Minutes, MinutesNote, Resolution
        from ..models.agenda import STANDARD_AFTER, STANDARD_BEFORE

        now = timezone.now()
        standard = [
            (code, kind, minutes, 10 * (n + 1)) for n, (code, kind, minutes) in enumerate(STANDARD_BEFORE)
        ]
        standard += [
            (code, kind, minutes, 10_000 + 10 * (n + 1))
            for n, (code, kind, minutes) in enumerate(STANDARD_AFTER)
        ]
        for table in tables:
            meetings = []
            for week in range(per_table):
                day = (now - timedelta(weeks=week + 1)).date()
                starts = timezone.make_aware(datetime.combine(day, time(9)))
                meetings.append(
                    Meeting(
                        table=table,
                        title="Rencontre régulière",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=3),
                        place="Salle du conseil",
                        status=Meeting.Status.CLOSED,
                        convened_at=starts - timedelta(days=10),
                    )
                )
            meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
            items = []
            for meeting in meetings:
                items += [
                    AgendaItem(
                        meeting=meeting,
                        standard=code,
                        title=str(code.label),
                        kind=kind,
                        duration_minutes=minutes,
                        position=position,
                    )
                    for code, kind, minutes, position in standard
                ]
                items += [
                    AgendaItem(
                        meeting=meeting,
                        title="Tour de table des membres",
                        kind="information",
                        duration_minutes=30,
                        position=50,
                    ),
                    AgendaItem(
                        meeting=meeting,
                        title="Projet commun : suivi",
                        kind="decision",
                        duration_minutes=30,
                        position=60,
                    ),
                ]
            items = AgendaItem.objects.bulk_create(items, batch_size=5000)
            minutes = Minutes.objects.bulk_create(
                (Minutes(meeting=meeting, status=Minutes.Status.ADOPTED) for meeting in meetings),
                batch_size=2000,
            )
            by_meeting = {m.meeting_id: m for m in minutes}
            MinutesNote.objects.bulk_create(
                (
                    MinutesNote(
                        minutes=by_meeting[item.meeting_id], item=item, text="Échanges entre les membres."
                    )
                    for item in items
                ),
                batch_size=5000,
            )
            sequences = {}
            resolutions = []
            for meeting in meetings:
                month = timezone.localtime(meeting.starts_at).strftime("%Y-%m")
                sequences[month] = sequences.get(month, 0) + 1
                resolutions.append(
                    Resolution(
                        table=table,
                        meeting=meeting,
                        number=f"{month}-{sequences[month]:02d}",
                        sequence=sequences[month],
                        text="Il est résolu de poursuivre le projet commun.",
                        mode=Resolution.Mode.CONSENSUS,
                        result=Resolution.Result.CONSENSUS,
                    )
                )
            Resolution.objects.bulk_create(resolutions, batch_size=2000)

    def seed_scale(
        self,
        units,
        *,
        tables_per_unit=5,
        organisations_per_unit=250,
        members_per_table=40,
        meetings_per_table=1000,
    ):
        """Add `units` synthetic regions' worth of tables, organisations and people, in bulk."""
        region_list = list(self.regions.values())
        sectors = list(SECTOR_PROFILE)
        admin = User.objects.filter(is_superuser=True).first()
        done = set(Table.objects.filter(slug__startswith="synth-").values_list("slug", flat=True))
        today = timezone.localdate()
        for unit in range(1, units + 1):
            if f"synth-{unit}-1" in done:
                continue
            with transaction.atomic():
                region = region_list[(unit - 1) % len(region_list)]
                organisations = Organisation.objects.bulk_create(
                    Organisation(
                        name=f"Organisme synthétique {unit}-{i}",
                        slug=f"synth-org-{unit}-{i}",
                        sector=sectors[i % len(sectors)],
                        actor_type="tactical",
                        region=region,
                        territory=region.name,
                    )
                    for i in range(1, organisations_per_unit + 1)
                )
                people = User.objects.bulk_create(
                    User(
                        email=f"personne.{unit}.{i}@synth.{DEMO_DOMAIN}",
                        first_name=self.rng.choice(FIRST_NAMES),
                        last_name=self.rng.choice(LAST_NAMES),
                        password=self.password,
                    )
                    for i in range(1, organisations_per_unit * 2 + 1)
                )
                Affiliation.objects.bulk_create(
                    Affiliation(person=person, organisation=organisations[i // 2], start=date(2022, 1, 1))
                    for i, person in enumerate(people)
                )
                tables = Table.objects.bulk_create(
                    Table(
                        name=f"Table synthétique {unit}-{k} ({region.name})",
                        slug=f"synth-{unit}-{k}",
                        kind=Table.Kind.THEMATIC if k % 2 else Table.Kind.TERRITORIAL,
                        scope=Table.Scope.MULTISECTORAL,
                        region=region,
                        theme=["immigration", "employment", "youth", "seniors", "social_development"][k % 5],
                        visibility=Table.Visibility.PUBLIC if k % 4 else Table.Visibility.PRIVATE,
                    )
                    for k in range(1, tables_per_unit + 1)
                )
                GovernanceRules.objects.bulk_create(
                    GovernanceRules(table=table, version=1, effective_from=date(2020, 1, 1), created_by=admin)
                    for table in tables
                )
                memberships = []
                for k, table in enumerate(tables):
                    # Overlapping windows: neighbouring tables share a quarter of their members.
                    start = k * (members_per_table * 3 // 4)
                    chosen = [
                        organisations[(start + j) % len(organisations)] for j in range(members_per_table)
                    ]
                    memberships += [
                        Membership(
                            table=table,
                            organisation=o,
                            joined=date(2020, 1, 1),
                            contributions=["expertise"],
                            roles=["share_information"],
                            powers=["contribution", "decision"],
                        )
                        for o in chosen
                    ]
                memberships = Membership.objects.bulk_create(memberships)
                index = {o.pk: n for n, o in enumerate(organisations)}
                Delegation.objects.bulk_create(
                    Delegation(
                        membership=m,
                        person=people[index[m.organisation_id] * 2 + (1 if role == "substitute" else 0)],
                        role=role,
                        start=min(today, date(2020, 1, 1)),
                    )
                    for m in memberships
                    for role in ("delegate", "substitute")
                )
                self._scale_meetings(tables, meetings_per_table)
            self.out(f"Synthetic unit {unit}/{units} ({region.name}).")
