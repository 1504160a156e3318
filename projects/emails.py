"""Emails about projects and calls: who speaks for an organisation, and one message per
person in their own language, sent by Celery once the transaction commits."""

from contextlib import contextmanager
from contextvars import ContextVar

from members.emails import site_url
from members.models import Affiliation, Delegation, EmailKind, User
from members.services.notifications import notify
from tables.models import Membership

# Demo data is built through the same services as real work; its people are fictitious
# and must not be written to.
_silenced = ContextVar("silenced", default=False)


@contextmanager
def silenced():
    """No email leaves while inside (for building demo data)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


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
    people, template: str, context: dict, *, notification: str, kind: str = EmailKind.PROJECTS, reply_to=None
) -> int:
    """Notify each person (`members.services.notify`): in their list on the site, and by
    email as they chose for `notification`, from `<template>_subject.txt` and
    `<template>_message.txt` in their language. Returns how many people were told."""
    if _silenced.get():
        return 0
    return notify(
        people=[person for person in people if person.email],
        kind=notification,
        template=template,
        context=context,
        email_kind=kind,
        reply_to=reply_to,
    )


def absolute(path: str) -> str:
    return site_url(path)
