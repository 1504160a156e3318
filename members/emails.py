"""Rendering emails and handing them to Celery."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import translation

from .models import EmailKind, EmailOptOut, OutboxEmail
from .queue import enqueue
from .tasks import deliver_email

# The interface is French first; messages to people whose language we do not know yet
# carry both languages, French on top.
BILINGUAL = ("fr-ca", "en")


def queue_email(*, subject, body, to, kind, html=None, reply_to=None):
    """Write the email to the outbox in the current transaction, and hand it to Celery
    once that transaction commits (never from a rollback). When the broker cannot be
    reached the request still succeeds: the outbox sweep sends the email later.
    Rendered here, in the current language; nothing is queued for an address that turned
    this kind of email off (returns None)."""
    from .documents.email import compose

    to = list(to)
    if kind not in EmailKind.required() and opted_out(to, kind):
        return None
    composed = compose(subject=subject, text=body, to=to, kind=kind, html=html)
    email = OutboxEmail.objects.create(
        subject=composed.subject[:255],
        body=composed.text,
        to=to,
        html=composed.html,
        kind=kind,
        reply_to=list(reply_to or []),
    )
    transaction.on_commit(lambda: _hand_over(email.pk))
    return email


def opted_out(to, kind) -> bool:
    addresses = [address.lower() for address in to]
    return (
        EmailOptOut.objects.annotate(lower=Lower("address")).filter(lower__in=addresses, kind=kind).exists()
    )


def render_text(template_name, context) -> str:
    """A plain-text template (subject or body of an email), never HTML-escaped."""
    return render_to_string(template_name, context, using="text")


def _hand_over(email_id):
    enqueue(deliver_email, email_id)


def render_bilingual(template_name, context, languages=BILINGUAL):
    """Render `template_name` once per language and join the versions with a rule."""
    parts = []
    for language in languages:
        with translation.override(language):
            parts.append(render_text(template_name, context).strip())
    return "\n\n――――――――――――――――――――\n\n".join(parts)


def bilingual_line(template_name, context, languages=BILINGUAL) -> str:
    """A one-line text (a subject) in both languages, French first: « … / … »."""
    lines = []
    for language in languages:
        with translation.override(language):
            lines.append(" ".join(render_text(template_name, context).split()))
    return " / ".join(dict.fromkeys(lines))


def site_url(path):
    return f"{settings.SITE_URL}{path}"


def site_domain() -> str:
    """The host name of SITE_URL: what Message-IDs and calendar UIDs end with, so that two
    deployments never hand out the same identifier."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
