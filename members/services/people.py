from datetime import date

from django.db import transaction
from django.utils import timezone

from ..models import Affiliation, Organisation, User

__all__ = ["person_affiliate"]


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
