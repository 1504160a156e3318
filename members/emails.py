"""Rendering emails and handing them to Celery."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboxEmail
from .queue import enqueue
from .tasks import deliver_email

# The interface is French first; messages to people whose language we do not know yet
# carry both languages, French on top.
BILINGUAL = ("fr-ca", "en")


def queue_email(*, subject, body, to, html=None, reply_to=None):
    """Write the email to the outbox in the current transaction, and hand it to Celery
    once that transaction commits (never from a rollback). When the broker cannot be
    reached the request still succeeds: the outbox sweep sends the email later."""
    email = OutboxEmail.objects.create(
        subject=subject[:255], body=body, to=list(to), html=html or "", reply_to=list(reply_to or [])
    )
    transaction.on_commit(lambda: _hand_over(email.pk))
    return email


def _hand_over(email_id):
    enqueue(deliver_email, email_id)


def render_bilingual(template_name, context, languages=BILINGUAL):
    """Render `template_name` once per language and join the versions with a rule."""
    parts = []
    for language in languages:
        with translation.override(language):
            parts.append(render_to_string(template_name, context).strip())
    return "\n\n――――――――――――――――――――\n\n".join(parts)


def site_url(path):
    return f"{settings.SITE_URL}{path}"


def site_domain() -> str:
    """The host name of SITE_URL: what Message-IDs and calendar UIDs end with, so that two
    deployments never hand out the same identifier."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
