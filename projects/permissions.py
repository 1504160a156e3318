"""Who may do what in a joint project.

A person acts for an organisation at a table when they are its delegate or substitute
there; for an organisation that does not sit at the table (a call may accept them), the
people who work for it act for it. Nobody else commits an organisation: not the lead,
not the coordination, not an administrator.

Rights in the workspace: the lead organisation's people edit and lead (invite partners,
give rights, submit); partners' people comment by default; the lead may give anyone view,
comment or edit rights. The call's managers see a project once it is submitted.
"""

from dataclasses import dataclass, field

from members.access import access_for
from tables.models import Membership

from .models import Collaborator, Partnership, Project

RIGHTS = ("view", "comment", "edit")


def _member_ids(table_id: int, organisation_ids) -> set[int]:
    return set(
        Membership.objects.active()
        .filter(table_id=table_id, organisation_id__in=organisation_ids)
        .values_list("organisation_id", flat=True)
    )


def acts_for(user, organisation_id: int, table_id: int, *, member_ids: set[int] | None = None) -> bool:
    """May `user` speak for `organisation_id` in a project of table `table_id`?"""
    access = access_for(user)
    if access.represents(table_id, organisation_id):
        return True
    if access.organisation_id != organisation_id:
        return False
    members = member_ids if member_ids is not None else _member_ids(table_id, [organisation_id])
    return organisation_id not in members


@dataclass(frozen=True)
class ProjectAccess:
    is_admin: bool = False
    is_lead: bool = False
    # partnerships whose organisation the person acts for (any status)
    partnership_ids: frozenset[int] = frozenset()
    involved_partner: bool = False
    right: str | None = None
    is_manager: bool = False
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def can_view(self) -> bool:
        return self.is_admin or self.is_manager or self.right is not None

    @property
    def can_comment(self) -> bool:
        return self.right in {"comment", "edit"}

    @property
    def can_edit(self) -> bool:
        return self.right == "edit"


def _best(*rights) -> str | None:
    ranked = [right for right in rights if right]
    return max(ranked, key=RIGHTS.index) if ranked else None


def project_access(user, project: Project) -> ProjectAccess:
    """What `user` may do in `project`, computed once per project and request. Reads the
    project's partnerships and applications from the prefetch cache when they are there."""
    cache = project.__dict__.setdefault("_access_cache", {})
    key = getattr(user, "pk", None)
    if key in cache:
        return cache[key]
    access = access_for(user)
    if not access.is_authenticated:
        result = ProjectAccess()
        cache[key] = result
        return result
    partnerships = list(project.partnerships.all())
    organisations = {project.lead_id} | {p.organisation_id for p in partnerships}
    member_ids = None
    if access.organisation_id in organisations and not access.represents(
        project.table_id, access.organisation_id
    ):
        member_ids = _member_ids(project.table_id, [access.organisation_id])
    is_lead = acts_for(user, project.lead_id, project.table_id, member_ids=member_ids)
    mine = [
        p for p in partnerships if acts_for(user, p.organisation_id, project.table_id, member_ids=member_ids)
    ]
    involved = any(p.status != Partnership.Status.DECLINED for p in mine)
    granted = (
        Collaborator.objects.filter(project=project, person=user).values_list("right", flat=True).first()
    )
    from funding.permissions import can_manage_call

    is_manager = any(
        not application.is_draft and can_manage_call(user, application.call)
        for application in project.applications.all()
    )
    result = ProjectAccess(
        is_admin=access.is_admin,
        is_lead=is_lead,
        partnership_ids=frozenset(p.pk for p in mine),
        involved_partner=involved,
        right=_best("edit" if is_lead else None, "comment" if involved else None, granted),
        is_manager=is_manager,
        organisation_ids=frozenset(
            ([project.lead_id] if is_lead else []) + [p.organisation_id for p in mine]
        ),
    )
    cache[key] = result
    return result


def current_application(project: Project):
    """The project's most recent application (a project is usually built for one call)."""
    applications = sorted(project.applications.all(), key=lambda a: (a.created_at, a.pk))
    return applications[-1] if applications else None


def is_editable(project: Project) -> bool:
    """Content changes only while the application is a draft: what was submitted is
    frozen."""
    application = current_application(project)
    return application is None or application.is_draft


def can_view_project(user, project: Project) -> bool:
    return project_access(user, project).can_view


def can_comment_project(user, project: Project) -> bool:
    return project_access(user, project).can_comment


def can_edit_project(user, project: Project) -> bool:
    return project_access(user, project).can_edit and is_editable(project)


def can_lead_project(user, project: Project) -> bool:
    """Invite partners, give rights, submit and withdraw: the lead organisation's people."""
    return project_access(user, project).is_lead


def can_answer_partnership(user, partnership: Partnership) -> bool:
    """Only the partner organisation's own people confirm or decline for it."""
    project = partnership.project
    return partnership.pk in project_access(user, project).partnership_ids


def can_report(user, project: Project) -> bool:
    """Write the progress and final reports: the lead organisation."""
    return project_access(user, project).is_lead


def register_rules() -> None:
    """The page rules of joint projects, registered for every channel to ask
    (members.permissions.may_see / may_act)."""
    from members.permissions import register_rules as rule

    rule(Project, see=can_view_project, act=can_edit_project)
    rule(
        Partnership,
        see=lambda user, partnership: can_view_project(user, partnership.project),
        act=can_answer_partnership,
    )
