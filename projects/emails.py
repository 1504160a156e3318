"""Emails about projects and calls: who speaks for an organisation, and one message per
person in their own language, sent by Celery once the transaction commits."""

from members.emails import site_url
from members.models import Affiliation, Delegation, EmailKind, User
from members.services.notifications import notify, without_email
from tables.models import Membership

# Demo data is built through the same services as real work: no email leaves while
# inside (its people are fictitious), their notifications are written.
silenced = without_email


def people_acting_for(organisation_ids, table_id: int) -> list[User]:
    """The delegates and substitutes of these organisations at the table; for an
    organisation that does not sit there, the people who work for it."""
    organisation_ids = set(organisation_ids)
    delegations = (
        Delegation.objects.active()
        .filter(
            membership__in=Membership.objects.active().filter(
                table_id=table_id, organisation_id__in=organisation_ids
            )
        )
        .select_related("person", "membership")
    )
    people = {}
    represented = set()
    for delegation in delegations:
        people[delegation.person_id] = delegation.person
        represented.add(delegation.membership.organisation_id)
    outside = organisation_ids - represented
    if outside:
        for affiliation in Affiliation.objects.filter(
            organisation_id__in=outside, end__isnull=True
        ).select_related("person"):
            people[affiliation.person_id] = affiliation.person
    return [person for person in people.values() if person.is_active and person.email]


def send_to(
    people,
    template: str,
    context: dict,
    *,
    notification: str,
    kind: str = EmailKind.PROJECTS,
    reply_to=None,
    about=None,
) -> int:
    """Notify each person (`members.services.notify`): in their list on the site, and by
    email as they chose for `notification`, from `<template>_subject.txt` and
    `<template>_message.txt` in their language. Returns how many people were told."""
    return notify(
        people=[person for person in people if person.email],
        kind=notification,
        template=template,
        context=context,
        email_kind=kind,
        reply_to=reply_to,
        about=about,
    )


def absolute(path: str) -> str:
    return site_url(path)
