from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from funding.models import Application

from ..models import Partnership, Project
from ..permissions import can_view_project, current_application, project_access


def project_queryset():
    return Project.objects.select_related("lead", "table").prefetch_related(
        Prefetch("partnerships", queryset=Partnership.objects.select_related("organisation", "answered_by")),
        Prefetch(
            "applications",
            queryset=Application.objects.select_related("call__table", "resolution").prefetch_related(
                "call__shares", "versions"
            ),
        ),
    )


def get_project(request, pk, *, check=None):
    """The project `pk` if the user may see it (404 otherwise: a project's existence does
    not leak), then, with `check`, only if check(user, project) holds (403)."""
    project = get_object_or_404(project_queryset(), pk=pk)
    if not can_view_project(request.user, project):
        raise Http404
    if check is not None and not check(request.user, project):
        raise PermissionDenied
    project.access = project_access(request.user, project)
    project.application = current_application(project)
    return project


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: under the field it names when the form
    has that field, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def rebased(form_class, data, version, **kwargs):
    """The same form with what the person typed, now based on the version someone else
    saved: saving it again, once merged, goes through."""
    data = data.copy()
    data["version"] = version
    return form_class(data, **kwargs)
