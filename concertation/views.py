"""Site-wide views: the home page, which gathers what each app has for the visitor, and
the health check."""

from django.http import HttpResponse
from django.shortcuts import render

from funding.selectors import home_context as funding_home_context
from members.access import access_for
from members.todo import todo_for
from tables.models import Invitation, Meeting, Membership, Table
from tables.selectors.minutes import follow_ups_for_organisation
from tables.views.tables import active_member_count


def home(request):
    """What concerns the visitor now: their tables and invitations, or the public tables."""
    access = access_for(request.user)
    context = {}
    if access.is_authenticated:
        my_table_ids = access.table_ids
        context["my_tables"] = (
            Table.objects.filter(pk__in=my_table_ids)
            .select_related("region")
            .annotate(member_count=active_member_count())
            .order_by("name")
        )
        context["coordinated_table_ids"] = access.coordinated_table_ids
        context["todo"] = todo_for(request.user)
        context["upcoming_meetings"] = (
            Meeting.objects.upcoming()
            .filter(table__in=my_table_ids)
            .select_related("table")
            .order_by("starts_at")[:6]
        )
        if access.organisation_id:
            context["follow_ups"] = follow_ups_for_organisation(access.organisation_id).filter(
                table__in=my_table_ids
            )[:10]
            context["organisation_memberships"] = (
                Membership.objects.active()
                .filter(
                    organisation_id=access.organisation_id, table__in=Table.objects.visible_to(request.user)
                )
                .select_related("table", "organisation")
                .order_by("table__name")
            )
        context.update(funding_home_context(request.user))
        emails = request.user.emailaddress_set.filter(verified=True).values_list("email", flat=True)
        context["invitations"] = (
            Invitation.objects.pending()
            .filter(email__in=list(emails) or [request.user.email])
            .select_related("membership__table", "membership__organisation")
        )
    else:
        context["public_tables"] = (
            Table.objects.public()
            .select_related("region")
            .annotate(member_count=active_member_count())
            .order_by("name")[:12]
        )
        context["public_table_count"] = Table.objects.public().count()
    return render(request, "home.html", context)


def healthz(request):
    """For the container health check: the process answers and the database responds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
