"""E-mail letters: a greeting, plain paragraphs, one link to act on, a few details and the district's name.

Every e-mail the service sends is written here from the same parts twice, as a text part and as an HTML part, so
the two never say different things. The HTML is simple (one column, inline styles: mail clients ignore style
sheets and our Content-Security-Policy) and everything in it is escaped; the link is a real link, and its address
is also written out for clients that show only text.

Links are absolute. The service's public address is configured once on the session factory (``remember_public_url``,
called by the app factory), so whoever queues a letter inside a transaction can build links without the web layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ...config import DEFAULT_PUBLIC_URL
from ...storage.models import Issuer
from ...text.dates import DEFAULT_TIME_ZONE, us_date, us_date_time
from ..outbox import queue_email

_PUBLIC_URL = "microcred.public_url"


def remember_public_url(factory: sessionmaker[Session], public_url: str) -> None:
    """Give every session of ``factory`` the service's public address, for the links in the letters it queues."""
    factory.configure(info={_PUBLIC_URL: public_url.rstrip("/")})


@dataclass(frozen=True)
class Letterhead:
    """Who sends a letter and where its links lead: the district's name, its time zone and the service's address."""

    district: str
    time_zone: str
    public_url: str
    email: str = ""  # the district's contact address, for questions

    def link(self, path: str) -> str:
        """The absolute address of ``path`` (``/attempts/12``) on this service."""
        return f"{self.public_url}{path}"

    def date(self, value: date | datetime | None) -> str:
        """December 2, 2026 in the district's time zone (a plain ``date``, such as a due date, is not shifted)."""
        return us_date(value, self.time_zone)

    def date_time(self, value: datetime | None) -> str:
        """December 2, 2026, 9:04 AM CST in the district's time zone."""
        return us_date_time(value, self.time_zone)


def letterhead(session: Session) -> Letterhead:
    """The district's name and time zone (one query) and the public address the session was configured with."""
    row = session.execute(select(Issuer.name, Issuer.time_zone, Issuer.email).order_by(Issuer.id).limit(1)).first()
    return Letterhead(
        district=(row.name if row else "") or "",
        time_zone=(row.time_zone if row else None) or DEFAULT_TIME_ZONE,
        public_url=session.info.get(_PUBLIC_URL) or DEFAULT_PUBLIC_URL,
        email=(row.email if row else "") or "",
    )


@dataclass(frozen=True)
class Action:
    """The one thing the reader is asked to do: a label (``Read the feedback``) and the absolute address."""

    label: str
    url: str


@dataclass(frozen=True)
class Quote:
    """Words someone at the district wrote (a reason, a note), set apart from the letter's own words."""

    text: str


@dataclass(frozen=True)
class Letter:
    """One e-mail's parts; ``text()`` and ``html()`` render the same parts."""

    subject: str
    to: str  # the reader's name, for the greeting
    paragraphs: Sequence[str | Quote]
    signature: str  # the district's name
    action: Action | None = None
    also: Sequence[Action] = ()  # other useful pages, after the main action
    details: Sequence[tuple[str, str]] = ()
    postscript: Sequence[str] = ()

    def text(self) -> str:
        """The text part."""
        blocks = [f"Hello {self.to}," if self.to else "Hello,"]
        for paragraph in self.paragraphs:
            if isinstance(paragraph, Quote):
                blocks.append("\n".join(f"    {line}".rstrip() for line in _lines(paragraph.text)))
            else:
                blocks.append(paragraph)
        if self.action:
            blocks.append(f"{self.action.label}:\n{self.action.url}")
        blocks.extend(f"{link.label}:\n{link.url}" for link in self.also)
        if self.details:
            blocks.append("\n".join(f"{label}: {value}" for label, value in self.details))
        blocks.extend(self.postscript)
        blocks.append(self.signature or "microcred")
        return "\n\n".join(blocks) + "\n"

    def html(self) -> str:
        """The HTML part: the same words, escaped, in one readable column with inline styles."""
        parts = [f'<p style="{_P}">Hello {_e(self.to)},</p>' if self.to else f'<p style="{_P}">Hello,</p>']
        for paragraph in self.paragraphs:
            if isinstance(paragraph, Quote):
                parts.append(f'<blockquote style="{_QUOTE}">{_with_breaks(paragraph.text)}</blockquote>')
            else:
                parts.append(f'<p style="{_P}">{_with_breaks(paragraph)}</p>')
        if self.action:
            url = _e(self.action.url)
            parts.append(f'<p style="{_P}"><a href="{url}" style="{_BUTTON}">{_e(self.action.label)}</a></p>')
            parts.append(
                f'<p style="{_SMALL}">If the button does not work, copy this address into your browser:<br>'
                f'<a href="{url}" style="{_LINK}">{url}</a></p>'
            )
        parts.extend(
            f'<p style="{_P}">{_e(link.label)}:<br><a href="{_e(link.url)}" style="{_LINK}">{_e(link.url)}</a></p>'
            for link in self.also
        )
        if self.details:
            rows = "".join(
                f'<li style="margin:0 0 4px 0;"><strong>{_e(label)}:</strong> {_e(value)}</li>'
                for label, value in self.details
            )
            parts.append(f'<ul style="{_DETAILS}">{rows}</ul>')
        parts.extend(f'<p style="{_SMALL}">{_with_breaks(paragraph)}</p>' for paragraph in self.postscript)
        parts.append(f'<p style="{_SIGNATURE}">{_e(self.signature or "microcred")}</p>')
        body = "\n".join(parts)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(self.subject)}</title>\n</head>\n"
            f'<body style="{_BODY}">\n<div style="{_COLUMN}">\n{body}\n</div>\n</body>\n</html>\n'
        )


def queue_letter(session: Session, letter: Letter, *, kind: str, recipient: str, now: datetime):
    """Queue ``letter`` in the outbox, as text and HTML; it goes out only if the caller's transaction commits."""
    return queue_email(
        session,
        kind=kind,
        recipient=recipient,
        subject=letter.subject,
        body=letter.text(),
        html=letter.html(),
        now=now,
    )


def outbox_row(letter: Letter) -> dict[str, str]:
    """The letter's subject and parts, as outbox columns (for a bulk insert of many letters)."""
    return {"subject": letter.subject[:200], "body_text": letter.text(), "body_html": letter.html()}


# The house colours (static/css/microcred.css), inlined: ink on paper, the brand blue for the link.
_FONT = "font-family:Arial,Helvetica,sans-serif;"
_BODY = "margin:0;padding:16px 8px;background-color:#f4f6f8;color:#1b1f24;"
_COLUMN = (
    f"max-width:560px;margin:0 auto;padding:24px;background-color:#ffffff;border:1px solid #c9d0d8;"
    f"border-radius:6px;{_FONT}font-size:16px;line-height:1.5;color:#1b1f24;"
)
_P = "margin:0 0 16px 0;"
_QUOTE = "margin:0 0 16px 0;padding:8px 16px;border-left:4px solid #c9d0d8;background-color:#f4f6f8;"
_BUTTON = (
    "display:inline-block;padding:12px 20px;background-color:#114b7a;color:#ffffff;font-weight:bold;"
    "text-decoration:none;border-radius:6px;"
)
_LINK = "color:#114b7a;text-decoration:underline;word-break:break-all;"
_SMALL = "margin:0 0 16px 0;font-size:14px;color:#4a5360;"
_DETAILS = "margin:0 0 16px 0;padding:0 0 0 20px;"
_SIGNATURE = "margin:24px 0 0 0;font-weight:bold;"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _with_breaks(text: str) -> str:
    return "<br>\n".join(_e(line) for line in _lines(text))
