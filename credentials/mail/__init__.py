"""Mail transports: SMTP for real delivery, and a development transport that only logs."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20


class TransientMailError(Exception):
    """Delivery failed but may succeed later (connection refused, 4xx reply)."""


class PermanentMailError(Exception):
    """Delivery will never succeed as addressed (5xx reply: unknown mailbox, refused sender)."""


@dataclass(frozen=True)
class Letter:
    """One message to send: a text body and, optionally, the same letter as HTML."""

    recipient: str
    subject: str
    body: str
    reference: str
    html: str | None = None


class MailTransport(Protocol):
    """What the outbox needs from a transport."""

    delivers: bool

    def send(self, letter: Letter) -> None: ...


class LogTransport:
    """Development without SMTP: writes the message to the log; admins read it on the Outbox page."""

    delivers = False

    def __init__(self, logger: logging.Logger | None = None):
        self._log = logger or log

    def send(self, letter: Letter) -> None:
        self._log.warning(
            "MICROCRED_SMTP_URL is not set; e-mail %s to %s was not sent (read it on the admin Outbox page): %s",
            letter.reference,
            letter.recipient,
            letter.subject,
        )


class SmtpTransport:
    """SMTP delivery: ``smtp://host:port`` (plain), ``smtp+starttls://`` or ``smtps://``, optional user:password."""

    delivers = True

    def __init__(self, url: str, sender: str):
        parts = urlsplit(url)
        self._scheme = parts.scheme
        self._host = parts.hostname or "localhost"
        default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        self._port = parts.port or default_port
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender

    def __repr__(self) -> str:  # never show the password
        return f"<SmtpTransport {self._scheme}://{self._host}:{self._port}>"

    def build(self, letter: Letter) -> EmailMessage:
        """The message as sent: text only, or multipart/alternative (text first, then HTML) when there is HTML."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = letter.recipient
        message["Subject"] = letter.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=letter.reference, domain=_domain_of(self._sender))
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(letter.body)
        if letter.html:
            # Clients show the last alternative they can display, so HTML comes after the text it matches.
            message.add_alternative(letter.html, subtype="html")
        return message

    def send(self, letter: Letter) -> None:
        message = self.build(letter)
        try:
            if self._scheme == "smtps":
                client = smtplib.SMTP_SSL(
                    self._host, self._port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self._host, self._port, timeout=SMTP_TIMEOUT_SECONDS)
            with client:
                if self._scheme == "smtp+starttls":
                    client.starttls(context=ssl.create_default_context())
                if self._username:
                    client.login(self._username, self._password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            replies = "; ".join(
                f"{address}: {code} {_reply_text(text)}" for address, (code, text) in exc.recipients.items()
            )
            if all(500 <= code < 600 for code in codes):
                raise PermanentMailError(f"recipient refused: {replies}") from exc
            raise TransientMailError(f"recipient deferred: {replies}") from exc
        except smtplib.SMTPResponseException as exc:
            text = _reply_text(exc.smtp_error)
            if 500 <= exc.smtp_code < 600:
                raise PermanentMailError(f"{exc.smtp_code} {text}") from exc
            raise TransientMailError(f"{exc.smtp_code} {text}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientMailError(f"{type(exc).__name__}: {exc}") from exc


def transport_for(smtp_url: str, sender: str) -> MailTransport:
    """SMTP when a URL is configured, otherwise the logging transport."""
    return SmtpTransport(smtp_url, sender) if smtp_url else LogTransport()


def _reply_text(text: bytes | str) -> str:
    # smtplib hands over the server's words as bytes; admins read them on the Outbox page.
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def _domain_of(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"
