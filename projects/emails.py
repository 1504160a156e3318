"""Emails about projects and calls: who speaks for an organisation, and one message per
person in their own language, sent by Celery once the transaction commits."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import translation

from members.emails import queue_email, render_text, site_url
from members.models import Affiliation, Delegation, EmailKind, User
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


def send_to(people, template: str, context: dict, *, kind: str = EmailKind.PROJECTS, reply_to=None) -> int:
    """Render `<template>_subject.txt` and `<template>_message.txt` for each person in
    their language and queue the emails (not to those who turned `kind` off). Returns how
    many were queued."""
    if _silenced.get():
        return 0
    count = 0
    for person in people:
        language = person.language or settings.LANGUAGE_CODE
        with translation.override(language):
            values = {**context, "person": person}
            subject = render_text(f"{template}_subject.txt", values)
            body = render_text(f"{template}_message.txt", values)
            queued = queue_email(subject=subject, body=body, to=[person.email], kind=kind, reply_to=reply_to)
        count += queued is not None
    return count


def absolute(path: str) -> str:
    return site_url(path)
