"""Partners: the lead invites and proposes terms; each partner answers for itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import PartnerAnswerForm, PartnerInviteForm, PartnerTermsForm
from ..models import Partnership, PartnershipAnswer, ProjectAttachment
from ..permissions import can_answer_partnership, can_edit_project, can_lead_project, is_editable
from .common import add_service_errors, get_project, rebased


def _lead_and_editable(user, project) -> bool:
    return can_lead_project(user, project) and is_editable(project)


def _partnership(project, pk) -> Partnership:
    partnership = get_object_or_404(
        Partnership.objects.select_related("organisation"), project=project, pk=pk
    )
    partnership.project = project
    return partnership


def _terms(cleaned) -> dict:
    return {name: cleaned.get(name) for name in services.TERMS_FIELDS if name in cleaned}


@login_required
@require_http_methods(["GET", "POST"])
def partner_invite(request, pk):
    project = get_project(request, pk, check=_lead_and_editable)
    call = project.application.call if project.application else None
    form = PartnerInviteForm(request.POST or None, project=project, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partner_invite(
                project=project,
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                message=form.cleaned_data["message"],
                **_terms(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(organisation)s is invited. Its delegates were told by email; they confirm for it.")
                % {"organisation": partnership.organisation.short_name},
            )
            return redirect(f"{project.get_absolute_url()}#partners")
    return render(request, "projects/partner_invite.html", {"project": project, "form": form, "call": call})


@login_required
@require_http_methods(["GET", "POST"])
def partner_terms(request, pk, partnership):
    """The lead proposes other terms to a partner; a confirmed partner must then confirm
    again."""
    project = get_project(request, pk, check=_lead_and_editable)
    partnership = _partnership(project, partnership)
    conflict = None
    if request.method == "POST":
        form = PartnerTermsForm(request.POST)
        if form.is_valid():
            try:
                services.partner_update_terms(
                    partnership=partnership,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    **_terms(form.cleaned_data),
                )
            except services.EditConflict as error:
                conflict = error
                form = rebased(PartnerTermsForm, request.POST, error.version)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The terms were saved."))
                return redirect(f"{project.get_absolute_url()}#partners")
    else:
        form = PartnerTermsForm(
            initial={name: getattr(partnership, name) for name in services.TERMS_FIELDS}
            | {"version": partnership.version}
        )
    return render(
        request,
        "projects/partner_terms.html",
        {"project": project, "partnership": partnership, "form": form, "conflict": conflict},
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_answer(request, pk, partnership):
    """The partner organisation's page: what it is asked, and its own answer."""
    project = get_project(request, pk)
    partnership = _partnership(project, partnership)
    if not can_answer_partnership(request.user, partnership):
        raise PermissionDenied
    editable = is_editable(project)
    conflict = None
    letter_documents = services.partner_documents(project)
    letter_document = letter_documents[0] if letter_documents else None
    letter = (
        ProjectAttachment.objects.filter(
            project=project, required_document=letter_document, organisation_id=partnership.organisation_id
        )
        .select_related("uploaded_by")
        .first()
        if letter_document
        else None
    )
    letter_kwargs = {"letter_document": letter_document, "has_letter": letter is not None}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = PartnerAnswerForm(request.POST, request.FILES, **letter_kwargs)
        if form.is_valid():
            confirm = form.cleaned_data["answer"] == "confirm"
            try:
                services.partner_answer(
                    partnership=partnership,
                    by=request.user,
                    confirm=confirm,
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                    letter=form.cleaned_data.get("letter") or None,
                    **(_terms(form.cleaned_data) if confirm else {}),
                )
            except services.EditConflict as error:
                conflict = error
                form = rebased(PartnerAnswerForm, request.POST, error.version, **letter_kwargs)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your organisation's participation is confirmed.")
                    if confirm
                    else _("Your organisation declined to take part."),
                )
                return redirect(project)
    else:
        form = PartnerAnswerForm(
            initial={name: getattr(partnership, name) for name in services.TERMS_FIELDS}
            | {"version": partnership.version, "answer": "confirm"},
            **letter_kwargs,
        )
    answers = PartnershipAnswer.objects.filter(partnership=partnership).select_related("by")
    return render(
        request,
        "projects/partner_answer.html",
        {
            "project": project,
            "partnership": partnership,
            "form": form if editable else None,
            "conflict": conflict,
            "answers": answers,
            "letter_document": letter_document,
            "letter": letter,
            "can_edit": can_edit_project(request.user, project),
        },
    )


@login_required
@require_POST
def partner_remove(request, pk, partnership):
    project = get_project(request, pk, check=_lead_and_editable)
    partnership = _partnership(project, partnership)
    try:
        services.partner_remove(partnership=partnership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s is no longer a partner.")
            % {"organisation": partnership.organisation.short_name},
        )
    return redirect(f"{project.get_absolute_url()}#partners")
