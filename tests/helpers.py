"""Helpers shared across the test suite."""

import email
import re
import socket
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """A real SMTP server on loopback (aiosmtpd), keeping what it receives as a mail
    program would read it. `refuse` holds addresses answered with a permanent 550."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in /var/spool/virtual"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    def clear(self):
        self.messages.clear()
        self.raw.clear()
        self.envelopes.clear()


ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def parts(message: EmailMessage) -> dict[str, list[EmailMessage]]:
    """The leaf parts of a message by content type."""
    found: dict[str, list[EmailMessage]] = {}
    for part in message.walk():
        if not part.is_multipart():
            found.setdefault(part.get_content_type(), []).append(part)
    return found


def assert_reads_well(message: EmailMessage, *, domain: str, unsubscribe: bool) -> None:
    """What every email of the platform must be, read as a mail program reads it: no HTML
    entity in the subject or the text; a text and an HTML alternative (inline CSS, no
    image); attachments beside them; a Message-ID on the site's domain; one-click
    unsubscribe (RFC 8058) unless the email is a required notice."""
    subject = str(message["Subject"])
    assert subject and not ENTITY.search(subject), subject
    alternative = next(
        (part for part in message.walk() if part.get_content_type() == "multipart/alternative"), None
    )
    assert alternative is not None, message.get_content_type()
    inside = [part.get_content_type() for part in alternative.iter_parts()]
    assert inside[0] == "text/plain" and "text/html" in inside, inside
    if message.get_content_type() == "multipart/mixed":
        assert next(message.iter_parts()) is alternative, "the alternatives come first"
    text = next(alternative.iter_parts()).get_content()
    assert text.strip() and not ENTITY.search(text), ENTITY.search(text)
    html = next(p for p in alternative.iter_parts() if p.get_content_type() == "text/html").get_content()
    assert "<html" in html and 'style="' in html and "<img" not in html
    message_id = str(message["Message-ID"])
    assert re.fullmatch(rf"<[^@<>\s]+@{re.escape(domain)}>", message_id), message_id
    assert message["Date"] and message["From"]
    if unsubscribe:
        # A long header is folded after its name; the parser keeps the folding space.
        assert re.fullmatch(r"<https?://\S+/unsubscribe/\S+/>", str(message["List-Unsubscribe"]).strip()), (
            message["List-Unsubscribe"]
        )
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    else:
        assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def unsubscribe_path(message: EmailMessage) -> str:
    return urlsplit(str(message["List-Unsubscribe"]).strip().strip("<>")).path
