"""Who receives which emails: the opt-outs of the unsubscribe link."""

from django.db import IntegrityError, transaction

from ..models import EmailKind, EmailOptOut

__all__ = ["email_opt_in", "email_opt_out"]


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
