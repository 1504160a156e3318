"""A table's member list in and out: import from a spreadsheet (upload, preview, confirm,
then the invitations), and export as CSV, XLSX or vCards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.documents.exports import attachment_header, csv_response, xlsx_response
from members.models import ActorType, Delegation, Sector

from ..documents import member_export as exports
from ..documents.member_import import FIELDS, HEADERS, MAX_ROWS
from ..forms import MemberImportConfirmForm, MemberImportForm
from ..models import MemberImport, Membership
from ..services import imports as services
from .common import get_table

PREVIEW_PAGE = 100
RECENT_IMPORTS = 5


def _import(table, pk):
    # Filtering on the table turns another table's import into a 404.
    return get_object_or_404(MemberImport.objects.select_related("table", "created_by"), table=table, pk=pk)


def _accepted_values():
    return [
        (_("Sector"), [label for _value, label in Sector.choices]),
        (_("Actor type"), [label for _value, label in ActorType.choices]),
        (_("Status"), [label for _value, label in Membership.Status.choices]),
        (_("Role"), [label for _value, label in Delegation.Role.choices]),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request, slug):
    """Upload a member list; it is read at once and shown for confirmation."""
    table = get_table(request, slug, manage=True)
    posted = request.method == "POST"
    form = MemberImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        upload = services.member_import_create(
            table=table, by=request.user, file=form.member_file, filename=form.cleaned_data["file"].name
        )
        return redirect("tables:member-import-confirm", slug=table.slug, pk=upload.pk)
    return render(
        request,
        "tables/member_import.html",
        {
            "table": table,
            "form": form,
            "columns": [HEADERS[name] for name in FIELDS],
            "accepted": _accepted_values(),
            "max_rows": MAX_ROWS,
            "recent": table.member_imports.select_related("created_by").defer("rows", "invitees")[
                :RECENT_IMPORTS
            ],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_import_confirm(request, slug, pk):
    """The preview of an upload, every row's outcome, and the button that imports it; once
    imported, what was written and the invitations to send."""
    table = get_table(request, slug, manage=True)
    upload = _import(table, pk)
    form = MemberImportConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and not upload.is_imported and form.is_valid():
        try:
            upload = services.member_import_apply(
                member_import=upload, by=request.user, good_rows_only=form.cleaned_data["good_rows_only"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            messages.success(request, _("The member list was imported."))
            return redirect("tables:member-import-confirm", slug=table.slug, pk=upload.pk)
    context = {"table": table, "upload": upload, "form": form}
    if not upload.is_imported:
        analysis = services.member_import_analyse(member_import=upload)
        counts = analysis.counts()
        if counts["bad"] and counts["good"]:
            context["good_only"] = services.member_import_good_rows(
                member_import=upload, analysis=analysis
            ).counts()
        problems_only = request.GET.get("problems") == "1"
        rows = analysis.bad if problems_only else analysis.rows
        context.update(
            counts=counts,
            problems_only=problems_only,
            page=Paginator(rows, PREVIEW_PAGE).get_page(request.GET.get("page")),
        )
    return render(request, "tables/member_import_preview.html", context, status=status)


@login_required
@require_POST
def member_import_invite(request, slug, pk):
    """Send the invitations of an import's people, in the background."""
    table = get_table(request, slug, manage=True)
    upload = _import(table, pk)
    try:
        services.member_import_invite(member_import=upload, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitations are on their way."))
    return redirect("tables:member-import-confirm", slug=table.slug, pk=upload.pk)


@login_required
@require_GET
def member_import_status(request, slug, pk):
    """The invitations' progress, polled by htmx while they go out."""
    table = get_table(request, slug, manage=True)
    upload = get_object_or_404(MemberImport.objects.defer("rows"), table=table, pk=pk)
    return render(request, "tables/member_import_status.html", {"table": table, "upload": upload})


def _filename(table, what: str, extension: str) -> str:
    return f"{table.slug}-{slugify(what)}.{extension}"


@login_required
@require_GET
def member_import_template(request, slug, fmt):
    """An empty member list with the columns the import reads, in the reader's language."""
    table = get_table(request, slug, manage=True)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    header = [str(HEADERS[name]) for name in FIELDS]
    filename = _filename(table, _("member list template"), fmt)
    if fmt == "csv":
        return csv_response(filename, header, [])
    return xlsx_response(filename, header, [], sheet_title=_("Members"))


@require_GET
def member_export(request, slug, fmt):
    """The table's members as CSV, XLSX or vCards, with what the reader may see: contact
    details for the coordination, names for the table's insiders, organisations for the
    others who may see the table (a private table is a 404 to outsiders)."""
    if fmt not in {"csv", "xlsx", "vcf"}:
        raise Http404
    table = get_table(request, slug)
    level = exports.level_for(request.user, table)
    filename = _filename(table, _("members"), fmt)
    if fmt == "vcf":
        response = HttpResponse(exports.member_vcards(table, level), content_type=exports.VCARD_CONTENT_TYPE)
        response["Content-Disposition"] = attachment_header(filename)
    else:
        header, rows = exports.member_sheet(table, level)
        if fmt == "csv":
            response = csv_response(filename, header, rows)
        else:
            response = xlsx_response(filename, header, rows, sheet_title=_("Members"))
    # People's names and addresses: kept by no shared cache, nor on the reader's disk.
    patch_cache_control(response, private=True, no_store=True)
    return response
