from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.emails import site_url
from members.models import EmailKind, Notification
from members.services.notifications import notify

from ..models import Communique

__all__ = ["send_communique"]

BATCH = 50


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700, ignore_result=True)
def send_communique(communique_id: int) -> int:
    """Tell the communiqué's recipients by batches, saving the progress after each, so
    that the coordinator sees it move and a worker that died resumes where it stopped.
    Safe to run twice. Returns how many people this run told."""
    from ..services.communiques import communique_recipients

    told = 0
    while True:
        with transaction.atomic():
            communique = (
                Communique.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("table", "created_by", "committee")
                .filter(pk=communique_id)
                .exclude(status=Communique.Status.SENT)
                .first()
            )
            if communique is None:
                return told
            batch = list(communique_recipients(communique).filter(pk__gt=communique.last_person_id)[:BATCH])
            if not batch:
                Communique.objects.filter(pk=communique.pk).update(
                    status=Communique.Status.SENT, sent_at=timezone.now()
                )
                return told
            notify(
                people=batch,
                kind=Notification.Kind.COMMUNIQUE,
                template="tables/email/communique",
                context={
                    "communique": communique,
                    "table": communique.table,
                    "url": site_url(communique.get_absolute_url()),
                },
                email_kind=EmailKind.COMMUNIQUE,
                about=communique,
                reply_to=[communique.created_by.email]
                if communique.created_by and communique.created_by.email
                else None,
            )
            Communique.objects.filter(pk=communique.pk).update(
                status=Communique.Status.SENDING,
                done=F("done") + len(batch),
                last_person_id=batch[-1].pk,
            )
            told += len(batch)
