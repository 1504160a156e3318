"""Communiqués of the coordination to the table's members."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import User
from members.queue import enqueue

from ..models import Committee, Communique, Table, members_for_audience, people_sitting_for

__all__ = ["communique_recipients", "communique_send"]


def communique_recipients(communique: Communique):
    """The delegates and substitutes, active today, of the members the communiqué is for,
    each once, in order of id."""
    memberships = members_for_audience(
        communique.table_id, communique.audience, communique.committee_id, communique.sector
    )
    return people_sitting_for(memberships).exclude(email="")


@transaction.atomic
def communique_send(
    *,
    table: Table,
    by: User,
    subject: str,
    body: str,
    audience: str = Communique.Audience.ALL,
    sector: str = "",
    committee: Committee | None = None,
) -> Communique:
    """Write the communiqué and have a Celery worker tell each recipient once the
    transaction commits. Refuses an empty audience rather than sending to nobody."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ValidationError(_("Give the communiqué a subject and a message."))
    if audience == Communique.Audience.SECTOR and not sector:
        raise ValidationError({"sector": _("Choose the sector the communiqué is for.")})
    if audience == Communique.Audience.COMMITTEE and (committee is None or committee.table_id != table.pk):
        raise ValidationError({"committee": _("Choose one of this table's committees.")})
    communique = Communique(
        table=table,
        subject=subject,
        body=body,
        audience=audience,
        sector=sector if audience == Communique.Audience.SECTOR else "",
        committee=committee if audience == Communique.Audience.COMMITTEE else None,
        created_by=by,
    )
    count = communique_recipients(communique).count()
    if not count:
        raise ValidationError(
            _("Nobody would receive this communiqué: no delegate or substitute sits for these members.")
        )
    communique.recipients = count
    communique.save()
    from ..tasks.communiques import send_communique

    transaction.on_commit(lambda: enqueue(send_communique, communique.pk))
    return communique
