"""The reviewers' pages: their list, and for each application the declaration of
interests first, then the frozen application and the scoring grid. Other reviewers'
scores appear only once their own review is submitted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members.documents.exports import export_response
from members.services.editing import EditConflict
from projects.models import Partnership
from projects.views.common import add_service_errors, rebased

from .. import services
from ..assignments import may_review
from ..comparison import DISAGREEMENT_POINTS, STATUSES, call_comparison
from ..conflicts import excluded_automatically
from ..forms import DeclarationForm, ReviewForm
from ..models import Declaration, Review, Status, weighted_total
from ..permissions import can_compare_applications, can_decide, can_manage_call, can_review, reviewer_for
from ..presentation import review_rows
from ..selectors import REVIEWED_STATUSES, my_reviews, review_board
from .common import get_application, get_call


@login_required
@require_GET
def review_list(request):
    return render(
        request,
        "funding/review_list.html",
        {"groups": my_reviews(request.user), "today": timezone.localdate()},
    )


def _others(call, application, reviewer):
    """The other reviewers' submitted reviews, numbered, without their names."""
    rows = [
        row
        for row in review_board(call, statuses=[application.status])
        if row.application.pk == application.pk
    ]
    if not rows:
        return [], None
    others = [s for s in rows[0].states if s.state == "submitted" and s.reviewer.pk != reviewer.pk]
    return others, rows[0]


@login_required
@require_http_methods(["GET", "POST"])
def review_form(request, pk, application):
    call = get_call(request, pk, check=can_review)
    application = get_application(call, application)
    if application.status not in REVIEWED_STATUSES:
        raise Http404
    reviewer = reviewer_for(request.user, call)
    reviewer.call = call
    project = application.project
    partners = list(Partnership.objects.involved().filter(project=project).select_related("organisation"))
    context = {
        "call": call,
        "table": call.table,
        "application": application,
        "project": project,
        "partners": partners,
    }
    if not may_review(reviewer, application):
        # The call assigns its applications, and this one is not on the reviewer's list.
        raise Http404
    if excluded_automatically(reviewer, application):
        return render(request, "funding/review_form.html", {**context, "state": "excluded"})
    declaration = Declaration.objects.filter(reviewer=reviewer, application=application).first()
    if declaration is None or (
        declaration and not declaration.has_conflict and request.POST.get("action") == "declare"
    ):
        form = DeclarationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                declaration = services.declaration_record(
                    reviewer=reviewer,
                    application=application,
                    has_conflict=form.cleaned_data["has_conflict"],
                    details=form.cleaned_data["details"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your conflict of interest is recorded: you will not review this application.")
                    if declaration.has_conflict
                    else _("Thank you. The application is open to you below."),
                )
                return redirect("funding:review-form", pk=call.pk, application=application.pk)
        return render(request, "funding/review_form.html", {**context, "state": "to_declare", "form": form})
    if declaration.has_conflict:
        return render(
            request, "funding/review_form.html", {**context, "state": "conflict", "declaration": declaration}
        )

    criteria = list(call.criteria.all())
    review = (
        Review.objects.filter(reviewer=reviewer, application=application).prefetch_related("scores").first()
    )
    conflict = None
    form = None
    writable = application.status == Status.IN_REVIEW and not (review and review.is_submitted)
    if request.method == "POST":
        if not writable:
            messages.error(request, _("This review can no longer change."))
            return redirect("funding:review-form", pk=call.pk, application=application.pk)
        form = ReviewForm(request.POST, criteria=criteria)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.review_save(
                    reviewer=reviewer,
                    application=application,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    comment=form.cleaned_data["comment"],
                    scores=form.scores(),
                    submit=submit,
                )
            except EditConflict as error:
                conflict = error
                form = rebased(ReviewForm, request.POST, error.version, criteria=criteria)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your review is submitted. Thank you.") if submit else _("Your review was saved."),
                )
                return redirect("funding:review-form", pk=call.pk, application=application.pk)
    elif writable:
        initial = {"version": review.version if review else 1, "comment": review.comment if review else ""}
        for score in review.scores.all() if review else []:
            initial[f"score_{score.criterion_id}"] = "" if score.value is None else str(score.value)
            initial[f"note_{score.criterion_id}"] = score.comment
        form = ReviewForm(initial=initial, criteria=criteria)
    submitted = review is not None and review.is_submitted
    others, board_row = _others(call, application, reviewer) if submitted else ([], None)
    version = application.versions.order_by("-number").first()
    scores = {s.criterion_id: s for s in review.scores.all()} if review else {}
    return render(
        request,
        "funding/review_form.html",
        {
            **context,
            "state": "review",
            "criteria": criteria,
            "form": form,
            "conflict": conflict,
            "review": review,
            "my_scores": [(c, scores.get(c.pk)) for c in criteria],
            "my_total": weighted_total(review.scores.all(), criteria) if submitted else None,
            "submitted": submitted,
            "others": others,
            "board_row": board_row,
            "version": version,
            "data": version.data if version else None,
        },
    )


@login_required
@require_GET
def call_reviews_export(request, pk):
    """The call's reviews and scores as CSV for a spreadsheet (default), CSV for a program
    (?format=csv-machine) or XLSX (?format=xlsx), for those who manage the call: its
    committee compares the applications from it."""
    call = get_call(request, pk, check=can_manage_call)
    header, rows = review_rows(call, review_board(call))
    stamp = timezone.localdate().isoformat()
    name = f"evaluations-appel-{call.pk}-{stamp}"
    return export_response(request.GET.get("format"), name, header, rows, sheet_title="evaluations")


@login_required
@require_GET
def call_compare(request, pk):
    """The committee's comparison of the call's applications, side by side: each
    criterion's average, the overall average, the reviews done and the disagreements;
    sorted and filtered by the query string, a page at a time."""
    call = get_call(request, pk, check=can_compare_applications)
    manages = can_manage_call(request.user, call) or can_decide(request.user, call)
    status = request.GET.get("status", "")
    if status not in STATUSES:
        status = ""
    comparison = call_comparison(
        call,
        viewer=request.user,
        manages=manages,
        sort=request.GET.get("sort", "-average"),
        status=status,
        page=request.GET.get("page"),
    )
    return render(
        request,
        "funding/call_compare.html",
        {
            "call": call,
            "table": call.table,
            "comparison": comparison,
            "manages": manages,
            "is_reviewer": can_review(request.user, call),
            "disagreement_points": DISAGREEMENT_POINTS,
        },
    )
