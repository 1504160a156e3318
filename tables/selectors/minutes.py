"""Read-only queries on minutes and follow-ups, for pages owned by other parts of the site
(a table's public page, an organisation's dashboard, the next agenda)."""

from django.db.models import F, QuerySet

from ..models import FollowUp, Meeting, Minutes, Table

__all__ = ["business_arising", "follow_ups_for_organisation", "published_minutes_for"]


def follow_ups_for_organisation(organisation_id: int) -> QuerySet[FollowUp]:
    """The open follow-ups an organisation committed to, at every table, soonest due
    first (those without a date last). `is_overdue` flags the late ones. The caller
    decides who may see them: they include private tables."""
    return (
        FollowUp.objects.open()
        .filter(organisation_id=organisation_id)
        .select_related("table", "meeting", "organisation")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )


def published_minutes_for(table: Table) -> QuerySet[Minutes]:
    """The adopted minutes a table publishes on its public page, most recent first; none
    unless the table is public and chose to publish them. Drafts never appear."""
    if not (table.is_public and table.publish_minutes):
        return Minutes.objects.none()
    return (
        Minutes.objects.filter(meeting__table=table, status=Minutes.Status.ADOPTED)
        .select_related("meeting", "adopted_by")
        .order_by("-meeting__starts_at")
    )


def business_arising(meeting: Meeting) -> QuerySet[FollowUp]:
    """The follow-ups still open from the table's earlier meetings: what the agenda lists
    under "business arising from the minutes"."""
    return (
        FollowUp.objects.open()
        .filter(table_id=meeting.table_id, meeting__starts_at__lt=meeting.starts_at)
        .select_related("organisation", "meeting")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )
