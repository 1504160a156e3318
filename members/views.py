from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tables.models import Membership, Table
from tables.plan_progress import commitments_of
from tables.regional import organisation_load_seen_by

from .access import access_for
from .documents.email import read_unsubscribe_token
from .filters import OrganisationFilter
from .forms import NotificationPreferencesForm, OrganisationForm, ProfileForm
from .models import Delegation, EmailKind, EmailOptOut, Notification, Organisation
from .permissions import can_create_organisation, can_edit_organisation, can_see_people
from .services import email_opt_in, email_opt_out, preferences_of, preferences_save

PAGE_SIZE = 30


def organisation_list(request):
    visible_tables = Table.objects.visible_to(request.user)
    organisation_filter = OrganisationFilter(
        request.GET,
        queryset=Organisation.objects.select_related("region"),
        tables=visible_tables.order_by("name").only("id", "name"),
    )
    page = Paginator(organisation_filter.qs.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Tables counted for the page's organisations only: counting for all of them before
    # sorting and cutting the page grew with the directory.
    counts = dict(
        Membership.objects.active()
        .filter(organisation__in=[organisation.pk for organisation in page], table__in=visible_tables)
        .values("organisation")
        .annotate(count=Count("table", distinct=True))
        .values_list("organisation", "count")
    )
    for organisation in page:
        organisation.table_count = counts.get(organisation.pk, 0)
    template = "members/_organisation_results.html" if request.htmx else "members/organisation_list.html"
    return render(
        request,
        template,
        {"filter": organisation_filter, "page": page, "can_create": can_create_organisation(request.user)},
    )


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("region"), slug=slug)
    show_people = can_see_people(request.user, organisation)
    access = access_for(request.user)
    # Delegates are shown for the tables the visitor sits at or coordinates (every table
    # for an administrator): only those are read.
    delegations = Delegation.objects.active().select_related("person").order_by("role")
    if not access.is_admin:
        delegations = delegations.filter(membership__table_id__in=access.table_ids)
    memberships = (
        Membership.objects.active()
        .filter(organisation=organisation, table__in=Table.objects.visible_to(request.user))
        .select_related("table", "table__region")
        .prefetch_related(Prefetch("delegations", queryset=delegations, to_attr="current_delegations"))
        .order_by("table__name")
    )
    people = []
    if show_people:
        people = (
            organisation.affiliations.filter(end__isnull=True)
            .select_related("person")
            .order_by("person__last_name")
        )
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "people": people,
            "show_people": show_people,
            "insider_table_ids": access.table_ids,
            "is_admin": access.is_admin,
            "can_edit": can_edit_organisation(request.user, organisation),
            "commitments": commitments_of(organisation, request.user)[:30],
            "load": organisation_load_seen_by(organisation, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    if not can_create_organisation(request.user):
        raise PermissionDenied
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        messages.success(request, _("The organisation was added to the directory."))
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(f"{next_url}?{urlencode({'q': organisation.name})}")
        return redirect(organisation)
    return render(
        request, "members/organisation_form.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_update(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST if request.method == "POST" else None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organisation was saved."))
        return redirect(organisation)
    return render(request, "members/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile was saved."))
        response = redirect("members:profile")
        if user.language:
            remember_language(response, user.language)
        return response
    delegations = (
        Delegation.objects.active()
        .filter(person=request.user)
        .select_related("membership__table", "membership__organisation")
    )
    affiliations = request.user.affiliations.select_related("organisation")
    return render(
        request,
        "members/profile.html",
        {"form": form, "delegations": delegations, "affiliations": affiliations},
    )


@require_POST
def set_language(request):
    """Switch the interface language; remembered in a cookie and, for a signed-in person,
    in their profile."""
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = remember_language(HttpResponseRedirect(next_url), language)
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def remember_language(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The link at the bottom of an email. GET asks (mail scanners open links and must not
    unsubscribe anyone); POST does it, from the page's button or from the mail program's
    one-click request (RFC 8058), which comes without cookies: the signed token is the
    proof, so there is no CSRF token to check."""
    try:
        address, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        raise Http404 from None
    if kind in EmailKind.required():
        raise Http404
    done = None
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            email_opt_in(address=address, kind=kind)
            done = "resubscribed"
        else:
            email_opt_out(address=address, kind=kind)
            done = "unsubscribed"
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)
    opted_out = EmailOptOut.objects.filter(address__iexact=address, kind=kind).exists()
    return render(
        request,
        "members/unsubscribe.html",
        {"address": address, "kind": EmailKind(kind).label, "opted_out": opted_out, "done": done},
    )


NOTIFICATIONS_PAGE = 30


@login_required
def notification_list(request):
    # Not through request.user.notifications: the related manager would load each row's
    # deferred recipient_id to attach the user, one query per notification.
    notifications = Notification.objects.filter(recipient=request.user).only(
        "pk", "title", "url", "created_at", "read_at"
    )
    page = Paginator(notifications, NOTIFICATIONS_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "members/notification_list.html", {"page": page, "notifications": page.object_list}
    )


@login_required
@require_http_methods(["GET"])
def notification_open(request, pk):
    """Mark one notification read and go where it points (a page of the site only). A
    plain link, so that it opens in a new tab too; marking read twice changes nothing."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("members:notification-list")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notification_read_all(request):
    count = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("members:notification-list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None,
        current=preferences_of(request.user),
        weekday=request.user.digest_weekday,
    )
    if request.method == "POST" and form.is_valid():
        preferences_save(
            person=request.user,
            deliveries=form.deliveries(),
            digest_weekday=form.cleaned_data["digest_weekday"],
        )
        messages.success(request, _("Your choices were saved."))
        return redirect("members:notification-preferences")
    return render(request, "members/notification_preferences.html", {"form": form})
