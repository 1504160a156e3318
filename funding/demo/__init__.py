"""Demo funding data: on the TRCI of the Capitale-Nationale, a closed call whose funded
projects report and receive their tranches, and an open call with applications in every
state (one draft blocked by a partner that has not answered yet).

Everything goes through the services, as people would do it, by the people who would do
it (each partner confirms for itself); the closed call is then moved back in time. No
email leaves: the demo people are fictitious.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.models import Delegation, Organisation
from projects import services as project_services
from projects.emails import silenced
from projects.models import BudgetLine, Partnership, PartnershipAnswer, Project, ProjectComment
from tables.models import ActionPlan, Minutes, Objective, Table

from .. import services
from ..conflicts import excluded_automatically
from ..models import (
    Application,
    ApplicationVersion,
    AuditEntry,
    Funder,
    FunderStaff,
    FundingCall,
    Report,
    ReviewAssignment,
    Status,
    Tranche,
)
from .data import CLOSED_CALL, CLOSED_PROJECTS, OPEN_CALL, OPEN_PROJECTS, REPORT_TEXT

MANAGER = ("gestion.mifi@concertation.demo", "Martin", "Fortin")
# A tiny but genuine PDF, for the letters of commitment.
LETTER = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_funding(out=None):
    """Create the demo calls and projects (idempotent)."""
    from tables.demo import MAIN_SLUG

    out = out or (lambda message: None)
    table = Table.objects.filter(slug=MAIN_SLUG).first()
    if table is None:
        out("Funding demo skipped: the demo table is missing.")
        return
    if FundingCall.objects.filter(table=table, title=OPEN_CALL["title"]).exists():
        out("Demo funding already present.")
        return
    with silenced(), transaction.atomic():
        FundingSeeder(table, out).run()


class FundingSeeder:
    def __init__(self, table, out):
        self.table = table
        self.out = out
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.orgs = {o.acronym or o.name: o for o in Organisation.objects.all()}
        self.coordinator = table.coordinators.select_related("person").first().person
        self.objectives = {
            o.number: o
            for o in Objective.objects.filter(
                axis__plan__table=table,
                axis__plan__status__in=[ActionPlan.Status.ADOPTED, ActionPlan.Status.IN_PROGRESS],
            )
        }
        self.region = table.region

    # People ----------------------------------------------------------------------------------

    def delegate(self, key):
        organisation = self.orgs[key]
        delegation = (
            Delegation.objects.active()
            .filter(membership__table=self.table, membership__organisation=organisation)
            .order_by("role", "start")
            .select_related("person")
            .first()
        )
        return delegation.person

    def manager(self):
        from tables.demo import DemoSeeder

        email, first, last = MANAGER
        person = DemoSeeder(out=self.out).person(
            self.orgs["MIFI"],
            email=email,
            first_name=first,
            last_name=last,
            job_title="Responsable du Programme d'appui aux collectivités",
        )
        FunderStaff.objects.get_or_create(
            funder=self.orgs["MIFI"].funder, person=person, defaults={"role": FunderStaff.Role.MANAGER}
        )
        return person

    # Calls -----------------------------------------------------------------------------------

    def call(self, spec, *, opens_ago=30, closes_in, decision_by_resolution, max_per_lead):
        by = self.coordinator
        call = services.call_create(
            table=self.table,
            by=by,
            title=spec["title"],
            description=spec["description"],
            envelope=Decimal(sum(amount for _key, amount in spec["funders"])),
            opens_at=self.now - timedelta(days=opens_ago),
            closes_at=self.now + timedelta(days=closes_in),
            min_partners=2,
            min_sectors=2,
            max_applications_per_lead=max_per_lead,
            max_request=Decimal(spec["max_request"]),
            max_request_share=spec["max_request_share"],
            partners_must_be_members=True,
            decision_by_resolution=decision_by_resolution,
            regions=[self.region],
            objectives=[self.objectives[n] for n in spec["objectives"] if n in self.objectives],
        )
        services.call_set_shares(
            call=call,
            shares=[
                (Funder.objects.get(organisation=self.orgs[key]), Decimal(amount))
                for key, amount in spec["funders"]
            ],
            by=by,
        )
        services.call_set_criteria(
            call=call,
            criteria=[{"title": t, "weight": w, "guidance": g} for t, w, g in spec["criteria"]],
            by=by,
        )
        if spec.get("documents"):
            services.call_set_documents(
                call=call,
                documents=[
                    {"name": n, "description": d, "mandatory": m, "from_each_partner": e}
                    for n, d, m, e in spec["documents"]
                ],
                by=by,
            )
        # The demo members are not emailed about the call.
        FundingCall.objects.filter(pk=call.pk).update(members_notified_at=self.now)
        return services.call_publish(call=call, by=by)

    # Projects --------------------------------------------------------------------------------

    def project(self, call, spec) -> Application:
        lead_person = self.delegate(spec["lead"])
        project = project_services.project_start(
            call=call, lead=self.orgs[spec["lead"]], title=spec["title"], by=lead_person
        )
        project = project_services.project_update(
            project=project,
            expected_version=project.version,
            by=lead_person,
            summary=spec["summary"],
            needs=spec["needs"],
            target_population=spec["target"],
            territory=spec["territory"],
            starts=self.today + timedelta(days=75),
            ends=self.today + timedelta(days=440),
            activities=spec["activities"],
            deliverables=spec["deliverables"],
            regions=[self.region],
            objectives=[self.objectives[n] for n in spec["objectives"] if n in self.objectives],
        )
        for kind, name, unit, target in spec["indicators"]:
            project_services.indicator_add(
                project=project, kind=kind, name=name, unit=unit, target=Decimal(target), by=lead_person
            )
        documents = list(call.required_documents.filter(mandatory=True, from_each_partner=False))
        contributions = Decimal("0")
        for key, role, cash, in_kind, what in spec["partners"]:
            partnership = project_services.partner_invite(
                project=project,
                organisation=self.orgs[key],
                by=lead_person,
                role=role,
                cash=Decimal(cash),
                in_kind=Decimal(in_kind),
                in_kind_description=what,
                message="Nous aimerions beaucoup bâtir ce projet avec vous.",
            )
            if key in spec.get("waiting", ()):
                continue
            partner_person = self.delegate(key)
            # Each partner sends its own letter of support with its confirmation.
            project_services.partner_answer(
                partnership=partnership,
                by=partner_person,
                confirm=True,
                expected_version=partnership.version,
                note="Notre conseil d'administration a approuvé cette contribution.",
                letter=SimpleUploadedFile(f"engagement-{self.orgs[key].slug}.pdf", LETTER, "application/pdf"),
            )
            contributions += Decimal(cash) + Decimal(in_kind)
        for document in documents:
            project_services.attachment_add(
                project=project,
                upload=SimpleUploadedFile(f"document-{project.pk}.pdf", LETTER, "application/pdf"),
                title=document.name,
                by=lead_person,
                required_document=document,
                organisation=project.lead,
            )
        self.budget(project, spec, call, contributions, lead_person)
        application = project.applications.get(call=call)
        application.lead_person = lead_person
        return application

    def budget(self, project, spec, call, contributions, by):
        lead = self.orgs[spec["lead"]]
        requested = Decimal(spec["requested"])
        project_services.budget_line_save(
            project=project,
            by=by,
            organisation=lead,
            category=BudgetLine.Category.STAFF,
            description="Coordination et animation du projet",
            nature=BudgetLine.Nature.CASH,
            source=BudgetLine.Source.REQUESTED,
            amount=requested,
        )
        for key, _role, cash, in_kind, what in spec["partners"]:
            if key in spec.get("waiting", ()):
                continue
            if cash:
                project_services.budget_line_save(
                    project=project,
                    by=by,
                    organisation=self.orgs[key],
                    category=BudgetLine.Category.ACTIVITIES,
                    description="Contribution financière aux activités",
                    nature=BudgetLine.Nature.CASH,
                    source=BudgetLine.Source.CONTRIBUTION,
                    amount=Decimal(cash),
                )
            if in_kind:
                project_services.budget_line_save(
                    project=project,
                    by=by,
                    organisation=self.orgs[key],
                    category=BudgetLine.Category.STAFF,
                    description=what,
                    nature=BudgetLine.Nature.IN_KIND,
                    source=BudgetLine.Source.CONTRIBUTION,
                    amount=Decimal(in_kind),
                )
        # The lead's own share completes the budget so the request stays within the call's limit.
        needed = requested * 100 / call.max_request_share - requested - contributions
        own = max(Decimal("2000"), (needed / 500).quantize(Decimal("1")) * 500 + 1000)
        project_services.budget_line_save(
            project=project,
            by=by,
            organisation=lead,
            category=BudgetLine.Category.ADMINISTRATION,
            description="Gestion, locaux et communications de l'organisme porteur",
            nature=BudgetLine.Nature.CASH,
            source=BudgetLine.Source.CONTRIBUTION,
            amount=own,
        )

    # Reviews ---------------------------------------------------------------------------------

    def review(self, application, reviewer, total, comment):
        if excluded_automatically(reviewer, application):
            return
        services.declaration_record(
            reviewer=reviewer, application=application, has_conflict=False, by=reviewer.person
        )
        criteria = list(application.call.criteria.all())
        scores = {}
        for index, criterion in enumerate(criteria):
            # Reviewers rarely agree to the point: a small, repeatable difference per person.
            jitter = ((reviewer.pk * 7 + index * 3) % 5 - 2) * 0.35
            scores[criterion.pk] = (max(0, min(5, round(total / 20 + jitter))), "")
        services.review_save(
            reviewer=reviewer,
            application=application,
            by=reviewer.person,
            expected_version=1,
            comment=comment,
            scores=scores,
            submit=True,
        )

    def to_review(self, application):
        application = services.application_submit(application=application, by=application.lead_person)
        for step in (Status.ELIGIBILITY, Status.IN_REVIEW):
            application = services.application_transition(
                application=application, to=step, by=self.coordinator
            )
        return application

    # The calls, their projects and what became of them ---------------------------------------

    def run(self):
        manager = self.manager()
        evaluator = FunderStaff.objects.get(
            funder=self.orgs["MIFI"].funder, role=FunderStaff.Role.EVALUATOR
        ).person
        self.closed_call(manager, evaluator)
        self.open_call(evaluator)
        self.out(
            "Funding: a closed call with funded projects and reports, an open call with applications in "
            "every state."
        )

    def closed_call(self, manager, evaluator):
        call = self.call(CLOSED_CALL, closes_in=30, decision_by_resolution=False, max_per_lead=1)
        reviewers = [
            services.reviewer_add(call=call, person=evaluator, by=self.coordinator),
            services.reviewer_add(call=call, person=self.delegate("CIUSSS-CN"), by=self.coordinator),
        ]
        funded = []
        for spec, scores in zip(CLOSED_PROJECTS, [(86, 80), (90, 84), (78, 74), (61, 58)], strict=True):
            application = self.project(call, spec)
            lead_person = application.lead_person
            application = self.to_review(application)
            for reviewer, total in zip(reviewers, scores, strict=True):
                self.review(application, reviewer, total, "Partenariat crédible; indicateurs à préciser.")
            application = services.application_transition(
                application=application, to=Status.RECOMMENDED, by=self.coordinator
            )
            if spec["fate"] == "refused":
                services.application_decide(
                    application=application,
                    by=manager,
                    funded=False,
                    note=(
                        "Projet pertinent, mais l'enveloppe ne permettait pas de le retenir après les trois "
                        "projets mieux classés."
                    ),
                )
                continue
            application = services.application_decide(
                application=application,
                by=manager,
                funded=True,
                amount=Decimal(spec["award"]),
                conditions=(
                    "Transmettre les rapports aux dates prévues; mentionner le soutien du MIFI et de la "
                    "Ville de Québec."
                ),
            )
            application = services.application_transition(
                application=application, to=Status.IN_PROGRESS, by=lead_person
            )
            funded.append((application, spec, lead_person))
        self.reports(funded, manager)
        self.move_back(call, days=330)

    def reports(self, funded, manager):
        """Progress reports written, accepted and paid, one late; one project closed. Each
        event is dated when it would have happened."""
        today, now = self.today, self.now
        for application, spec, lead_person in funded:
            project = application.project
            Project.objects.filter(pk=project.pk).update(
                starts=today - timedelta(days=300), ends=today + timedelta(days=60)
            )
            progress = application.reports.get(kind=Report.Kind.PROGRESS)
            final = application.reports.get(kind=Report.Kind.FINAL)
            Report.objects.filter(pk=progress.pk).update(due_on=today - timedelta(days=150))
            Report.objects.filter(pk=final.pk).update(due_on=today + timedelta(days=120))
            Tranche.objects.filter(application=application, number=1).update(
                planned_on=today - timedelta(days=310)
            )
            Tranche.objects.filter(application=application, number=2).update(
                planned_on=today - timedelta(days=140)
            )
            Tranche.objects.filter(application=application, number=3).update(
                planned_on=today + timedelta(days=130)
            )
            self.release(application, 1, manager, now - timedelta(days=300))
            if spec["fate"] == "in_progress_late":
                # Its progress report is late: due a few weeks ago, still not sent. The lead
                # drafted what the partners provided; one partner confirmed, the other not yet.
                Report.objects.filter(pk=progress.pk).update(due_on=today - timedelta(days=20))
                self.write_report(
                    application,
                    Report.objects.get(pk=progress.pk),
                    lead_person,
                    share=Decimal("0.5"),
                    at=None,
                    confirmed=1,
                )
                continue
            self.write_report(
                application, progress, lead_person, share=Decimal("0.5"), at=now - timedelta(days=151)
            )
            services.report_accept(report=Report.objects.get(pk=progress.pk), by=manager)
            self.stamp(application, now - timedelta(days=141), report=progress, field="accepted_at")
            self.release(application, 2, manager, now - timedelta(days=135))
            if spec["fate"] == "closed":
                Project.objects.filter(pk=project.pk).update(ends=today - timedelta(days=40))
                Report.objects.filter(pk=final.pk).update(due_on=today - timedelta(days=5))
                final = Report.objects.get(pk=final.pk)
                self.write_report(
                    application, final, lead_person, share=Decimal("1"), at=now - timedelta(days=7)
                )
                services.report_accept(report=Report.objects.get(pk=final.pk), by=manager)
                self.stamp(application, now - timedelta(days=4), report=final, field="accepted_at")
                self.release(application, 3, manager, now - timedelta(days=3))
                services.application_transition(application=application, to=Status.CLOSED, by=manager)
                self.stamp(application, now - timedelta(days=2))

    def release(self, application, number, manager, at):
        tranche = services.tranche_release(tranche=application.tranches.get(number=number), by=manager)
        Tranche.objects.filter(pk=tranche.pk).update(released_at=at)
        self.stamp(application, at)

    def stamp(self, application, at, *, report=None, field=None):
        """Date the application's latest audit entry (and a report's field) at `at`."""
        entry = AuditEntry.objects.filter(application=application).order_by("-pk").first()
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=at)
        if report is not None:
            Report.objects.filter(pk=report.pk).update(**{field: at})

    def write_report(self, application, report, lead_person, *, share, at, confirmed=None):
        """The lead writes the report (submitted when `at` is given, a draft otherwise);
        then each partner's own delegate confirms what it provided (the first `confirmed`
        of them, or all)."""
        project = application.project
        indicators = {i.pk: ((i.target or 0) * share * Decimal("0.9"), "") for i in project.indicators.all()}
        partnerships = list(
            Partnership.objects.confirmed().filter(project=project).select_related("organisation")
        )
        delivered = {p.pk: (p.cash * share, p.in_kind * share, "") for p in partnerships}
        report = services.report_save(
            report=report,
            by=lead_person,
            expected_version=report.version,
            indicator_values=indicators,
            contributions=delivered,
            submit=at is not None,
            **REPORT_TEXT,
        )
        report.application = application
        for partnership in partnerships[:confirmed]:
            key = next(k for k, o in self.orgs.items() if o.pk == partnership.organisation_id)
            services.report_contribution_confirm(
                report=report,
                partnership=partnership,
                by=self.delegate(key),
                cash=partnership.cash * share,
                in_kind=partnership.in_kind * share,
                note="Confirmé par notre direction.",
            )
        if at is not None:
            self.stamp(application, at, report=report, field="submitted_at")

    def move_back(self, call, *, days):
        """The closed call happened long ago: shift its dates, its submissions and its log."""
        shift = timedelta(days=days)
        FundingCall.objects.filter(pk=call.pk).update(
            opens_at=F("opens_at") - shift - timedelta(days=60),
            closes_at=self.now - shift - timedelta(days=30),
            published_at=F("published_at") - shift - timedelta(days=60),
        )
        applications = Application.objects.filter(call=call)
        applications.update(submitted_at=F("submitted_at") - shift - timedelta(days=40))
        applications.exclude(decided_at=None).update(decided_at=F("decided_at") - shift)
        applications.exclude(conditions_accepted_at=None).update(
            conditions_accepted_at=F("conditions_accepted_at") - shift + timedelta(days=10)
        )
        ApplicationVersion.objects.filter(application__call=call).update(
            submitted_at=F("submitted_at") - shift - timedelta(days=40)
        )
        # What happened during the follow-up is dated already (see `reports`): only what was
        # recorded just now moves.
        AuditEntry.objects.filter(call=call, created_at__gte=self.now - timedelta(hours=1)).update(
            created_at=F("created_at") - shift
        )
        partnerships = Partnership.objects.filter(project__applications__call=call)
        partnerships.update(answered_at=F("answered_at") - shift - timedelta(days=50))
        PartnershipAnswer.objects.filter(partnership__in=partnerships).update(
            at=F("at") - shift - timedelta(days=50)
        )

    def open_call(self, evaluator):
        resolution = self.resolution()
        call = self.call(
            OPEN_CALL,
            opens_ago=120,
            closes_in=45,
            decision_by_resolution=resolution is not None,
            max_per_lead=2,
        )
        evaluator_reviewer = services.reviewer_add(call=call, person=evaluator, by=self.coordinator)
        health = services.reviewer_add(call=call, person=self.delegate("CIUSSS-CN"), by=self.coordinator)
        university = services.reviewer_add(call=call, person=self.delegate("UL"), by=self.coordinator)
        for spec in OPEN_PROJECTS:
            application = self.project(call, spec)
            lead_person = application.lead_person
            fate = spec["fate"]
            if fate in {"draft", "draft_ready"}:
                continue
            if fate == "submitted":
                services.application_submit(application=application, by=lead_person)
                continue
            if fate == "withdrawn":
                application = services.application_submit(application=application, by=lead_person)
                services.application_transition(
                    application=application,
                    to=Status.WITHDRAWN,
                    by=lead_person,
                    note=(
                        "Nous retirons la demande : la halte-garderie sera financée par le ministère de la "
                        "Famille."
                    ),
                )
                continue
            if fate == "eligibility":
                application = services.application_submit(application=application, by=lead_person)
                services.application_transition(
                    application=application, to=Status.ELIGIBILITY, by=self.coordinator
                )
                continue
            if fate == "ineligible":
                application = services.application_submit(application=application, by=lead_person)
                application = services.application_transition(
                    application=application, to=Status.ELIGIBILITY, by=self.coordinator
                )
                services.application_transition(
                    application=application, to=Status.INELIGIBLE, by=self.coordinator, note=spec["note"]
                )
                continue
            application = self.to_review(application)
            if fate == "in_review":
                self.review(
                    application,
                    health,
                    76,
                    (
                        "Bon ancrage dans les entreprises; la participation des personnes immigrantes est à "
                        "préciser."
                    ),
                )
                continue
            totals = {
                "recommended": (82, 68),
                "not_recommended": (45, 52),
                "funded": (88, 79),
                "refused": (60, 55),
                "in_progress": (85, 80),
            }[fate]
            self.review(
                application,
                evaluator_reviewer,
                totals[0],
                "Projet clair, partenaires engagés, cibles réalistes.",
            )
            if fate == "recommended":
                services.declaration_record(
                    reviewer=university,
                    application=application,
                    has_conflict=True,
                    details="Je siège au conseil d'administration du Cégep Garneau, partenaire du projet.",
                    by=university.person,
                )
            for reviewer in (health, university):
                if not application.declarations.filter(reviewer=reviewer).exists():
                    self.review(
                        application,
                        reviewer,
                        totals[1],
                        "Pertinent; le budget pourrait mieux détailler les contributions en nature.",
                    )
            to = Status.NOT_RECOMMENDED if fate == "not_recommended" else Status.RECOMMENDED
            application = services.application_transition(application=application, to=to, by=self.coordinator)
            if fate in {"recommended", "not_recommended"}:
                continue
            if fate == "refused":
                services.application_decide(
                    application=application,
                    by=self.coordinator,
                    funded=False,
                    note=spec["note"],
                    resolution=resolution,
                )
                continue
            application = services.application_decide(
                application=application,
                by=self.coordinator,
                funded=True,
                amount=Decimal(spec["award"]),
                conditions=spec["conditions"],
                resolution=resolution,
            )
            if fate == "in_progress":
                services.application_transition(
                    application=application, to=Status.IN_PROGRESS, by=lead_person
                )
        self.assign_reviews(call)
        self.comments()

    def assign_reviews(self, call):
        """The applications still to review go to two reviewers each, as the balance
        helper proposes, due in three weeks; one reviewer is behind on one of them."""
        from .. import assignments

        assignments.call_review_due_set(
            call=call, due_on=timezone.localdate() + timedelta(days=21), by=self.coordinator
        )
        proposal = assignments.assignments_propose(call=call, per_application=2)
        if not proposal.pairs:
            return
        made = assignments.assignments_create(
            call=call,
            pairs=[(application.pk, reviewer.pk) for application, reviewer in proposal.pairs],
            due_on=None,
            by=self.coordinator,
        )
        # A date in the past cannot be given; the demo shows what a late review looks like.
        late = next((a for a in made if a.application.status == Status.IN_REVIEW), None)
        if late is not None:
            ReviewAssignment.objects.filter(pk=late.pk).update(
                due_on=timezone.localdate() - timedelta(days=3)
            )

    def resolution(self):
        """The committee's decisions are adopted by a resolution at the last meeting whose
        minutes are still open; without one, the funders decide."""
        from tables import services as table_services

        minutes = (
            Minutes.objects.filter(
                meeting__table=self.table, status__in=[Minutes.Status.DRAFT, Minutes.Status.CIRCULATED]
            )
            .select_related("meeting")
            .order_by("-meeting__starts_at")
            .first()
        )
        if minutes is None:
            return None
        return table_services.resolution_record(
            meeting=minutes.meeting,
            by=self.coordinator,
            text=(
                "Il est résolu d'accepter les recommandations du comité de sélection de l'appel de "
                "projets en partenariat 2026-2027 et de financer les projets retenus pour les montants "
                "indiqués."
            ),
            # The main table's rules in force decide by consent.
            mode="consent",
            result="consent",
        )

    def comments(self):
        project = Project.objects.get(title=OPEN_PROJECTS[0]["title"], table=self.table)
        for key, text in (
            (
                "CMQ",
                (
                    "J'ai relancé l'OMHQ : leur direction doit confirmer la contribution de l'intervenante "
                    "mardi."
                ),
            ),
            (
                "Ville de Québec",
                "Les salles des bibliothèques sont réservées pour les jeudis soir à partir de janvier.",
            ),
        ):
            project_services.comment_add(
                project=project, by=self.delegate(key), text=text, organisation_id=self.orgs[key].pk
            )
        # The partners' drafts stay recent; nothing to move.
        ProjectComment.objects.filter(project=project).update(created_at=F("created_at") - timedelta(days=2))
