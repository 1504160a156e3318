"""Demo meetings: two years of a table's life — agendas whose ownership moves from the
coordination to the members, attendance, adopted minutes with numbered resolutions,
follow-ups (some overdue) — and an upcoming convened meeting with members' proposals."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Delegation
from members.services.notifications import without_email

from .. import services
from ..models import (
    AgendaItem,
    Attendance,
    ConvocationDelivery,
    FollowUp,
    Meeting,
    Minutes,
    MinutesNote,
    Resolution,
    StandardItem,
)

TOPICS = [
    ("Portrait statistique de l'immigration dans la Capitale-Nationale", "information", "networking"),
    ("Retour sur la mission de recrutement à Montréal", "information", "coherence"),
    ("Francisation des travailleuses et travailleurs temporaires", "discussion", "coherence"),
    ("Accès au logement pour les personnes nouvellement arrivées", "discussion", "influence"),
    ("Projet commun de jumelage interculturel en entreprise", "decision", "collective_projects"),
    ("Stratégie d'attraction dans Portneuf et Charlevoix", "consultation", "collective_projects"),
    ("Reconnaissance des acquis et des compétences", "discussion", "influence"),
    ("Semaine québécoise des rencontres interculturelles", "information", "networking"),
    ("Intégration des familles : services de garde et école", "consultation", "coherence"),
    ("Consultation du MIFI sur la planification pluriannuelle", "consultation", "influence"),
    ("Partage d'initiatives des membres", "information", "networking"),
    ("Formation sur l'approche interculturelle", "information", "capacity_building"),
    ("Calendrier régional des activités de recrutement", "decision", "coherence"),
    ("Appel de projets en partenariat : bilan et suites", "decision", "collective_projects"),
    ("Régionalisation : arrimage avec Emplois en régions", "discussion", "coherence"),
    ("Position commune sur le financement de l'accueil", "decision", "influence"),
]
NOTES = [
    "Les membres échangent sur les constats présentés. Plusieurs soulignent l'importance d'arrimer les "
    "services d'accueil et d'emploi, en particulier hors de la ville de Québec.",
    "La présentation suscite de nombreuses questions sur les délais d'accès aux services. Les membres "
    "conviennent de documenter les situations vécues d'ici la prochaine rencontre.",
    "Tour de table : chaque organisation présente ses actions en cours. Des collaborations possibles sont "
    "relevées entre les organismes communautaires et les employeurs présents.",
    "Le comité de travail présente sa proposition. Après discussion, les membres s'entendent sur les "
    "grandes orientations et demandent un budget détaillé.",
]
DECISIONS = [
    "Il est résolu de mandater le comité emploi pour préparer, avec les organisations intéressées, une "
    "proposition de projet commun à soumettre au prochain appel de projets.",
    "Il est résolu d'adopter le calendrier régional des activités de recrutement et d'inviter chaque "
    "membre à y inscrire ses missions à l'avance.",
    "Il est résolu de transmettre au ministère la position commune de la Table sur le financement des "
    "services d'accueil, telle que présentée.",
    "Il est résolu de tenir une journée de coconstruction du prochain plan d'action avec l'ensemble "
    "des membres.",
]
FOLLOW_UPS = [
    "Transmettre aux membres la présentation et les données du portrait régional",
    "Préparer un budget détaillé du projet commun avec les partenaires",
    "Inscrire les missions de recrutement de l'automne au calendrier régional",
    "Rédiger la lettre de position et la faire circuler pour commentaires",
    "Documenter les situations d'accès au logement vécues par les familles",
]
PROPOSALS = [
    ("Projet de parrainage professionnel avec les employeurs de Portneuf", "decision", "collective_projects"),
    ("Portrait des besoins en francisation hors Québec", "discussion", "coherence"),
    ("Invitation au forum régional sur la main-d'œuvre", "information", "networking"),
]


class MeetingSeeder:
    def __init__(self, rng=None, out=None):
        self.rng = rng or random.Random(42)
        self.out = out or (lambda message: None)

    def _at(self, day, hour):
        return timezone.make_aware(datetime.combine(day, time(hour, 0)))

    def _meeting(self, table, day, title, coordinator, **fields):
        return services.meeting_create(
            table=table,
            by=coordinator,
            title=title,
            starts_at=self._at(day, 9),
            ends_at=self._at(day, 12),
            place="Salle du conseil, 1130 route de l'Église, Québec",
            online_url="https://reunions.example.org/trci",
            secretary=coordinator,
            **fields,
        )

    def _items(self, meeting, members, member_share):
        for title, kind, role in self.rng.sample(TOPICS, self.rng.randint(3, 5)):
            proposer = self.rng.choice(members).organisation if self.rng.random() < member_share else None
            item = services.item_add(
                meeting=meeting,
                by=None,
                title=title,
                kind=kind,
                table_role=role,
                duration_minutes=self.rng.choice([15, 20, 30]),
                presenter=proposer or self.rng.choice(members).organisation,
            )
            if proposer:
                AgendaItem.objects.filter(pk=item.pk).update(proposed_by_organisation=proposer)

    def _attendance(self, meeting, members):
        rows = []
        for membership in members:
            seats = [d for d in membership.delegations.all() if d.end is None]
            if seats and self.rng.random() < 0.78:
                seat = seats[0] if self.rng.random() < 0.8 or len(seats) == 1 else seats[1]
                rows.append(
                    Attendance(
                        meeting=meeting,
                        membership=membership,
                        response=Attendance.Response.PRESENT,
                        present=True,
                        attendee_id=seat.person_id,
                        attendee_role=seat.role,
                    )
                )
            else:
                rows.append(
                    Attendance(
                        meeting=meeting,
                        membership=membership,
                        response=Attendance.Response.ABSENT,
                        present=False,
                    )
                )
        Attendance.objects.bulk_create(rows)
        present = [row for row in rows if row.present]
        for row in present:
            row.membership = next(m for m in members if m.pk == row.membership_id)
        return present

    def _resolution(self, meeting, item, text, sequence, present, **extra):
        proposer, seconder = self.rng.sample(present, 2) if len(present) >= 2 else (None, None)
        return Resolution.objects.create(
            table=meeting.table,
            meeting=meeting,
            item=item,
            number=f"{meeting.date:%Y-%m}-{sequence:02d}",
            sequence=sequence,
            text=text,
            proposed_by=proposer.membership if proposer else None,
            seconded_by=seconder.membership if seconder else None,
            # Decided in the mode the rules in force provide (consent or consensus).
            **self._mode(meeting),
            voting_members=self.voting_count,
            quorum_required=self.quorum_required,
            quorum_present=sum(1 for row in present if row.membership.status == "voting"),
            **extra,
        )

    def _mode(self, meeting):
        cache = self.__dict__.setdefault("_modes", {})
        if meeting.pk not in cache:
            rules = meeting.rules()
            if rules is not None and rules.decision_mode == "consent":
                cache[meeting.pk] = {"mode": Resolution.Mode.CONSENT, "result": Resolution.Result.CONSENT}
            else:
                cache[meeting.pk] = {"mode": Resolution.Mode.CONSENSUS, "result": Resolution.Result.CONSENSUS}
        return cache[meeting.pk]

    def _rules_adoptions(self, table, sequences):
        """Each version of the rules that took effect while the demo's meetings ran names
        the resolution that adopted it, taken at the last meeting before it took effect."""
        for rules in table.rules_versions.filter(resolutions__isnull=True).order_by("version"):
            meeting = (
                table.meetings.filter(starts_at__date__lt=rules.effective_from, minutes__isnull=False)
                .order_by("-starts_at")
                .first()
            )
            if meeting is None:
                continue
            self._resolution(
                meeting,
                None,
                f"Il est résolu d'adopter la version {rules.version} des règles de fonctionnement de la "
                f"Table, en vigueur le {rules.effective_from:%Y-%m-%d}.",
                self._next(sequences, meeting),
                list(meeting.attendances.filter(present=True).select_related("membership").order_by("pk")),
                adopts_rules=rules,
            )

    def _next(self, sequences, meeting):
        month = meeting.date.strftime("%Y-%m")
        sequences[month] = sequences.get(month, 0) + 1
        return sequences[month]

    def _minutes(self, meeting, present, previous_minutes, sequences):
        minutes = Minutes.objects.create(
            meeting=meeting,
            status=Minutes.Status.DRAFT,
            opened_at=time(9, 5),
            closed_at=time(11, 50),
            chair=meeting.secretary,
        )
        for item in meeting.items.retained():
            MinutesNote.objects.create(
                minutes=minutes, item=item, text="" if item.standard else self.rng.choice(NOTES)
            )
            if item.standard == StandardItem.AGENDA_ADOPTION:
                text = "Il est résolu d'adopter l'ordre du jour tel que présenté."
                self._resolution(meeting, item, text, self._next(sequences, meeting), present)
            elif item.standard == StandardItem.MINUTES_ADOPTION and previous_minutes:
                date = previous_minutes.meeting.date.strftime("%Y-%m-%d")
                text = f"Il est résolu d'adopter le procès-verbal de la rencontre du {date} tel que présenté."
                resolution = self._resolution(
                    meeting,
                    item,
                    text,
                    self._next(sequences, meeting),
                    present,
                    adopts_minutes=previous_minutes,
                )
                Minutes.objects.filter(pk=previous_minutes.pk).update(
                    status=Minutes.Status.ADOPTED, adopted_at=meeting.starts_at, adopted_by=resolution
                )
                Meeting.objects.filter(pk=previous_minutes.meeting_id).update(status=Meeting.Status.CLOSED)
            elif item.kind == "decision" and not item.standard:
                text = self.rng.choice(DECISIONS)
                resolution = self._resolution(meeting, item, text, self._next(sequences, meeting), present)
                self._follow_up(meeting, item, resolution, present)
            elif not item.standard and self.rng.random() < 0.5:
                self._follow_up(meeting, item, None, present)
        return minutes

    def _follow_up(self, meeting, item, resolution, present):
        due = meeting.date + timedelta(days=self.rng.choice([21, 30, 45, 60]))
        done = due < timezone.localdate() - timedelta(days=30) and self.rng.random() < 0.85
        FollowUp.objects.create(
            table=meeting.table,
            meeting=meeting,
            item=item,
            resolution=resolution,
            description=self.rng.choice(FOLLOW_UPS),
            organisation=self.rng.choice(present).membership.organisation if present else None,
            due=due,
            status=FollowUp.Status.DONE if done else FollowUp.Status.OPEN,
            done_at=timezone.make_aware(datetime.combine(due, time(12))) if done else None,
        )

    @transaction.atomic
    def seed_table(self, table, coordinator, *, past=16, cadence_days=42, upcoming=True):
        """`past` meetings every `cadence_days` up to last month, with minutes adopted at the
        next meeting (the last ones are circulated), then an upcoming convened meeting and a
        planned one."""
        if table.meetings.exists():
            return
        members = list(
            table.memberships.active()
            .select_related("organisation")
            .prefetch_related("delegations")
            .order_by("pk")
        )
        rules = table.rules_on()
        self.voting_count = sum(1 for m in members if m.status == "voting")
        self.quorum_required = rules.quorum_required(self.voting_count) if rules else 0
        today = timezone.localdate()
        first = today - timedelta(days=cadence_days * past + 20)
        previous_minutes, sequences = None, {}
        for n in range(past):
            day = first + timedelta(days=cadence_days * n)
            day += timedelta(days=(1 - day.weekday()) % 7)  # these tables meet on Tuesdays
            meeting = self._meeting(table, day, "Rencontre régulière de la Table", coordinator)
            # Ownership grows: the coordination wrote most early agendas, members most recent ones.
            self._items(meeting, members, member_share=0.15 + 0.6 * n / max(past - 1, 1))
            # One meeting was called at short notice; the members present waived the
            # notice of convocation, as its minutes record.
            urgent = n == past - 2
            notice = 3 if urgent else max(rules.notice_days if rules else 10, 10)
            Meeting.objects.filter(pk=meeting.pk).update(
                status=Meeting.Status.HELD, convened_at=meeting.starts_at - timedelta(days=notice)
            )
            meeting.refresh_from_db()
            present = self._attendance(meeting, members)
            previous_minutes = self._minutes(meeting, present, previous_minutes, sequences)
            if urgent:
                Minutes.objects.filter(pk=previous_minutes.pk).update(
                    notice_waived=True,
                    introduction="Rencontre convoquée trois jours d'avance pour répondre à temps à "
                    "l'appel de projets du ministère. Les membres présents renoncent à l'avis de "
                    "convocation.",
                )
        self._rules_adoptions(table, sequences)
        if previous_minutes:
            Minutes.objects.filter(pk=previous_minutes.pk).update(
                status=Minutes.Status.CIRCULATED,
                circulated_at=previous_minutes.meeting.ends_at + timedelta(days=5),
            )
        if upcoming:
            self._upcoming(table, coordinator, members, today)
        self.out(f"Meetings of {table.name}: {past} past, 2 upcoming.")

    def _upcoming(self, table, coordinator, members, today):
        day = today + timedelta(days=12)
        meeting = self._meeting(
            table,
            day,
            "Rencontre d'automne de la Table",
            coordinator,
            proposals_deadline=timezone.now() + timedelta(days=2),
        )
        self._items(meeting, members, member_share=0.7)
        delegates = {
            d.membership_id: d.person
            for d in Delegation.objects.active()
            .filter(role="delegate", membership__in=members)
            .select_related("person")
        }
        for (title, kind, role), membership in zip(PROPOSALS, self.rng.sample(members, 3), strict=False):
            services.item_propose(
                meeting=meeting,
                by=delegates.get(membership.pk),
                organisation=membership.organisation,
                title=title,
                kind=kind,
                table_role=role,
                duration_minutes=20,
                description="Proposé pour partager nos constats et explorer une action commune.",
            )
        first = meeting.items.proposals().order_by("pk").first()
        with without_email():
            services.proposal_decide(item=first, by=coordinator, decision=AgendaItem.Status.RETAINED)
        # Convened yesterday: recorded as sent, without sending demo emails.
        sent_at = timezone.now() - timedelta(days=1)
        Meeting.objects.filter(pk=meeting.pk).update(
            status=Meeting.Status.CONVENED,
            convened_at=sent_at,
            convened_by=coordinator,
            convocation_message="Au plaisir de vous voir en grand nombre.",
        )
        ConvocationDelivery.objects.bulk_create(
            ConvocationDelivery(
                meeting=meeting,
                person=person,
                membership_id=membership_id,
                email=person.email,
                status=ConvocationDelivery.Status.SENT,
                sent_at=sent_at,
            )
            for membership_id, person in delegates.items()
        )
        meeting.refresh_from_db()
        for membership in self.rng.sample(members, len(members) // 2):
            services.rsvp_record(
                meeting=meeting,
                membership=membership,
                by=delegates.get(membership.pk),
                response=self.rng.choice(["present", "present", "present", "substitute", "absent"]),
                via=Attendance.Via.EMAIL,
            )
        later = today + timedelta(days=75)
        services.meeting_create(
            table=table,
            by=coordinator,
            title="Journée de coconstruction du plan d'action",
            starts_at=self._at(later, 9),
            ends_at=self._at(later, 16),
            place="Centre des congrès de Québec",
        )
