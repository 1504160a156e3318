from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Affiliation, EmailKind, EmailOptOut, Organisation, User


@transaction.atomic
def person_affiliate(
    *, person: User, organisation: Organisation, job_title: str = "", on: date | None = None
) -> Affiliation:
    """Make `organisation` the person's current employer, closing the previous affiliation.

    A person belongs to at most one organisation at a time; earlier ones stay as history.
    """
    on = on or timezone.localdate()
    current = Affiliation.objects.select_for_update().filter(person=person, end__isnull=True).first()
    if current and current.organisation_id == organisation.pk:
        return current
    if current:
        current.end = max(on, current.start)
        current.save(update_fields=["end"])
    return Affiliation.objects.create(person=person, organisation=organisation, job_title=job_title, start=on)


def email_opt_out(*, address: str, kind: str) -> bool:
    """Stop sending `kind` of email to `address`. True when this changed anything; asking
    twice is harmless (a mail program may post the one-click request more than once)."""
    if (
        kind in EmailKind.required()
        or EmailOptOut.objects.filter(address__iexact=address, kind=kind).exists()
    ):
        return False
    try:
        with transaction.atomic():
            EmailOptOut.objects.create(address=address.strip().lower(), kind=kind)
    except IntegrityError:
        return False
    return True


def email_opt_in(*, address: str, kind: str) -> bool:
    """Send `kind` of email to `address` again."""
    deleted, _rows = EmailOptOut.objects.filter(address__iexact=address, kind=kind).delete()
    return bool(deleted)
