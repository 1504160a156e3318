"""Funding tasks: thin, they take primary keys and call a service."""

from celery import shared_task

from .models import FundingCall


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def notify_call_published(call_id: int) -> int:
    """Email the table's delegates about a newly published call. Runs once per call even
    if delivered twice (the service claims the call before sending)."""
    from .services import call_notify_members

    call = FundingCall.objects.select_related("table").filter(pk=call_id).first()
    if call is None:
        return 0
    return call_notify_members(call)
