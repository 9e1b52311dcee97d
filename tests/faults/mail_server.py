"""An SMTP server the drills can take down and bring back on the same port (aiosmtpd, as ``tests/smtp.py``).

Every message the service sends carries its outbox row in its Message-ID (``<…outbox-17@…>``, a new Message-ID per
try), so counting received messages per outbox row shows a message lost or sent twice.
"""

from __future__ import annotations

import re
from collections import Counter

from aiosmtpd.controller import Controller

from tests.e2e.live_service import free_port
from tests.smtp import SmtpServer

HOST = "127.0.0.1"
_OUTBOX_ID = re.compile(r"\.outbox-(\d+)@")


class RestartableSmtp:
    """``stop()`` closes the port (connections are refused); ``start()`` listens on it again."""

    def __init__(self):
        self.received = SmtpServer()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.received, hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def copies_by_outbox_id(self) -> Counter:
        """How many copies of each outbox message arrived."""
        return Counter(int(_OUTBOX_ID.search(m["Message-ID"]).group(1)) for m in self.received.messages)
