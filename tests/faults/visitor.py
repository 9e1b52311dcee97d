"""Someone using the served app over plain HTTP: their own cookies, forms sent with the page's CSRF token, uploads as
multipart bodies, and an upload sent over a raw socket as slowly as a drill wants.

Every request opens a connection of its own, as a browser may after an error, so a killed worker never leaves a
half-used connection behind for the next request.
"""

from __future__ import annotations

import array
import fcntl
import http.client
import re
import socket
import termios
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.conftest import csrf_from, encode_multipart

REQUEST_TIMEOUT_SECONDS = 60
_REVISION = re.compile(r'name="revision" value="(\d+)"')


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Visitor:
    """One person's browser, reduced to what the drills need."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body, headers={**self._cookie_header(), **(headers or {})})
            response = connection.getresponse()
            content = response.read()
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, content.decode("utf-8"))
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def form_token(self, page: str) -> str:
        """The CSRF token of the form on ``page``."""
        reply = self.get(page)
        assert reply.status == 200, f"GET {page} answered {reply.status}:\n{reply.text[:2000]}"
        return csrf_from(reply.text)

    def post_form(self, path: str, fields: dict, *, token: str | None = None) -> Reply:
        """POST ``fields`` as a browser would, with the CSRF token of the page at ``path`` (or ``token``)."""
        body = urlencode({**fields, "csrf_token": token or self.form_token(path)}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict, files: list[tuple[str, str, bytes]], *, token=None) -> Reply:
        """POST a multipart form: ``fields`` and ``files`` as (field name, file name, bytes)."""
        body, content_type = multipart({**fields, "csrf_token": token or self.form_token(path)}, files)
        return self.request("POST", path, body, {"Content-Type": content_type})

    def sign_in(self, email: str, password: str) -> None:
        reply = self.post_form("/login", {"email": email, "password": password})
        assert reply.status == 302, f"signing in as {email} answered {reply.status}:\n{reply.text[:2000]}"

    def revision(self, page: str) -> int:
        """The revision the attempt page at ``page`` shows (what a save from it expects)."""
        match = _REVISION.search(self.get(page).text)
        assert match, f"no revision field on {page}"
        return int(match.group(1))

    def open_upload(self, path: str, fields: dict, files: list[tuple[str, str, bytes]], *, token: str) -> SlowUpload:
        """Start a multipart POST over a raw socket; nothing of the body is sent until the drill sends it."""
        body, content_type = multipart({**fields, "csrf_token": token}, files)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in self._cookie_header().items())
            + "\r\n"
        ).encode()
        return SlowUpload(self.host, self.port, head, body)

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if not morsel.value or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class SlowUpload:
    """A request whose body goes out only as fast as ``send`` is called: the server's worker waits in between."""

    def __init__(self, host: str, port: int, head: bytes, body: bytes):
        self.body = body
        self.sent = 0
        self.socket = socket.create_connection((host, port), timeout=REQUEST_TIMEOUT_SECONDS)
        # A small send buffer keeps the bytes "sent" close to the bytes the worker has actually read.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        self.socket.sendall(head)

    def send(self, size: int) -> None:
        """Send the next ``size`` bytes of the body (blocking until the server has taken most of them)."""
        chunk = self.body[self.sent : self.sent + size]
        self.socket.sendall(chunk)
        self.sent += len(chunk)

    def taken_by_server(self) -> int:
        """How many body bytes the server's process has read: sent, minus what waits in our send queue and in the
        server socket's receive queue (``/proc/net/tcp``)."""
        unsent = array.array("i", [0])
        fcntl.ioctl(self.socket.fileno(), termios.TIOCOUTQ, unsent)
        return self.sent - unsent[0] - self._server_receive_queue()

    def _server_receive_queue(self) -> int:
        server_port, client_port = self.socket.getpeername()[1], self.socket.getsockname()[1]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, queues = fields[1], fields[2], fields[4]
            if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
                return int(queues.split(":")[1], 16)
        raise AssertionError(f"no server socket for the upload from port {client_port} in /proc/net/tcp")

    def answer(self, timeout: float = 10) -> bytes:
        """Whatever the server sends back before it closes the connection (nothing, if its worker died)."""
        self.socket.settimeout(timeout)
        received = b""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                data = self.socket.recv(65536)
                if not data:
                    break
                received += data
        except ConnectionResetError:
            pass
        return received

    def close(self) -> None:
        self.socket.close()


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart body and its content type (the test suite's encoder)."""
    return encode_multipart(list(fields.items()), files, boundary="microcred-drill-boundary")
