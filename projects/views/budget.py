"""The project's budget: its lines, their totals and shares."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..budget import budget_totals
from ..forms import BudgetLineForm
from ..models import BudgetLine
from ..permissions import can_edit_project
from .common import add_service_errors, get_project, rebased

FIELDS = ("organisation", "category", "description", "nature", "source", "other_source", "amount")


@require_http_methods(["GET", "POST"])
def budget(request, pk):
    """Everyone who sees the project sees its budget; those who edit it add lines."""
    project = get_project(request, pk)
    can_edit = can_edit_project(request.user, project)
    form = BudgetLineForm(request.POST or None, project=project) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.budget_line_save(
                    project=project, by=request.user, **{name: form.cleaned_data[name] for name in FIELDS}
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The line was added."))
                return redirect("projects:budget", pk=project.pk)
    lines = list(BudgetLine.objects.filter(project=project).select_related("organisation", "updated_by"))
    call = project.application.call if project.application else None
    return render(
        request,
        "projects/budget.html",
        {
            "project": project,
            "call": call,
            "lines": lines,
            "totals": budget_totals(lines),
            "form": form,
            "can_edit": can_edit,
            "partnerships": list(project.partnerships.all()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_update(request, pk, line):
    project = get_project(request, pk, check=can_edit_project)
    line = get_object_or_404(BudgetLine.objects.filter(project=project), pk=line)
    conflict = None
    if request.method == "POST":
        form = BudgetLineForm(request.POST, project=project, instance=line)
        if form.is_valid():
            try:
                services.budget_line_save(
                    project=project,
                    by=request.user,
                    line=line,
                    expected_version=form.cleaned_data["version"],
                    **{name: form.cleaned_data[name] for name in FIELDS},
                )
            except services.EditConflict as error:
                conflict = error
                line.refresh_from_db()
                form = rebased(BudgetLineForm, request.POST, error.version, project=project, instance=line)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The line was saved."))
                return redirect("projects:budget", pk=project.pk)
    else:
        form = BudgetLineForm(project=project, instance=line, initial={"version": line.version})
    return render(
        request,
        "projects/budget_line_form.html",
        {"project": project, "line": line, "form": form, "conflict": conflict},
    )


@login_required
@require_POST
def budget_line_delete(request, pk, line):
    project = get_project(request, pk, check=can_edit_project)
    line = get_object_or_404(BudgetLine.objects.filter(project=project), pk=line)
    try:
        services.budget_line_delete(line=line, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The line was removed."))
    return redirect("projects:budget", pk=project.pk)
