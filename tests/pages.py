"""The main pages of the product, per role, on the demo data: what the accessibility,
HTML-validity and benchmark runs visit. Add a page here when a feature adds one."""

from django.urls import reverse

DEMO_ROLES = ["anonymous", "coordinator", "delegate", "delegate_other_table", "funder_evaluator", "admin"]


def seed_whole_demo():
    """The demo as `seed_demo` makes it (without --scale): what the page checks visit."""
    from funding.demo import seed_funding
    from tables.demo import DemoSeeder

    seeder = DemoSeeder()
    seeder.seed_main()
    seeder.seed_meetings()
    seeder.seed_plans()
    seeder.seed_regional()
    seeder.seed_bilans()
    seed_funding()


def _first(queryset):
    obj = queryset.first()
    assert obj is not None, f"the demo data has no {queryset.model.__name__}"
    return obj


def main_pages(role):
    """(name, url) of the main pages `role` uses, on the seeded demo."""
    from members.models import Organisation
    from tables.demo import MAIN_SLUG
    from tables.models import ActionPlan, Bilan, Communique, Consultation, Meeting, Minutes

    slug = MAIN_SLUG
    meeting = _first(Meeting.objects.filter(table__slug=slug, status="convened"))
    past = _first(
        Minutes.objects.filter(meeting__table__slug=slug, status="adopted").order_by("-meeting__starts_at")
    )
    plan = _first(ActionPlan.objects.filter(table__slug=slug, status__in=["adopted", "in_progress"]))
    action = _first(plan.axes.first().objectives.first().actions.all())
    organisation = _first(Organisation.objects.filter(acronym="MIFI"))
    pages = [
        ("home", reverse("home")),
        ("table list", reverse("tables:table-list")),
        ("table", reverse("tables:table-detail", args=[slug])),
        ("organisation directory", reverse("members:organisation-list")),
        ("organisation", organisation.get_absolute_url()),
        ("meetings", reverse("tables:meeting-list", args=[slug])),
        ("meeting", meeting.get_absolute_url()),
        ("plan", plan.get_absolute_url()),
        ("action", reverse("tables:action-detail", args=[slug, plan.pk, action.pk])),
    ]
    if role == "anonymous":
        pages += [("sign in", reverse("account_login")), ("sign up", reverse("account_signup"))]
    insider = role in {"coordinator", "delegate", "admin"}
    if insider:
        pages += [
            ("minutes", reverse("tables:minutes-detail", args=[slug, past.meeting_id])),
            ("resolution register", reverse("tables:resolution-list", args=[slug])),
            ("follow-ups", reverse("tables:follow-up-list", args=[slug])),
            ("indicators", reverse("tables:indicators", args=[slug])),
            (
                "bilan",
                reverse(
                    "tables:bilan-detail", args=[slug, _first(Bilan.objects.filter(table__slug=slug)).pk]
                ),
            ),
            ("communiqués", reverse("tables:communique-list", args=[slug])),
            ("consultations", reverse("tables:consultation-list", args=[slug])),
            (
                "consultation",
                _first(
                    Consultation.objects.filter(table__slug=slug, kind="avis", status="open")
                ).get_absolute_url(),
            ),
            (
                "communiqué",
                _first(Communique.objects.filter(table__slug=slug, audience="all")).get_absolute_url(),
            ),
            (
                "electronic vote",
                _first(
                    Consultation.objects.filter(table__slug=slug, kind="vote", status="open")
                ).get_absolute_url(),
            ),
            (
                "closed electronic vote",
                _first(
                    Consultation.objects.filter(table__slug=slug, kind="vote", status="closed")
                ).get_absolute_url(),
            ),
            ("governance rules", reverse("tables:rules-list", args=[slug])),
        ]
    if role == "delegate":
        pages.append(("propose a consultation", reverse("tables:consultation-propose", args=[slug])))
    if role in {"coordinator", "admin"}:
        pages += [
            ("members (coordination)", reverse("tables:membership-list", args=[slug])),
            ("convocation", reverse("tables:meeting-convene", args=[slug, meeting.pk])),
            ("attendance", reverse("tables:meeting-attendance", args=[slug, past.meeting_id])),
            ("new meeting", reverse("tables:meeting-create", args=[slug])),
            ("reminders", reverse("tables:reminder-settings", args=[slug])),
            ("new consultation", reverse("tables:consultation-create", args=[slug])),
            (
                "proposed consultation",
                _first(Consultation.objects.filter(table__slug=slug, status="proposed")).get_absolute_url(),
            ),
        ]
    if role != "anonymous":
        pages += [
            ("profile", reverse("members:profile")),
            ("notifications", reverse("members:notification-list")),
            ("notifications by email", reverse("members:notification-preferences")),
            ("calendars", reverse("tables:calendar-list")),
            ("shared calendar", reverse("tables:activity-calendar")),
        ]
    from funding.models import Application, FundingCall

    open_call = _first(
        FundingCall.objects.filter(table__slug=slug, published_at__isnull=False).order_by("-closes_at")
    )
    pages.append(("funding calls", reverse("funding:call-list")))
    pages.append(("funding call", reverse("funding:call-detail", args=[open_call.pk])))
    if role == "delegate":
        project = _first(Application.objects.filter(call=open_call).exclude(status="withdrawn")).project
        pages += [
            ("my projects", reverse("projects:project-list")),
            ("joint project", reverse("projects:project-detail", args=[project.pk])),
        ]
    if role in {"coordinator", "funder_evaluator", "admin"}:
        # An application in review; the evaluator's, one of a call they review.
        from tables.demo import DEMO_ACCOUNTS

        reviewing = Application.objects.filter(status__in=["in_review", "recommended", "funded"])
        if role == "funder_evaluator":
            reviewing = reviewing.filter(call__reviewers__person__email=DEMO_ACCOUNTS[role][0])
        else:
            reviewing = reviewing.filter(call__table__slug=slug)
        application = _first(reviewing.order_by("pk"))
        # Managers see the application's page; an evaluator reads it on their review page.
        view = "funding:review-form" if role == "funder_evaluator" else "funding:application-detail"
        pages.append(("application", reverse(view, args=[application.call_id, application.pk])))
    if role in {"coordinator", "admin"}:
        pages.append(("call management", reverse("funding:call-manage", args=[open_call.pk])))
    if role in {"funder_evaluator", "admin"}:
        pages += [
            ("funder dashboard", reverse("funding:dashboard")),
            ("reviews", reverse("funding:review-list")),
        ]
    if role in {"coordinator", "funder_evaluator", "admin"}:
        pages += [
            ("regional view", reverse("tables:regional-overview", args=["capitale-nationale"])),
            ("network", reverse("tables:regional-network", args=["capitale-nationale"])),
        ]
    return pages
