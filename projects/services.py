"""Writing to joint projects: starting one for a call, editing it together without losing
anyone's work, inviting partners and recording their own answers, the budget, rights,
comments and attachments.

Every function takes keyword arguments and is the one path the views, the demo and the
tests use. Content changes are refused once the application is submitted: what the
reviewers read is what the partners confirmed.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Notification, Organisation, User
from members.services.editing import EditConflict
from members.validators import validate_upload

from .emails import absolute, people_acting_for, send_to
from .models import (
    BudgetLine,
    Collaborator,
    Partnership,
    PartnershipAnswer,
    Project,
    ProjectAttachment,
    ProjectComment,
    ProjectIndicator,
)
from .permissions import acts_for, current_application

__all__ = [
    "PROJECT_FIELDS",
    "TERMS_FIELDS",
    "EditConflict",
    "attachment_add",
    "attachment_delete",
    "budget_line_delete",
    "budget_line_save",
    "collaborator_remove",
    "collaborator_set",
    "comment_add",
    "indicator_add",
    "indicator_delete",
    "partner_answer",
    "partner_documents",
    "partner_invite",
    "partner_remove",
    "partner_update_terms",
    "project_start",
    "project_update",
]

PROJECT_FIELDS = (
    "title",
    "summary",
    "needs",
    "target_population",
    "territory",
    "starts",
    "ends",
    "activities",
    "deliverables",
)
PROJECT_RELATIONS = ("regions", "objectives")
TERMS_FIELDS = ("role", "cash", "in_kind", "in_kind_description")
BUDGET_FIELDS = ("organisation", "category", "description", "nature", "source", "other_source", "amount")


def _check_editable(project: Project) -> None:
    application = current_application(project)
    if application is not None and not application.is_draft:
        raise ValidationError(
            _(
                "The project was submitted: what the reviewers read can no longer change. "
                "The lead may withdraw it before the deadline to change it."
            ),
            code="frozen",
        )


def _locked_project(project: Project) -> Project:
    """The project row, locked until the end of the transaction, so that a submission
    and an edit never interleave."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


# The project ----------------------------------------------------------------------------------


@transaction.atomic
def project_start(*, call, lead: Organisation, title: str, by: User) -> Project:
    """Start a joint project for `call`, led by `lead`, with its draft application. The
    person must speak for the lead organisation at the call's table."""
    from funding.models import Application
    from funding.permissions import lead_choices

    if lead.pk not in lead_choices(by, call):
        raise PermissionDenied
    if not call.is_open():
        raise ValidationError(_("The call is not open: no project can be started for it now."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the project a title.")})
    project = Project.objects.create(table=call.table, lead=lead, title=title, created_by=by, updated_by=by)
    regions = list(call.regions.all()[:1]) if call.regions.count() == 1 else []
    if not regions and lead.region_id:
        regions = [lead.region_id]
    project.regions.set(regions)
    Application.objects.create(call=call, project=project)
    return project


@transaction.atomic
def project_update(*, project: Project, expected_version: int, by: User, **fields) -> Project:
    """Save the project's description if nobody saved it since `expected_version`.

    One conditional UPDATE (`… WHERE version = expected`): of two people saving at once,
    one wins and the other gets an EditConflict with the winner's text. Saving exactly
    what is already there is not a conflict.
    """
    unknown = set(fields) - set(PROJECT_FIELDS) - set(PROJECT_RELATIONS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    locked = _locked_project(project)
    _check_editable(locked)
    relations = {name: fields.pop(name) for name in PROJECT_RELATIONS if name in fields}
    for name in ("summary", "needs", "target_population", "activities", "deliverables"):
        if name in fields:
            fields[name] = _normalise(fields[name])
    starts, ends = fields.get("starts", locked.starts), fields.get("ends", locked.ends)
    if starts and ends and ends < starts:
        raise ValidationError({"ends": _("The project must end after it starts.")})
    saved = Project.objects.filter(pk=locked.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    if not saved:
        current = {name: getattr(locked, name) for name in fields}
        if any(current[name] != value for name, value in fields.items()):
            raise EditConflict(
                current=current,
                version=locked.version,
                saved_by=locked.updated_by,
                saved_at=locked.updated_at,
            )
    for name, values in relations.items():
        getattr(locked, name).set(values)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def indicator_add(*, project: Project, kind: str, name: str, unit: str = "", target=None, by: User):
    _check_editable(_locked_project(project))
    return ProjectIndicator.objects.create(project=project, kind=kind, name=name, unit=unit, target=target)


@transaction.atomic
def indicator_delete(*, indicator: ProjectIndicator, by: User) -> None:
    _check_editable(_locked_project(indicator.project))
    indicator.delete()


# Partners -------------------------------------------------------------------------------------


def _answer(partnership: Partnership, event: str, by: User | None, note: str = "") -> PartnershipAnswer:
    return PartnershipAnswer.objects.create(
        partnership=partnership,
        event=event,
        role=partnership.role,
        cash=partnership.cash,
        in_kind=partnership.in_kind,
        in_kind_description=partnership.in_kind_description,
        note=note[:500],
        by=by,
    )


def _check_terms(cash, in_kind, in_kind_description) -> None:
    if (cash is not None and cash < 0) or (in_kind is not None and in_kind < 0):
        raise ValidationError(_("A contribution cannot be negative."))
    if in_kind and not (in_kind_description or "").strip():
        raise ValidationError(
            {
                "in_kind_description": _(
                    "Say what the in-kind contribution is, so that its value can be checked."
                )
            }
        )


def _project_url(project: Project) -> str:
    return absolute(project.get_absolute_url())


@transaction.atomic
def partner_invite(
    *,
    project: Project,
    organisation: Organisation,
    by: User,
    role: str = "",
    cash: Decimal = Decimal("0"),
    in_kind: Decimal = Decimal("0"),
    in_kind_description: str = "",
    message: str = "",
) -> Partnership:
    """Invite an organisation to join the project, with the role and contribution the
    lead proposes. Nothing is committed until the organisation's own people confirm."""
    locked = _locked_project(project)
    _check_editable(locked)
    if organisation.pk == locked.lead_id:
        raise ValidationError({"organisation": _("The lead organisation is not one of its own partners.")})
    if Partnership.objects.filter(project=locked, organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already invited.")})
    _check_terms(cash, in_kind, in_kind_description)
    partnership = Partnership.objects.create(
        project=locked,
        organisation=organisation,
        role=(role or "").strip(),
        cash=cash or Decimal("0"),
        in_kind=in_kind or Decimal("0"),
        in_kind_description=(in_kind_description or "").strip(),
        message=_normalise(message),
        invited_by=by,
    )
    _answer(partnership, PartnershipAnswer.Event.INVITED, by)
    send_to(
        people_acting_for([organisation.pk], locked.table_id),
        "projects/email/partner_invited",
        {
            "project": locked,
            "partnership": partnership,
            "lead": locked.lead,
            "inviter": by,
            "url": absolute(reverse("projects:partner-answer", args=[locked.pk, partnership.pk])),
        },
        reply_to=[by.email] if by.email else None,
        notification=Notification.Kind.PARTNER_INVITED,
        about=partnership,
    )
    return partnership


def _changed_terms(partnership: Partnership, terms: dict) -> bool:
    before = partnership.terms()
    after = (
        (terms.get("role", partnership.role) or "").strip(),
        terms.get("cash", partnership.cash),
        terms.get("in_kind", partnership.in_kind),
        (terms.get("in_kind_description", partnership.in_kind_description) or "").strip(),
    )
    return before != after


def _locked_partnership(partnership: Partnership, expected_version: int) -> Partnership:
    locked = Partnership.objects.select_for_update().select_related("project").get(pk=partnership.pk)
    if locked.version != expected_version:
        raise EditConflict(
            current={name: getattr(locked, name) for name in (*TERMS_FIELDS, "status")},
            version=locked.version,
            saved_by=locked.answered_by or locked.invited_by,
            saved_at=locked.updated_at,
        )
    return locked


@transaction.atomic
def partner_update_terms(
    *, partnership: Partnership, expected_version: int, by: User, **terms
) -> Partnership:
    """The lead proposes other terms. If the partner had confirmed, its confirmation no
    longer holds: it must confirm the new terms itself."""
    unknown = set(terms) - set(TERMS_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    _check_editable(_locked_project(partnership.project))
    locked = _locked_partnership(partnership, expected_version)
    _check_terms(
        terms.get("cash", locked.cash),
        terms.get("in_kind", locked.in_kind),
        terms.get("in_kind_description", locked.in_kind_description),
    )
    if not _changed_terms(locked, terms):
        return locked
    was_confirmed = locked.status == Partnership.Status.CONFIRMED
    for name, value in terms.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if was_confirmed:
        locked.status = Partnership.Status.INVITED
        locked.needs_reconfirmation = True
    locked.version += 1
    locked.save()
    _answer(locked, PartnershipAnswer.Event.TERMS_CHANGED, by)
    if was_confirmed:
        send_to(
            people_acting_for([locked.organisation_id], locked.project.table_id),
            "projects/email/partner_reconfirm",
            {
                "project": locked.project,
                "partnership": locked,
                "lead": locked.project.lead,
                "inviter": by,
                "url": absolute(reverse("projects:partner-answer", args=[locked.project_id, locked.pk])),
            },
            reply_to=[by.email] if by.email else None,
            notification=Notification.Kind.PARTNER_INVITED,
            about=locked,
        )
    return locked


@transaction.atomic
def partner_answer(
    *,
    partnership: Partnership,
    by: User,
    confirm: bool,
    expected_version: int,
    note: str = "",
    letter=None,
    **terms,
) -> Partnership:
    """The partner's own answer: confirm (with the role and contribution it states, which
    may differ from the lead's proposal) or decline. Timestamped and attributed; only a
    person who speaks for the partner organisation may give it.

    With the confirmation comes the organisation's own `letter` (a letter of support)
    when the call asks one from each partner: required if the call makes it mandatory
    and none was sent before."""
    unknown = set(terms) - set(TERMS_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    project = partnership.project
    if not acts_for(by, partnership.organisation_id, project.table_id):
        raise PermissionDenied
    _check_editable(_locked_project(project))
    locked = _locked_partnership(partnership, expected_version)
    if confirm:
        _check_terms(
            terms.get("cash", locked.cash),
            terms.get("in_kind", locked.in_kind),
            terms.get("in_kind_description", locked.in_kind_description),
        )
        for name, value in terms.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.status = Partnership.Status.CONFIRMED
        documents = partner_documents(project)
        if documents and letter is not None:
            locked.organisation = partnership.organisation
            _partner_letter(locked, document=documents[0], upload=letter, by=by)
        elif documents and documents[0].mandatory:
            has_letter = ProjectAttachment.objects.filter(
                project_id=project.pk,
                required_document=documents[0],
                organisation_id=locked.organisation_id,
            ).exists()
            if not has_letter:
                raise ValidationError(
                    {
                        "letter": ValidationError(
                            _(
                                "The call asks for “%(document)s” from each partner: upload your "
                                "organisation's own to confirm."
                            )
                            % {"document": documents[0].name},
                            code="letter_required",
                        )
                    }
                )
    else:
        locked.status = Partnership.Status.DECLINED
    locked.answered_by = by
    locked.answered_at = timezone.now()
    locked.needs_reconfirmation = False
    locked.version += 1
    locked.save()
    _answer(
        locked,
        PartnershipAnswer.Event.CONFIRMED if confirm else PartnershipAnswer.Event.DECLINED,
        by,
        note=note,
    )
    send_to(
        people_acting_for([project.lead_id], project.table_id),
        "projects/email/partner_answered",
        {"project": project, "partnership": locked, "by": by, "note": note, "url": _project_url(project)},
        reply_to=[by.email] if by.email else None,
        notification=Notification.Kind.PARTNER_ANSWERED,
        about=project,
    )
    return locked


@transaction.atomic
def partner_remove(*, partnership: Partnership, by: User) -> None:
    """Take a partner out of a draft project. Its budget lines must go first: nobody
    counts on money of an organisation that is no longer a partner."""
    _check_editable(_locked_project(partnership.project))
    if BudgetLine.objects.filter(
        project_id=partnership.project_id, organisation_id=partnership.organisation_id
    ).exists():
        raise ValidationError(
            _("The budget has lines carried by %(organisation)s: remove or move them first.")
            % {"organisation": partnership.organisation.short_name}
        )
    partnership.delete()


# Budget ---------------------------------------------------------------------------------------


def _check_budget_line(project: Project, fields: dict) -> None:
    organisation = fields.get("organisation")
    allowed = {project.lead_id} | set(
        Partnership.objects.involved().filter(project=project).values_list("organisation_id", flat=True)
    )
    if organisation is not None and organisation.pk not in allowed:
        raise ValidationError({"organisation": _("Choose the lead or one of the project's partners.")})
    if (
        fields.get("source") == BudgetLine.Source.REQUESTED
        and fields.get("nature") == BudgetLine.Nature.IN_KIND
    ):
        raise ValidationError({"nature": _("What is requested from the call is paid in cash.")})
    if fields.get("source") == BudgetLine.Source.OTHER and not (fields.get("other_source") or "").strip():
        raise ValidationError({"other_source": _("Name the other source.")})
    if fields.get("amount") is not None and fields["amount"] <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})


@transaction.atomic
def budget_line_save(
    *,
    project: Project,
    by: User,
    line: BudgetLine | None = None,
    expected_version: int | None = None,
    **fields,
) -> BudgetLine:
    """Add a line, or change one if nobody changed it since `expected_version`."""
    unknown = set(fields) - set(BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    locked_project = _locked_project(project)
    _check_editable(locked_project)
    if fields.get("source") != BudgetLine.Source.OTHER:
        fields["other_source"] = ""
    if line is None:
        _check_budget_line(locked_project, fields)
        return BudgetLine.objects.create(project=locked_project, updated_by=by, **fields)
    if line.project_id != project.pk:
        raise ValidationError(_("This line belongs to another project."))
    merged = {name: fields.get(name, getattr(line, name)) for name in BUDGET_FIELDS}
    _check_budget_line(locked_project, merged)
    saved = BudgetLine.objects.filter(pk=line.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    current = BudgetLine.objects.select_related("organisation", "updated_by").filter(pk=line.pk).first()
    if current is None:
        raise ValidationError(_("This line was removed by someone else."))
    if not saved and any(getattr(current, name) != value for name, value in fields.items()):
        raise EditConflict(
            current={name: getattr(current, name) for name in BUDGET_FIELDS},
            version=current.version,
            saved_by=current.updated_by,
            saved_at=current.updated_at,
        )
    return current


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, by: User) -> None:
    _check_editable(_locked_project(line.project))
    line.delete()


# Rights, comments, attachments ----------------------------------------------------------------


@transaction.atomic
def collaborator_set(*, project: Project, person: User, right: str, by: User) -> Collaborator:
    if right not in Collaborator.Right.values:
        raise ValidationError({"right": _("Choose a right.")})
    collaborator, _created = Collaborator.objects.update_or_create(
        project=project, person=person, defaults={"right": right, "added_by": by}
    )
    return collaborator


@transaction.atomic
def collaborator_remove(*, collaborator: Collaborator, by: User) -> None:
    collaborator.delete()


def comment_add(
    *, project: Project, by: User, text: str, organisation_id: int | None = None
) -> ProjectComment:
    text = _normalise(text).strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    return ProjectComment.objects.create(
        project=project, author=by, organisation_id=organisation_id, text=text
    )


def _check_attachment_source(
    project: Project, *, by: User, required_document, organisation: Organisation | None
) -> None:
    """A document "from" an organisation is uploaded by one of its own people: the lead
    cannot attach a partner's letter of support for it."""
    if organisation is not None and not acts_for(by, organisation.pk, project.table_id):
        raise ValidationError(
            {
                "organisation": ValidationError(
                    _(
                        "You do not speak for %(organisation)s: only its own people attach its "
                        "documents. Ask them to upload it from their answer page."
                    )
                    % {"organisation": organisation.short_name},
                    code="not_your_organisation",
                )
            }
        )
    if required_document is not None and required_document.from_each_partner:
        partner = (
            organisation is not None
            and Partnership.objects.involved().filter(project=project, organisation=organisation).exists()
        )
        if not partner:
            raise ValidationError(
                {
                    "organisation": ValidationError(
                        _(
                            "“%(document)s” comes from each partner: choose the partner "
                            "organisation you speak for."
                        )
                        % {"document": required_document.name},
                        code="partner_document",
                    )
                }
            )


@transaction.atomic
def attachment_add(
    *, project: Project, upload, title: str, by: User, required_document=None, organisation=None
) -> ProjectAttachment:
    """Attach a checked file (size, type and content) to a draft project. A file said to
    come from an organisation is uploaded by a person who speaks for it."""
    _check_editable(_locked_project(project))
    validate_upload(upload)
    if required_document is not None:
        application = current_application(project)
        if application is None or required_document.call_id != application.call_id:
            raise ValidationError({"required_document": _("Choose a document this call asks for.")})
    _check_attachment_source(project, by=by, required_document=required_document, organisation=organisation)
    return ProjectAttachment.objects.create(
        project=project,
        file=upload,
        title=(title or upload.name)[:200],
        size=upload.size,
        uploaded_by=by,
        required_document=required_document,
        organisation=organisation,
    )


def partner_documents(project: Project) -> list:
    """The call's documents each partner uploads itself (a letter of support), mandatory
    first."""
    application = current_application(project)
    if application is None:
        return []
    documents = [d for d in application.call.required_documents.all() if d.from_each_partner]
    return sorted(documents, key=lambda d: (not d.mandatory, d.position, d.pk))


def _partner_letter(partnership: Partnership, *, document, upload, by: User) -> ProjectAttachment:
    """The partner's own letter for `document`; it replaces the one it sent before."""
    validate_upload(upload)
    previous = list(
        ProjectAttachment.objects.filter(
            project_id=partnership.project_id,
            required_document=document,
            organisation_id=partnership.organisation_id,
        )
    )
    for attachment in previous:
        # The old file goes only once the new letter is saved for good.
        storage, name = attachment.file.storage, attachment.file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        attachment.delete()
    return ProjectAttachment.objects.create(
        project_id=partnership.project_id,
        file=upload,
        title=f"{document.name} – {partnership.organisation.short_name}"[:200],
        size=upload.size,
        uploaded_by=by,
        required_document=document,
        organisation_id=partnership.organisation_id,
    )


@transaction.atomic
def attachment_delete(*, attachment: ProjectAttachment, by: User) -> None:
    _check_editable(_locked_project(attachment.project))
    attachment.file.delete(save=False)
    attachment.delete()
