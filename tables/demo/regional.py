"""Demo data of the regional view: six more tables in Capitale-Nationale and three in
Montréal, sharing many members (some organisations sit on six or seven tables and spend
more than fifteen hours a month in meetings; some pairs of tables share most members),
two years of meetings, regional thresholds, and activities on the shared calendar —
among them two recruitment missions in Montréal, from two regions, on the same days."""

import random
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from members.models import Delegation, Organisation

from .. import services
from ..models import (
    Activity,
    AgendaItem,
    Attendance,
    Coordinator,
    GovernanceRules,
    Meeting,
    RegionalSettings,
    Table,
)
from . import DemoSeeder

# (name, acronym, sector, actor type, region code, territory, funder kind)
ORGANISATIONS = [
    ("Société d'habitation du Québec", "SHQ", "government", "strategic", "03", "Québec", ""),
    (
        "Regroupement des organismes en logement de Québec",
        "ROLQ",
        "community",
        "tactical",
        "03",
        "Ville de Québec",
        "",
    ),
    (
        "Regroupement des maisons de jeunes de Québec",
        "RMJQ",
        "community",
        "tactical",
        "03",
        "Ville de Québec",
        "",
    ),
    ("Maison des jeunes de Portneuf", "MDJP", "community", "tactical", "03", "MRC de Portneuf", ""),
    (
        "Corporation de développement communautaire de Portneuf",
        "CDC Portneuf",
        "community",
        "tactical",
        "03",
        "MRC de Portneuf",
        "",
    ),
    ("Ville de Montréal", "", "municipal", "strategic", "06", "Ville de Montréal", "municipality"),
    ("Services Québec – Montréal", "SQ-MTL", "public_employment", "strategic", "06", "Montréal", ""),
    (
        "CIUSSS du Centre-Sud-de-l'Île-de-Montréal",
        "CCSMTL",
        "public_health",
        "strategic",
        "06",
        "Centre-Sud-de-l'Île-de-Montréal",
        "",
    ),
    ("Centraide du Grand Montréal", "Centraide GM", "philanthropic", "strategic", "06", "Grand Montréal", ""),
    (
        "Carrefour jeunesse-emploi Montréal Centre-Ville",
        "CJE-MCV",
        "community",
        "tactical",
        "06",
        "Centre-ville de Montréal",
        "",
    ),
    (
        "Centre de services scolaire de Montréal",
        "CSSDM",
        "public_education",
        "tactical",
        "06",
        "Montréal",
        "",
    ),
    (
        "Carrefour d'accueil de l'Est de Montréal",
        "CAEM",
        "community",
        "tactical",
        "06",
        "Est de Montréal",
        "",
    ),
    (
        "Réseau des organismes en employabilité de Montréal",
        "ROEM",
        "community",
        "tactical",
        "06",
        "Montréal",
        "",
    ),
    ("Comité d'action logement Centre-Sud", "CALCS", "community", "tactical", "06", "Centre-Sud", ""),
    (
        "Chambre de commerce du Montréal métropolitain",
        "CCMM",
        "private",
        "strategic",
        "06",
        "Grand Montréal",
        "",
    ),
]


class TableSpec(NamedTuple):
    name: str
    acronym: str
    kind: str
    theme: str
    region: str
    visibility: str
    founded: date | None  # None: fifteen months ago, so that its members' load grows
    coordinating: str
    members: list
    cadence_days: int
    hours: float
    records_attendance: bool


TABLES = {
    "table-jeunesse-capitale-nationale": TableSpec(
        "Table de concertation jeunesse de la Capitale-Nationale",
        "TCJ-CN",
        "thematic",
        "youth",
        "03",
        "public",
        date(2012, 9, 1),
        "CJE-CN",
        [
            "CJE-CN",
            "SQ-CN",
            "CIUSSS-CN",
            "Ville de Québec",
            "Centraide",
            "CSSC",
            "Cégep Garneau",
            "CDEC",
            "SOIIT",
            "RMJQ",
        ],
        28,
        2.5,
        True,
    ),
    "table-emploi-capitale-nationale": TableSpec(
        "Table régionale en emploi et main-d'œuvre de la Capitale-Nationale",
        "TREMO-CN",
        "thematic",
        "employment",
        "03",
        "public",
        date(2010, 1, 15),
        "SQ-CN",
        [
            "CJE-CN",
            "SQ-CN",
            "CIUSSS-CN",
            "Ville de Québec",
            "CSSC",
            "Cégep Garneau",
            "CDEC",
            "SOIIT",
            "MIFI",
            "CCIQ",
            "QI",
        ],
        30,
        3,
        True,
    ),
    "table-developpement-social-capitale-nationale": TableSpec(
        "Table de développement social de la Capitale-Nationale",
        "TDS-CN",
        "thematic",
        "social_development",
        "03",
        "public",
        date(2008, 5, 1),
        "CRÉCN",
        [
            "Centraide",
            "CIUSSS-CN",
            "Ville de Québec",
            "SQ-CN",
            "OMHQ",
            "CDEC",
            "CMQ",
            "CRÉCN",
            "CMQuébec",
            "YWCA Québec",
            "CJE-CN",
        ],
        30,
        3,
        True,
    ),
    "alliance-solidarite-capitale-nationale": TableSpec(
        "Alliance pour la solidarité de la Capitale-Nationale",
        "APS-CN",
        "thematic",
        "social_development",
        "03",
        "private",
        None,
        "CRÉCN",
        [
            "Centraide",
            "CIUSSS-CN",
            "Ville de Québec",
            "SQ-CN",
            "OMHQ",
            "CDEC",
            "CMQ",
            "CRÉCN",
            "CMQuébec",
            "MIFI",
        ],
        21,
        3,
        True,
    ),
    "table-logement-capitale-nationale": TableSpec(
        "Table régionale sur le logement de la Capitale-Nationale",
        "TRL-CN",
        "thematic",
        "housing",
        "03",
        "public",
        date(2016, 3, 1),
        "OMHQ",
        ["OMHQ", "SHQ", "ROLQ", "Ville de Québec", "CIUSSS-CN", "Centraide", "CMQ", "MIFI", "CDEC"],
        42,
        2.5,
        True,
    ),
    "table-territoriale-portneuf": TableSpec(
        "Table de concertation territoriale de Portneuf",
        "TCT-Portneuf",
        "territorial",
        "social_development",
        "03",
        "public",
        date(2014, 6, 1),
        "MRC de Portneuf",
        [
            "MRC de Portneuf",
            "AIP",
            "CSSP",
            "RMP",
            "CDC Portneuf",
            "MDJP",
            "SQ-CN",
            "CIUSSS-CN",
            "CJE-CN",
            "MIFI",
            "Centraide",
        ],
        30,
        2,
        False,  # no attendance recorded: one person per member is assumed
    ),
    "table-immigration-montreal": TableSpec(
        "Table régionale en immigration de Montréal",
        "TRIM",
        "thematic",
        "immigration",
        "06",
        "public",
        date(2011, 2, 1),
        "Ville de Montréal",
        [
            "MIFI",
            "Ville de Montréal",
            "SQ-MTL",
            "CCSMTL",
            "Centraide GM",
            "CAEM",
            "EER",
            "CSSDM",
            "CCMM",
            "FLAC",
        ],
        30,
        3,
        True,
    ),
    "table-employabilite-montreal": TableSpec(
        "Table régionale en employabilité de Montréal",
        "TREM",
        "thematic",
        "employment",
        "06",
        "public",
        date(2013, 9, 1),
        "ROEM",
        ["SQ-MTL", "CJE-MCV", "ROEM", "CCMM", "EER", "Ville de Montréal", "MIFI", "CAEM"],
        35,
        2.5,
        True,
    ),
    "table-quartier-centre-sud": TableSpec(
        "Table de quartier Centre-Sud",
        "TQ Centre-Sud",
        "territorial",
        "social_development",
        "06",
        "public",
        date(2005, 1, 10),
        "CALCS",
        ["Ville de Montréal", "CCSMTL", "Centraide GM", "CALCS", "CJE-MCV", "CSSDM", "CAEM"],
        28,
        2.5,
        True,
    ),
}

# Region code: (max tables, max hours a month)
THRESHOLDS = {"03": (5, 12), "06": (4, 10), "12": (5, 12)}

MEETING_TITLES = [
    "Rencontre régulière",
    "Rencontre de suivi du plan d'action",
    "Rencontre thématique",
    "Rencontre des partenaires",
]


class RegionalSeeder:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.rng = random.Random(2030)
        self.people = DemoSeeder(out=self.out)
        self.now = timezone.now()
        self.today = timezone.localdate()

    def organisations(self):
        self.people.organisations(ORGANISATIONS)
        by_key = {}
        for organisation in Organisation.objects.all().only("pk", "name", "acronym", "region_id", "slug"):
            by_key.setdefault(organisation.acronym or organisation.name, organisation)
            by_key.setdefault(organisation.name, organisation)
        return by_key

    def seed_tables(self, organisations):
        created = []
        for slug, spec in TABLES.items():
            if Table.objects.filter(slug=slug).exists():
                continue
            region = self.people.regions[spec.region]
            founded = spec.founded or self.today - timedelta(days=460)
            table = Table.objects.create(
                name=spec.name,
                slug=slug,
                acronym=spec.acronym,
                kind=spec.kind,
                scope=Table.Scope.MULTISECTORAL,
                region=region,
                territory=region.name,
                theme=spec.theme,
                founded=founded,
                coordinating_organisation=organisations[spec.coordinating],
                visibility=spec.visibility,
                mandate=f"Concerter les acteurs de la région : {spec.name}.",
            )
            GovernanceRules.objects.create(
                table=table, version=1, effective_from=founded, quorum_percent=50, notice_days=10
            )
            coordinator = self.people.person(
                organisations[spec.coordinating], job_title="Coordination de la table"
            )
            Coordinator.objects.create(table=table, person=coordinator, since=founded)
            for key in spec.members:
                self.people.membership(table, organisations[key], founded, substitute=False)
            created.append((table, coordinator, spec))
        return created

    def seed_meetings(self, table, coordinator, spec):
        """Meetings every `cadence_days` for up to two years, then the next two. The first
        meeting is planned through the service; the others copy its standard agenda in
        bulk, because two hundred meetings through the service (some twenty queries each)
        would take the seeding from seconds to most of a minute."""
        members = list(table.memberships.active().prefetch_related("delegations").order_by("pk"))
        day = max(table.founded, self.today - timedelta(days=730)) + timedelta(days=7)
        days = []
        while day < self.today - timedelta(days=3):
            days.append(day)
            day += timedelta(days=spec.cadence_days)
        length = timedelta(minutes=int(spec.hours * 60))
        template = self._meeting(table, coordinator, days[0], length)
        items = list(template.items.all())
        meetings = Meeting.objects.bulk_create(
            Meeting(
                table=table,
                title=self.rng.choice(MEETING_TITLES),
                starts_at=self._at(other),
                ends_at=self._at(other) + length,
                place=template.place,
                status=Meeting.Status.HELD,
                proposals_deadline=self._at(other) - timedelta(days=13),
                convened_at=self._at(other) - timedelta(days=10),
                created_by=coordinator,
            )
            for other in days[1:]
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                standard=item.standard,
                title=item.title,
                kind=item.kind,
                duration_minutes=item.duration_minutes,
                position=item.position,
                status=item.status,
            )
            for meeting in meetings
            for item in items
        )
        Meeting.objects.filter(pk=template.pk).update(status=Meeting.Status.HELD)
        if spec.records_attendance:
            self._attendance([template, *meetings], members)
        for ahead in (day, day + timedelta(days=spec.cadence_days)):
            self._meeting(table, coordinator, max(ahead, self.today + timedelta(days=2)), length)

    def seed_clash(self, created):
        """Four tables of one region meet the same Wednesday morning, two weeks from now:
        the organisations sitting on several of them are called to two places at once, as
        the regional view and each coordinator's meeting form now say."""
        if not created:
            return
        region = created[0][0].region_id
        same_region = [
            (table, coordinator) for table, coordinator, _spec in created if table.region_id == region
        ]
        day = self.today + timedelta(days=14)
        for table, coordinator in same_region[:4]:
            self._meeting(table, coordinator, day, timedelta(hours=2))

    def _at(self, day):
        day += timedelta(days=(2 - day.weekday()) % 7)  # on Wednesdays
        return timezone.make_aware(datetime.combine(day, time(9, 0)))

    def _meeting(self, table, coordinator, day, length):
        starts = self._at(day)
        return services.meeting_create(
            table=table,
            by=coordinator,
            title=self.rng.choice(MEETING_TITLES),
            starts_at=starts,
            ends_at=starts + length,
            place=f"Salle de réunion, {table.territory}",
        )

    def _attendance(self, meetings, members):
        rows = []
        for meeting in meetings:
            for membership in members:
                present = self.rng.random() < 0.85
                seat = next((d for d in membership.delegations.all() if d.end is None), None)
                rows.append(
                    Attendance(
                        meeting=meeting,
                        membership=membership,
                        response=Attendance.Response.PRESENT if present else Attendance.Response.ABSENT,
                        present=present,
                        attendee_id=seat.person_id if present and seat else None,
                        attendee_role=seat.role if present and seat else "",
                    )
                )
        Attendance.objects.bulk_create(rows)

    def seed_thresholds(self):
        for code, (tables, hours) in THRESHOLDS.items():
            RegionalSettings.objects.get_or_create(
                region=self.people.regions[code],
                defaults={"max_tables_per_organisation": tables, "max_hours_per_month": hours},
            )

    def seed_activities(self, organisations):
        if Activity.objects.exists():
            return
        regions = self.people.regions
        today = self.today

        def declarer(organisation):
            delegation = (
                Delegation.objects.filter(membership__organisation=organisation, end__isnull=True)
                .select_related("person")
                .first()
            )
            return delegation.person if delegation else None

        rows = [
            # Two regions recruit the same people in Montréal on the same days.
            (
                "QI",
                "03",
                "Mission de recrutement à Montréal : santé et services sociaux",
                Activity.Kind.RECRUITMENT_MISSION,
                "Personnes immigrantes formées en santé et services sociaux",
                "Montréal",
                40,
                42,
            ),
            (
                "ICI",
                "12",
                "Mission Chaudière-Appalaches à Montréal",
                Activity.Kind.RECRUITMENT_MISSION,
                "Personnes immigrantes formées en santé",
                "montreal, QC",
                41,
                41,
            ),
            # Same days and place, another audience: no conflict.
            (
                "AIP",
                "03",
                "Journée Portneuf à Montréal",
                Activity.Kind.RECRUITMENT_MISSION,
                "Familles intéressées par la vie en région",
                "Montréal",
                41,
                41,
            ),
            (
                "EER",
                "06",
                "Salon de l'emploi en région",
                Activity.Kind.JOB_FAIR,
                "Personnes immigrantes de Montréal prêtes à s'établir en région",
                "Palais des congrès de Montréal",
                55,
                56,
            ),
            (
                "CRÉCN",
                "03",
                "Forum régional sur l'attraction de la main-d'œuvre",
                Activity.Kind.FORUM,
                "Employeurs et organismes de la région",
                "Québec",
                20,
                20,
            ),
            (
                "SQ-CA",
                "12",
                "Séance d'information sur l'emploi en Beauce",
                Activity.Kind.INFORMATION_SESSION,
                "Personnes nouvellement arrivées",
                "Montréal",
                12,
                12,
            ),
            (
                "ICI",
                "12",
                "Mission de recrutement du printemps",
                Activity.Kind.RECRUITMENT_MISSION,
                "Travailleuses et travailleurs de la transformation alimentaire",
                "Montréal",
                -95,
                -94,
            ),
        ]
        for key, region, title, kind, audience, place, starts, ends in rows:
            organisation = organisations[key]
            Activity.objects.create(
                region=regions[region],
                organisation=organisation,
                title=title,
                kind=kind,
                audience=audience,
                place=place,
                starts=today + timedelta(days=starts),
                ends=today + timedelta(days=ends),
                description="Activité déclarée au calendrier régional partagé.",
                declared_by=declarer(organisation),
            )

    @transaction.atomic
    def seed(self):
        organisations = self.organisations()
        created = self.seed_tables(organisations)
        for table, coordinator, spec in created:
            self.seed_meetings(table, coordinator, spec)
        self.seed_clash(created)
        self.seed_thresholds()
        self.seed_activities(organisations)
        if created:
            self.out(f"Regional view: {len(created)} more tables in Capitale-Nationale and Montréal.")
        else:
            self.out("Regional tables already present.")


def seed_regional(out=None):
    """More tables across three regions sharing members, and declared activities."""
    RegionalSeeder(out=out).seed()
