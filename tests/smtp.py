"""A real SMTP server for tests: aiosmtpd on a free port of 127.0.0.1, collecting what it accepts.

To use the ``smtp_server`` fixture in a test module, import its function there:
``from tests.smtp import smtp_server_fixture  # noqa: F401``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from credentials.mail import SmtpTransport

SENDER = "microcred <no-reply@microcred.test>"


class _FreePortController(Controller):
    """Listens on port 0 and learns the port the kernel chose, so parallel runs never collide."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """What the server received, and how it answers.

    Set ``rcpt_reply`` (every recipient), ``replies_by_recipient`` (some) or ``data_reply`` to refuse mail with
    a reply such as ``"451 4.3.0 Try again later"``; ``delay_seconds`` slows every accepted message down
    (and ``most_at_once`` then shows how many were received at the same time).
    """

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_reply: str | None = None
        self.replies_by_recipient: dict[str, str] = {}
        self.data_reply: str | None = None
        self.delay_seconds = 0.0
        self.most_at_once = 0  # the most messages being received at the same moment (with a delay)
        self._in_flight = 0
        self.port = 0

    def accept_all(self) -> None:
        """Stop refusing mail."""
        self.rcpt_reply = self.data_reply = None
        self.replies_by_recipient.clear()

    def transport(self) -> SmtpTransport:
        """A transport that delivers to this server."""
        return SmtpTransport(f"smtp://127.0.0.1:{self.port}", SENDER)

    @property
    def recipients(self) -> list[str]:
        return [rcpt for _sender, rcpts in self.envelopes for rcpt in rcpts]

    # aiosmtpd handler hooks

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_reply or self.replies_by_recipient.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        if self.delay_seconds:
            self._in_flight += 1
            self.most_at_once = max(self.most_at_once, self._in_flight)
            await asyncio.sleep(self.delay_seconds)
            self._in_flight -= 1
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        # Parsed as a mail client would show it: the wire's CRLF line endings become "\n".
        self.messages.append(message_from_bytes(envelope.content.replace(b"\r\n", b"\n"), policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def running_smtp_server(host: str = "127.0.0.1") -> Iterator[SmtpServer]:
    """A running SMTP server on a free port of ``host``; its ``port`` is set and it accepts every message until
    told otherwise."""
    server = SmtpServer()
    controller = _FreePortController(server, hostname=host, port=0)
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    """A running SMTP server (see ``running_smtp_server``)."""
    with running_smtp_server() as server:
        yield server


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
