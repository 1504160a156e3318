"""Calls, joint projects, reviews, decisions, follow-up and dashboards.

Call A is published and open on table A; its funder is the world's funder, whose
evaluator reviews it. Project A is led by org A (delegate A) with two other members of
table A as confirmed partners; org B joins it as a non-member partner in the partner
cases (delegate B works for it, and answers for it). Call B sits on private table B.
"""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from funding import services
from funding.models import Application, ReviewAssignment, Status
from projects import services as project_services
from projects.models import BudgetLine, Partnership
from tests.factories import UserFactory
from tests.funding.factories import (
    FundingCallFactory,
    PartnershipFactory,
    ready_application,
    resolution_of,
    review,
    reviewer_on,
    submit,
)

from . import (
    EVERYONE_200,
    LOGIN,
    MANAGE_A,
    MANAGE_A_POST,
    MANAGE_B,
    REDIRECT,
    SIGNED_IN_200,
    VIEW_B,
    Case,
    roles,
)


def _cached(w, key, build):
    """Build once per world; build again when a rolled-back savepoint took the row away
    (the fuzz test runs each page in one)."""
    made = w.__dict__.get(key)
    if made is not None and type(made).objects.filter(pk=made.pk).exists():
        made.refresh_from_db()
        return made
    made = w.__dict__[key] = build()
    return made


def call_a(w):
    return _cached(
        w,
        "_call_a",
        lambda: FundingCallFactory(table=w.table_a, funders=[w.funder], decision_by_resolution=True),
    )


def call_b(w):
    return _cached(w, "_call_b", lambda: FundingCallFactory(table=w.table_b, funders=[w.funder]))


def draft_call_a(w):
    return _cached(
        w, "_draft_call_a", lambda: FundingCallFactory(table=w.table_a, funders=[w.funder], published_at=None)
    )


def funders_call_a(w):
    """A call of table A whose decisions the funders take (not the table)."""
    return _cached(
        w,
        "_funders_call_a",
        lambda: FundingCallFactory(table=w.table_a, funders=[w.funder], decision_by_resolution=False),
    )


def draft_a(w) -> Application:
    return _cached(
        w, "_draft_a", lambda: ready_application(call_a(w), lead=w.org_a, lead_delegate=w.delegate_a)
    )


def submitted_a(w) -> Application:
    def build():
        application = draft_a(w)
        return submit(application, w.delegate_a)

    return _cached(w, "_submitted_a", build)


def in_review_a(w) -> Application:
    def build():
        application = submitted_a(w)
        for step in (Status.ELIGIBILITY, Status.IN_REVIEW):
            application = services.application_transition(application=application, to=step, by=w.coordinator)
        services.reviewer_add(call=call_a(w), person=w.evaluator, by=w.coordinator)
        return application

    return _cached(w, "_in_review_a", build)


def funded_a(w) -> Application:
    def build():
        application = in_review_a(w)
        reviewer = call_a(w).reviewers.get(person=w.evaluator)
        review(application, reviewer)
        application = services.application_transition(
            application=application, to=Status.RECOMMENDED, by=w.coordinator
        )
        return services.application_decide(
            application=application,
            by=w.coordinator,
            funded=True,
            amount=Decimal("30000"),
            resolution=resolution_of(w.table_a, by=w.coordinator),
        )

    return _cached(w, "_funded_a", build)


def withdrawn_a(w) -> Application:
    return _cached(
        w,
        "_withdrawn_a",
        lambda: services.application_transition(
            application=submitted_a(w), to=Status.WITHDRAWN, by=w.delegate_a
        ),
    )


def b_partnership(w) -> Partnership:
    """Org B, not a member of table A, invited to project A (delegate B works for it)."""
    return _cached(
        w,
        "_b_partnership",
        lambda: PartnershipFactory(
            project=draft_a(w).project,
            organisation=w.org_b,
            status=Partnership.Status.INVITED,
            answered_at=None,
        ),
    )


def b_funded_partnership(w) -> Partnership:
    """Org B, a confirmed partner of the funded project A (delegate B works for it)."""
    return _cached(
        w,
        "_b_funded_partnership",
        lambda: PartnershipFactory(
            project=funded_a(w).project, organisation=w.org_b, status=Partnership.Status.CONFIRMED
        ),
    )


def an_assignment(w) -> ReviewAssignment:
    """Project A in review, assigned to a second reviewer of call A, not yet reviewed."""

    def build():
        application = in_review_a(w)
        reviewer = reviewer_on(call_a(w))
        return ReviewAssignment.objects.create(
            application=application, reviewer=reviewer, due_on=application.call.closes_at.date()
        )

    return _cached(w, "_an_assignment", build)


def project(w, application=None):
    return {"pk": (application or draft_a(w)).project_id}


def an_attachment(w):
    upload = SimpleUploadedFile("appui.pdf", b"%PDF-1.4 lettre", content_type="application/pdf")
    return project_services.attachment_add(
        project=draft_a(w).project, upload=upload, title="Lettre d'appui", by=w.delegate_a
    )


def a_line(w, application=None):
    application = application or draft_a(w)
    return BudgetLine.objects.filter(project=application.project).first()


def of_call(w, application, **extra):
    return {"pk": application.call_id, "application": application.pk, **extra}


LEAD_ONLY = roles(404, anonymous=LOGIN, delegate_a=200, admin=403)
LEAD_ONLY_POST = roles(404, anonymous=LOGIN, delegate_a=REDIRECT, admin=403)
PROJECT_VIEW = roles(404, delegate_a=200, admin=200)
SUBMITTED_VIEW = roles(404, delegate_a=200, coordinator=200, admin=200)
SUBMITTED_LEAD_POST = roles(404, anonymous=LOGIN, delegate_a=REDIRECT, coordinator=403, admin=403)
DASHBOARD = roles(403, anonymous=LOGIN, coordinator=200, evaluator=200, admin=200)
# The call is visible (403 for those who may not manage it); the application is not (404).
HIDDEN = roles(403, anonymous=LOGIN, coordinator=404, admin=404)

CASES = [
    # Calls
    Case("funding:call-list", EVERYONE_200),
    Case("funding:call-create", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("funding:call-create", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("funding:call-detail", EVERYONE_200, lambda w: {"pk": call_a(w).pk}),
    # The world's evaluator works for call B's funder: they see it, and may not manage it.
    Case(
        "funding:call-detail", {**VIEW_B, "evaluator": 200}, lambda w: {"pk": call_b(w).pk}, label="private"
    ),
    Case(
        "funding:call-detail",
        roles(404, coordinator=200, admin=200),
        lambda w: {"pk": draft_call_a(w).pk},
        label="draft",
    ),
    Case("funding:call-update", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case(
        "funding:call-update", {**MANAGE_B, "evaluator": 403}, lambda w: {"pk": call_b(w).pk}, label="private"
    ),
    Case("funding:call-funders", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case("funding:call-criteria", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case("funding:call-documents", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case(
        "funding:call-publish",
        roles(404, anonymous=LOGIN, coordinator=REDIRECT, admin=REDIRECT),
        lambda w: {"pk": draft_call_a(w).pk},
        method="post",
    ),
    Case(
        "funding:call-publish",
        MANAGE_A_POST,
        lambda w: {"pk": call_a(w).pk},
        method="post",
        label="published",
    ),
    Case("funding:call-manage", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case(
        "funding:call-manage", {**MANAGE_B, "evaluator": 403}, lambda w: {"pk": call_b(w).pk}, label="private"
    ),
    Case("funding:call-reviewers", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case("funding:call-reviews-export", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case(
        "funding:call-reviews-export",
        MANAGE_A,
        lambda w: {"pk": call_a(w).pk},
        data=lambda w: {"format": "xlsx"},
        label="xlsx",
    ),
    Case("funding:call-assignments", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case(
        "funding:call-assignments",
        {**MANAGE_B, "evaluator": 403},
        lambda w: {"pk": call_b(w).pk},
        label="private",
    ),
    Case(
        "funding:assignment-remove",
        MANAGE_A_POST,
        lambda w: {"pk": call_a(w).pk, "assignment": an_assignment(w).pk},
        method="post",
    ),
    # The committee's comparison: the call's managers, and its reviewers (the evaluator,
    # once named on call A).
    Case(
        "funding:call-compare",
        {**MANAGE_A, "evaluator": 200},
        lambda w: (in_review_a(w), {"pk": call_a(w).pk})[1],
    ),
    Case(
        "funding:call-reviews-export",
        {**MANAGE_B, "evaluator": 403},
        lambda w: {"pk": call_b(w).pk},
        label="private",
    ),
    Case(
        "funding:reviewer-remove",
        MANAGE_A_POST,
        lambda w: {
            "pk": call_a(w).pk,
            "reviewer": services.reviewer_add(call=call_a(w), person=w.evaluator, by=None).pk,
        },
        method="post",
    ),
    Case("funding:call-decide", MANAGE_A, lambda w: {"pk": call_a(w).pk}),
    Case(
        "funding:call-decide",
        roles(403, anonymous=LOGIN, admin=200),
        lambda w: {"pk": funders_call_a(w).pk},
        label="funders decide",
    ),
    # Applications (the managers' side)
    Case("funding:application-detail", MANAGE_A, lambda w: of_call(w, submitted_a(w))),
    Case("funding:application-detail", HIDDEN, lambda w: of_call(w, draft_a(w)), label="draft"),
    Case(
        "funding:application-detail",
        HIDDEN,
        lambda w: {"pk": call_a(w).pk, "application": submit(ready_application(call_b(w))).pk},
        label="other call's application",
    ),
    Case(
        "funding:application-transition",
        MANAGE_A_POST,
        lambda w: of_call(w, submitted_a(w)),
        method="post",
        data=lambda w: {"to": Status.ELIGIBILITY},
    ),
    Case(
        "funding:review-form",
        roles(403, anonymous=LOGIN, evaluator=200),
        lambda w: of_call(w, in_review_a(w)),
    ),
    Case(
        "funding:review-form",
        roles(404, anonymous=LOGIN, delegate_b=403, evaluator=403, admin=403),
        lambda w: of_call(w, submit(ready_application(call_b(w)))),
        label="private",
    ),
    Case("funding:application-followup", MANAGE_A, lambda w: of_call(w, funded_a(w))),
    Case("funding:application-schedule", MANAGE_A, lambda w: of_call(w, funded_a(w))),
    Case(
        "funding:report-accept",
        MANAGE_A_POST,
        lambda w: of_call(w, funded_a(w), report=funded_a(w).reports.first().pk),
        method="post",
    ),
    Case(
        "funding:report-return",
        MANAGE_A_POST,
        lambda w: of_call(w, funded_a(w), report=funded_a(w).reports.first().pk),
        method="post",
        data=lambda w: {"note": "Ajoutez les indicateurs."},
    ),
    Case(
        "funding:tranche-release",
        MANAGE_A_POST,
        lambda w: of_call(w, funded_a(w), tranche=funded_a(w).tranches.first().pk),
        method="post",
    ),
    Case("funding:review-list", SIGNED_IN_200),
    Case("funding:dashboard", DASHBOARD),
    Case("funding:dashboard-export", DASHBOARD),
    Case("funding:dashboard-export", DASHBOARD, data=lambda w: {"format": "xlsx"}, label="xlsx"),
    Case("funding:dashboard-export", DASHBOARD, data=lambda w: {"format": "csv-machine"}, label="machine"),
    # Projects
    Case("projects:project-list", SIGNED_IN_200),
    Case(
        "projects:project-start",
        roles(403, anonymous=LOGIN, delegate_a=200),
        lambda w: {"call": call_a(w).pk},
    ),
    Case(
        "projects:project-start",
        roles(404, anonymous=LOGIN, delegate_b=200, evaluator=403, admin=403),
        lambda w: {"call": call_b(w).pk},
        label="private",
    ),
    Case("projects:project-detail", PROJECT_VIEW, project),
    Case("projects:project-detail", SUBMITTED_VIEW, lambda w: project(w, submitted_a(w)), label="submitted"),
    Case(
        "projects:project-detail",
        roles(404, delegate_a=200, delegate_b=200, admin=200),
        lambda w: {"pk": b_partnership(w).project_id},
        label="invited partner",
    ),
    Case("projects:project-update", LEAD_ONLY, project),
    Case(
        "projects:project-update",
        roles(404, anonymous=LOGIN, delegate_a=403, coordinator=403, admin=403),
        lambda w: project(w, submitted_a(w)),
        label="submitted",
    ),
    Case(
        "projects:indicator-create",
        LEAD_ONLY_POST,
        project,
        method="post",
        data=lambda w: {"kind": "result", "name": "Participants"},
    ),
    Case(
        "projects:indicator-delete",
        LEAD_ONLY_POST,
        lambda w: {**project(w), "indicator": draft_a(w).project.indicators.first().pk},
        method="post",
    ),
    Case("projects:collaborators", LEAD_ONLY, project),
    Case(
        "projects:collaborator-remove",
        LEAD_ONLY_POST,
        lambda w: {
            **project(w),
            "collaborator": project_services.collaborator_set(
                project=draft_a(w).project, person=UserFactory(), right="view", by=w.delegate_a
            ).pk,
        },
        method="post",
    ),
    Case(
        "projects:comment-create",
        LEAD_ONLY_POST,
        project,
        method="post",
        data=lambda w: {"text": "Je propose une rencontre mardi."},
    ),
    Case("projects:attachment-create", LEAD_ONLY_POST, project, method="post"),
    Case(
        "projects:attachment-download",
        PROJECT_VIEW,
        lambda w: {**project(w), "attachment": an_attachment(w).pk},
    ),
    Case(
        "projects:attachment-delete",
        LEAD_ONLY_POST,
        lambda w: {**project(w), "attachment": an_attachment(w).pk},
        method="post",
    ),
    Case("projects:project-submit", LEAD_ONLY, project),
    Case(
        "projects:application-withdraw",
        SUBMITTED_LEAD_POST,
        lambda w: project(w, submitted_a(w)),
        method="post",
    ),
    Case(
        "projects:application-reopen",
        SUBMITTED_LEAD_POST,
        lambda w: project(w, withdrawn_a(w)),
        method="post",
    ),
    Case(
        "projects:application-accept", SUBMITTED_LEAD_POST, lambda w: project(w, funded_a(w)), method="post"
    ),
    Case("projects:version-detail", SUBMITTED_VIEW, lambda w: {**project(w, submitted_a(w)), "number": 1}),
    Case("projects:partner-invite", LEAD_ONLY, project),
    Case(
        "projects:partner-answer",
        roles(404, anonymous=LOGIN, delegate_a=403, delegate_b=200, admin=403),
        lambda w: {**project(w), "partnership": b_partnership(w).pk},
    ),
    Case(
        "projects:partner-terms",
        roles(404, anonymous=LOGIN, delegate_a=200, delegate_b=403, admin=403),
        lambda w: {**project(w), "partnership": b_partnership(w).pk},
    ),
    Case(
        "projects:partner-remove",
        roles(404, anonymous=LOGIN, delegate_a=REDIRECT, delegate_b=403, admin=403),
        lambda w: {**project(w), "partnership": b_partnership(w).pk},
        method="post",
    ),
    Case("projects:budget", PROJECT_VIEW, project),
    Case("projects:budget-line-update", LEAD_ONLY, lambda w: {**project(w), "line": a_line(w).pk}),
    Case(
        "projects:budget-line-update",
        roles(404, anonymous=LOGIN, admin=403),
        lambda w: {**project(w), "line": a_line(w, ready_application(call_a(w))).pk},
        label="other project's line",
    ),
    Case(
        "projects:budget-line-delete",
        LEAD_ONLY_POST,
        lambda w: {**project(w), "line": a_line(w).pk},
        method="post",
    ),
    Case(
        "projects:report-update",
        SUBMITTED_VIEW,
        lambda w: {**project(w, funded_a(w)), "report": funded_a(w).reports.first().pk},
    ),
    Case(
        "projects:report-contribution",
        roles(404, anonymous=LOGIN, delegate_a=403, delegate_b=200, coordinator=403, admin=403),
        lambda w: {
            **project(w, funded_a(w)),
            "report": funded_a(w).reports.first().pk,
            "partnership": b_funded_partnership(w).pk,
        },
    ),
]
