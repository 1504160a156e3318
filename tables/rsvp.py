"""Signed links that let a delegate answer a convocation from the email, without signing in.

The link names the meeting, the organisation and the person it was sent to; it cannot be
forged and stops working once the meeting has ended, or once the organisation has left the
table or the person no longer sits for it (the same test as answering on the site).
"""

from django.core import signing
from django.utils import timezone

from members.models import Delegation, User

from .models import Meeting, Membership

SALT = "tables.rsvp"


def rsvp_token(meeting: Meeting, membership: Membership, person: User) -> str:
    return signing.dumps({"m": meeting.pk, "s": membership.pk, "p": person.pk}, salt=SALT, compress=True)


def rsvp_load(token: str):
    """(meeting, membership, person) for a valid token, else None."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    meeting = Meeting.objects.select_related("table").filter(pk=data.get("m")).first()
    membership = Membership.objects.select_related("organisation").filter(pk=data.get("s")).first()
    person = User.objects.filter(pk=data.get("p"), is_active=True).first()
    if not (meeting and membership and person) or membership.table_id != meeting.table_id:
        return None
    if meeting.ends_at < timezone.now():
        return None
    if not Membership.objects.active().filter(pk=membership.pk).exists():
        return None
    if not Delegation.objects.active().filter(membership=membership, person=person).exists():
        return None
    return meeting, membership, person
