"""The project workspace: my projects, starting one for a call, the project's page,
editing it together, indicators, rights, comments, attachments, submission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from funding import services as funding_services
from funding.models import Actor, Application, AuditEntry, FundingCall, Status
from funding.permissions import can_apply, can_read_application_files, can_view_call, lead_choices
from funding.rules import check_rules, unmet
from funding.selectors import anonymous_reviews, projects_for

from .. import services
from ..budget import budget_totals
from ..forms import (
    AttachmentForm,
    CollaboratorForm,
    CommentForm,
    IndicatorForm,
    ProjectForm,
    ProjectStartForm,
)
from ..models import BudgetLine, Collaborator, PartnershipAnswer, ProjectAttachment, ProjectComment
from ..permissions import (
    can_comment_project,
    can_edit_project,
    can_lead_project,
    can_view_project,
    current_application,
    is_editable,
)
from .common import add_service_errors, get_project, project_queryset, rebased

# Audit entries the applicants see: what happened to their application, never who
# reviewed it.
APPLICANT_ACTIONS = [
    AuditEntry.Action.STATUS_CHANGED,
    AuditEntry.Action.DECIDED,
    AuditEntry.Action.REPORT_SUBMITTED,
    AuditEntry.Action.REPORT_ACCEPTED,
    AuditEntry.Action.TRANCHE_RELEASED,
    AuditEntry.Action.SCHEDULE_CHANGED,
]


@login_required
@require_GET
def project_list(request):
    """My projects (led or partnered by the organisations I speak for, or shared with me)
    and the invitations waiting for my organisation's answer."""
    context = projects_for(request.user)
    return render(request, "projects/project_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_start(request, call):
    call = get_object_or_404(FundingCall.objects.select_related("table").prefetch_related("shares"), pk=call)
    if not can_view_call(request.user, call):
        raise Http404
    if not can_apply(request.user, call):
        raise PermissionDenied
    form = ProjectStartForm(request.POST or None, lead_ids=lead_choices(request.user, call))
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_start(
                call=call, lead=form.cleaned_data["lead"], title=form.cleaned_data["title"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The project is started. Describe it, then invite your partner organisations.")
            )
            return redirect("projects:project-update", pk=project.pk)
    return render(request, "projects/project_start.html", {"call": call, "form": form})


def _history(project, application, *, applicant=True):
    answers = list(
        PartnershipAnswer.objects.filter(partnership__project=project)
        .select_related("partnership__organisation", "by")
        .order_by("-at")[:50]
    )
    entries = []
    if application is not None:
        audit = (
            AuditEntry.objects.filter(application=application).select_related("actor").order_by("-created_at")
        )
        if applicant:
            audit = audit.filter(action__in=APPLICANT_ACTIONS)
        entries = list(audit[:50])
    timeline = [("answer", answer.at, answer) for answer in answers] + [
        ("audit", entry.created_at, entry) for entry in entries
    ]
    return sorted(timeline, key=lambda row: row[1], reverse=True)[:60]


@require_GET
def project_detail(request, pk):
    project = get_project(request, pk)
    application = project.application
    access = project.access
    lines = list(BudgetLine.objects.filter(project=project).select_related("organisation"))
    checks = None
    if application is not None and application.is_draft and (access.is_lead or access.can_edit):
        checks = check_rules(application)
    call = application.call if application else None
    reports = tranches = []
    if application is not None and application.is_committed:
        reports = list(application.reports.order_by("due_on"))
        tranches = list(application.tranches.select_related("report").order_by("number"))
    attachments = list(project.attachments.select_related("required_document", "organisation", "uploaded_by"))
    partnerships = list(project.partnerships.all())
    letter_documents = services.partner_documents(project)
    if letter_documents:
        letters = {
            a.organisation_id: a for a in attachments if a.required_document_id == letter_documents[0].pk
        }
        for partnership in partnerships:
            partnership.letter = letters.get(partnership.organisation_id)
    context = {
        "project": project,
        "application": application,
        "call": call,
        "access": access,
        "partnerships": partnerships,
        "letter_document": letter_documents[0] if letter_documents else None,
        "totals": budget_totals(lines),
        "indicators": list(project.indicators.all()),
        "regions": list(project.regions.all()),
        "objectives": list(project.objectives.all()),
        "attachments": attachments,
        "comments": list(
            ProjectComment.objects.filter(project=project).select_related("author", "organisation")
        ),
        "checks": checks,
        "unmet": unmet(checks) if checks else [],
        "history": _history(project, application, applicant=not access.is_manager),
        "reviews": anonymous_reviews(application)
        if application is not None and application.is_decided
        else [],
        "reports": reports,
        "tranches": tranches,
        "editable": is_editable(project),
        "can_edit": can_edit_project(request.user, project),
        "can_lead": access.is_lead,
        "can_comment": access.can_comment,
        "comment_form": CommentForm() if access.can_comment else None,
        "indicator_form": IndicatorForm() if can_edit_project(request.user, project) else None,
        "attachment_form": AttachmentForm(
            project=project, call=call, organisation_ids=access.organisation_ids
        )
        if can_edit_project(request.user, project)
        else None,
        "can_withdraw": access.is_lead and _before_deadline(application, Status.WITHDRAWN),
        "can_reopen": access.is_lead and _before_deadline(application, Status.DRAFT),
        "can_accept": access.is_lead and application is not None and application.status == Status.FUNDED,
    }
    return render(request, "projects/project_detail.html", context)


def _before_deadline(application, status) -> bool:
    """May the lead take this step now (withdraw, reopen: only before the deadline)?"""
    return (
        application is not None
        and Application.actor_for(application.status, status) == Actor.LEAD
        and application.call.before_deadline()
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_update(request, pk):
    project = get_project(request, pk, check=can_edit_project)
    call = project.application.call if project.application else None
    conflict = None
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=project, call=call)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.PROJECT_FIELDS}
            fields["regions"] = list(form.cleaned_data["regions"])
            if "objectives" in form.fields:
                fields["objectives"] = list(form.cleaned_data["objectives"])
            try:
                services.project_update(
                    project=project, expected_version=form.cleaned_data["version"], by=request.user, **fields
                )
            except services.EditConflict as error:
                conflict = error
                project.refresh_from_db()
                form = rebased(ProjectForm, request.POST, error.version, instance=project, call=call)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The project was saved."))
                return redirect(project)
    else:
        initial = {"version": project.version}
        form = ProjectForm(instance=project, call=call, initial=initial)
    return render(
        request, "projects/project_form.html", {"project": project, "form": form, "conflict": conflict}
    )


@login_required
@require_POST
def indicator_create(request, pk):
    project = get_project(request, pk, check=can_edit_project)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_add(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The indicator was added."))
    else:
        messages.error(request, _("The indicator was not added: %(errors)s") % {"errors": _errors_text(form)})
    return redirect(f"{project.get_absolute_url()}#indicators")


def _errors_text(form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''} : {' '.join(errors)}".strip(" :")
        for name, errors in form.errors.items()
    )


@login_required
@require_POST
def indicator_delete(request, pk, indicator):
    project = get_project(request, pk, check=can_edit_project)
    indicator = get_object_or_404(project.indicators.all(), pk=indicator)
    try:
        services.indicator_delete(indicator=indicator, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The indicator was removed."))
    return redirect(f"{project.get_absolute_url()}#indicators")


@login_required
@require_http_methods(["GET", "POST"])
def collaborators(request, pk):
    """The rights of people on the project, given by the lead."""
    project = get_project(request, pk, check=can_lead_project)
    form = CollaboratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.collaborator_set(
            project=project,
            person=form.cleaned_data["person"],
            right=form.cleaned_data["right"],
            by=request.user,
        )
        messages.success(request, _("The rights were saved."))
        return redirect("projects:collaborators", pk=project.pk)
    return render(
        request,
        "projects/collaborators.html",
        {
            "project": project,
            "form": form,
            "collaborators": Collaborator.objects.filter(project=project).select_related("person"),
        },
    )


@login_required
@require_POST
def collaborator_remove(request, pk, collaborator):
    project = get_project(request, pk, check=can_lead_project)
    collaborator = get_object_or_404(Collaborator.objects.filter(project=project), pk=collaborator)
    services.collaborator_remove(collaborator=collaborator, by=request.user)
    messages.success(request, _("The rights were removed."))
    return redirect("projects:collaborators", pk=project.pk)


@login_required
@require_POST
def comment_create(request, pk):
    project = get_project(request, pk, check=can_comment_project)
    form = CommentForm(request.POST)
    if form.is_valid():
        organisation_id = next(iter(sorted(project.access.organisation_ids)), None)
        services.comment_add(
            project=project, by=request.user, text=form.cleaned_data["text"], organisation_id=organisation_id
        )
        messages.success(request, _("Your comment was added."))
    else:
        messages.error(request, _("The comment was not added: %(errors)s") % {"errors": _errors_text(form)})
    return redirect(f"{project.get_absolute_url()}#comments")


@login_required
@require_POST
def attachment_create(request, pk):
    project = get_project(request, pk, check=can_edit_project)
    call = project.application.call if project.application else None
    form = AttachmentForm(
        request.POST,
        request.FILES,
        project=project,
        call=call,
        organisation_ids=project.access.organisation_ids,
    )
    if form.is_valid():
        try:
            services.attachment_add(
                project=project,
                upload=form.cleaned_data["file"],
                by=request.user,
                title=form.cleaned_data["title"],
                required_document=form.cleaned_data["required_document"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file was attached."))
    else:
        messages.error(request, _("The file was not attached: %(errors)s") % {"errors": _errors_text(form)})
    return redirect(f"{project.get_absolute_url()}#attachments")


def _attachment(project, pk):
    return get_object_or_404(ProjectAttachment.objects.filter(project=project), pk=pk)


@require_GET
def attachment_download(request, pk, attachment):
    """Files are served through this view, never straight from the media folder: to the
    project's people, and to the reviewers cleared to read its application."""
    project = get_object_or_404(project_queryset(), pk=pk)
    application = current_application(project)
    if not can_view_project(request.user, project) and not (
        application is not None and can_read_application_files(request.user, application)
    ):
        raise Http404
    attachment = _attachment(project, attachment)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=attachment.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def attachment_delete(request, pk, attachment):
    project = get_project(request, pk, check=can_edit_project)
    attachment = _attachment(project, attachment)
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(f"{project.get_absolute_url()}#attachments")


# Submission and the lead's transitions ------------------------------------------------------------


def _application(project):
    if project.application is None:
        raise Http404
    return project.application


@login_required
@require_http_methods(["GET", "POST"])
def project_submit(request, pk):
    """Every rule of the call, met or not; the submit button works once all are met."""
    project = get_project(request, pk, check=can_lead_project)
    application = _application(project)
    checks = check_rules(application) if application.is_draft else []
    if request.method == "POST":
        try:
            funding_services.application_submit(application=application, by=request.user)
        except funding_services.RulesNotMet as error:
            checks = error.checks
            messages.error(request, _("The project cannot be submitted yet: see what is missing below."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "The project is submitted. It is frozen as it is now; "
                    "the call's managers take it from here."
                ),
            )
            return redirect(project)
    return render(
        request,
        "projects/project_submit.html",
        {"project": project, "application": application, "checks": checks, "unmet": unmet(checks)},
    )


def _lead_transition(request, pk, to, done_message):
    project = get_project(request, pk, check=can_lead_project)
    application = _application(project)
    try:
        funding_services.application_transition(
            application=application, to=to, by=request.user, note=request.POST.get("note", "")[:2000]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect(project)


@login_required
@require_POST
def application_withdraw(request, pk):
    return _lead_transition(request, pk, Status.WITHDRAWN, _("The application is withdrawn."))


@login_required
@require_POST
def application_reopen(request, pk):
    return _lead_transition(
        request,
        pk,
        Status.DRAFT,
        _("The project is a draft again: change it, then submit it before the deadline."),
    )


@login_required
@require_POST
def application_accept(request, pk):
    return _lead_transition(
        request,
        pk,
        Status.IN_PROGRESS,
        _("You accepted the funding and its conditions. The project is under way."),
    )


@require_GET
def version_detail(request, pk, number):
    """A submitted version, as it was frozen."""
    project = get_project(request, pk)
    application = _application(project)
    version = get_object_or_404(application.versions.all(), number=number)
    return render(
        request,
        "projects/version_detail.html",
        {"project": project, "application": application, "version": version, "data": version.data},
    )
