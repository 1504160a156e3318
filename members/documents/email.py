"""Every email the platform sends, built one way, so that mail programs show it as they
should: a plain-text part and an HTML part side by side (`multipart/alternative`),
attachments beside them, a Message-ID on the site's own domain, Reply-To a person who can
answer, and a one-click unsubscribe link (RFC 8058) on everything that is not a required
notice. Calendar invitations ride as a `text/calendar; method=…` alternative, which is
what Outlook, Gmail and Apple Mail turn into an answerable invitation (RFC 6047)."""

import smtplib
import socket
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks, urlize

from members.emails import site_domain, site_url
from members.models import EmailKind

UNSUBSCRIBE_SALT = "members.unsubscribe"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def unsubscribe_token(address: str, kind: str) -> str:
    return signing.dumps([address.strip().lower(), kind], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    """(address, kind) of a token; `signing.BadSignature` when it was tampered with."""
    address, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if kind not in EmailKind.values:
        raise signing.BadSignature("unknown kind")
    return address, kind


def unsubscribe_url(address: str, kind: str) -> str:
    return site_url(reverse("members:unsubscribe", args=[unsubscribe_token(address, kind)]))


def may_unsubscribe(kind: str, to) -> bool:
    """Convocations and account messages are always sent; one-click unsubscribing names a
    single recipient, so only one-recipient messages carry it."""
    return kind not in EmailKind.required() and len(to) == 1


def one_line(text: str) -> str:
    return " ".join(text.split())


def compose(*, subject: str, text: str, to, kind: str, html: str | None = None) -> Composed:
    """The subject on one line, the text with its footer, and the HTML part (from
    `html` when the email has its own, else the text set in a plain, image-free layout).
    Call it in the recipient's language."""
    unsubscribe = unsubscribe_url(to[0], kind) if may_unsubscribe(kind, to) else ""
    subject = one_line(subject)
    if html is None:
        html = linebreaks(urlize(text.strip(), autoescape=True), autoescape=False)
    footer = render_to_string(
        "email/footer.txt", {"unsubscribe_url": unsubscribe, "kind": EmailKind(kind).label}, using="text"
    ).strip()
    text = text.rstrip() + ("\n\n-- \n" + footer if footer else "") + "\n"
    html = render_to_string(
        "email/layout.html",
        {
            "subject": subject,
            "body": html,
            "unsubscribe_url": unsubscribe,
            "kind": EmailKind(kind).label,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    return Composed(subject=subject, text=text, html=html)


def build_message(
    *,
    subject: str,
    text: str,
    html: str,
    to,
    kind: str,
    reply_to=(),
    attachments=(),
    calendar: bytes | None = None,
    calendar_method: str = "REQUEST",
    connection=None,
) -> EmailMultiAlternatives:
    """The message ready to send. `attachments` are (filename, bytes, mimetype)."""
    to = list(to)
    headers = {
        "Message-ID": make_msgid(domain=site_domain()),
        # Tells auto-responders and vacation replies not to answer (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    if may_unsubscribe(kind, to):
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(to[0], kind)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=list(reply_to) or None,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    if calendar is not None:
        # The invitation itself, as an alternative (what calendars answer), and the same
        # file as an attachment for programs that only offer to open it.
        message.attach_alternative(calendar.decode(), f"text/calendar; method={calendar_method}")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    if calendar is not None:
        message.attach("invitation.ics", calendar, "application/ics")
    return message


class Failure:
    """Why an email did not leave, in words a coordinator can act on."""

    REFUSED = "refused"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


def failure_of(error: Exception) -> tuple[str, bool]:
    """(reason, permanent) of a sending error. A 5xx answer will be given again: retrying
    is pointless; a lost connection or a 4xx answer is worth trying later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return Failure.REFUSED, bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return Failure.REJECTED, error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | socket.timeout | OSError):
        return Failure.UNREACHABLE, False
    return Failure.UNKNOWN, False
