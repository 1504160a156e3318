"""Inviting the people of an imported member list."""

from celery import shared_task

from members.models import User

__all__ = ["send_import_invitations"]


@shared_task(
    acks_late=True, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1700, ignore_result=True
)
def send_import_invitations(member_import_id: int, by_id: int | None = None) -> int:
    """Send the invitations of one import (see `member_import_send_invitations`: by
    batches, resumable, safe to run twice). Returns how many were sent by this run."""
    from ..services.imports import member_import_send_invitations

    by = User.objects.filter(pk=by_id).first() if by_id else None
    return member_import_send_invitations(member_import_id=member_import_id, by=by)
