"""Process indicators, the yearly self-assessment and the annual bilan of a table."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.access import access_for

from ..assessment import GROUPS, LABELS, assessment_answer, is_open
from ..bilan import bilan_charts
from ..forms.bilans import AnswerForm, BilanForm, SelfAssessmentForm
from ..indicators import MIN_ANSWERS_SHOWN, process_indicators
from ..models import Bilan, SelfAssessment
from ..permissions import can_manage_table, can_read_bilans
from .common import get_table


def _readable_table(request, slug):
    table = get_table(request, slug)
    if not can_read_bilans(request.user, table):
        raise Http404
    return table


def _period(request):
    """The year asked for (?year=), the current one by default."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    return year, date(year, 1, 1), date(year, 12, 31)


def indicators(request, slug):
    table = _readable_table(request, slug)
    year, starts, ends = _period(request)
    result = process_indicators(table, starts, ends)
    return render(
        request,
        "tables/indicators.html",
        {
            "table": table,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "result": result,
            "charts": bilan_charts(result),
            "labels": LABELS,
            "can_manage": can_manage_table(request.user, table),
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_list(request, slug):
    table = _readable_table(request, slug)
    manage = can_manage_table(request.user, table)
    form = SelfAssessmentForm(
        request.POST if request.method == "POST" else None,
        table=table,
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                form.save()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The self-assessment is open to the members."))
                return redirect("tables:assessment-list", slug=table.slug)
    assessments = list(table.assessments.all())
    answered = set(
        (
            request.user.is_authenticated
            and SelfAssessment.objects.filter(table=table, participations__person=request.user).values_list(
                "pk", flat=True
            )
        )
        or []
    )
    for assessment in assessments:
        assessment.open_now = is_open(assessment)
        assessment.answered = assessment.pk in answered
    return render(
        request,
        "tables/assessment_list.html",
        {
            "table": table,
            "assessments": assessments,
            "form": form if manage else None,
            "can_answer": access_for(request.user).sits_at(table.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_answer_view(request, slug, pk):
    table = _readable_table(request, slug)
    assessment = get_object_or_404(SelfAssessment, table=table, pk=pk)
    if not access_for(request.user).sits_at(table.pk):
        raise PermissionDenied
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_answer(
                assessment=assessment,
                person=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you! Your answer is recorded anonymously."))
        return redirect("tables:assessment-list", slug=table.slug)
    return render(
        request,
        "tables/assessment_answer.html",
        {
            "table": table,
            "assessment": assessment,
            "form": form,
            "groups": GROUPS,
            "open": is_open(assessment),
        },
    )


def bilan_list(request, slug):
    table = _readable_table(request, slug)
    return render(
        request,
        "tables/bilan_list.html",
        {"table": table, "bilans": table.bilans.all(), "can_manage": can_manage_table(request.user, table)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def bilan_form(request, slug, pk=None):
    table = get_table(request, slug, manage=True)
    bilan = get_object_or_404(Bilan, table=table, pk=pk) if pk else None
    year = timezone.localdate().year
    form = BilanForm(
        request.POST if request.method == "POST" else None,
        instance=bilan,
        table=table,
        initial={
            "title": _("Annual report %(year)s") % {"year": year},
            "starts": date(year, 1, 1),
            "ends": date(year, 12, 31),
        },
    )
    if request.method == "POST" and form.is_valid():
        bilan = form.save(commit=False)
        bilan.created_by = bilan.created_by or request.user
        bilan.save()
        messages.success(request, _("The bilan was saved."))
        return redirect("tables:bilan-detail", slug=table.slug, pk=bilan.pk)
    return render(request, "tables/bilan_form.html", {"table": table, "form": form, "bilan": bilan})


def bilan_detail(request, slug, pk):
    table = _readable_table(request, slug)
    bilan = get_object_or_404(Bilan.objects.select_related("agreement"), table=table, pk=pk)
    bilan.table = table
    result = process_indicators(table, bilan.starts, bilan.ends)
    return render(
        request,
        "tables/bilan_detail.html",
        {
            "table": table,
            "bilan": bilan,
            "result": result,
            "charts": bilan_charts(result),
            "labels": LABELS,
            "min_answers": MIN_ANSWERS_SHOWN,
            "can_manage": can_manage_table(request.user, table),
        },
    )
