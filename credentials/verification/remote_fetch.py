"""Fetching foreign JSON (DID documents, verification methods, status lists) without handing the internet a way in.

A verifier fetches URLs that strangers chose, so every fetch is treated as hostile: only ``https`` (``http`` only in
development), the host is resolved once and every address it resolves to must be public, the connection goes to the
address that was checked (so DNS cannot be re-pointed between check and connect), one deadline covers the whole fetch
(DNS, connect, TLS, headers, body and redirects), and the body is read in chunks and cut off at ``max_bytes``.
A verification passes its ``FetchBudget``: the fetch then also ends by the verification's deadline and counts against
its cap (a cached document costs nothing). Documents nested deeper than ``MAX_JSON_DEPTH`` are refused.
"""

from __future__ import annotations

import copy
import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from collections import OrderedDict
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from .fetch_budget import BudgetSpent, FetchBudget
from .json_depth import JsonTooDeep, load_json

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
READ_CHUNK = 64 * 1024
USER_AGENT = "microcred-verifier/1"
ACCEPT = "application/did+json, application/did+ld+json, application/ld+json, application/json;q=0.9"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(Exception):
    """A foreign document could not be fetched; the message is written for the person verifying."""


def _is_public(address: IPAddress) -> bool:
    refused = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    return not refused and address.is_global


def _tunnelled_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses a 6to4 or Teredo address tunnels to, which a relay may deliver inside our network."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    return [candidate for candidate in (address.sixtofour, *(address.teredo or ())) if candidate is not None]


class _Deadline(NamedTuple):
    at: float  # time.monotonic()
    too_slow: str  # how a fetch cut off at this deadline is described


class _Target(NamedTuple):
    url: str
    scheme: str
    host: str
    port: int
    path: str


class _DeadlineStream:
    """What ``http.client`` needs of a socket, with every read and write bounded by one overall deadline.

    A per-read timeout alone lets a server trickle one byte just inside each timeout for ever; re-arming the socket
    timeout with the time left before each read makes the whole exchange end at the deadline.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(remaining)

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer: memoryview) -> int:
        self._arm()
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        # http.client closes "the socket" as soon as it has read the headers of a Connection: close answer; the real
        # socket must outlive that until the body is read, so the fetcher closes it itself when the fetch ends.
        pass


class _DeadlineReader(io.RawIOBase):
    def __init__(self, stream: _DeadlineStream) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        return self._stream.recv_into(memoryview(buffer))


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection over a socket the fetcher opened itself, to the address it checked."""

    def __init__(self, target: _Target, stream: _DeadlineStream) -> None:
        super().__init__(target.host, target.port)
        # Sends "Host: example.com" rather than "example.com:443" for the scheme's usual port.
        self.default_port = 443 if target.scheme == "https" else 80
        self.sock = stream  # type: ignore[assignment]

    def connect(self) -> None:
        raise http.client.HTTPException("the connection was already used")


class RemoteFetcher:
    """Fetches JSON documents from foreign servers, with SSRF protection, one deadline, a size limit and a cache.

    ``allow_private`` (development and tests only) also allows ``http``. A subclass may narrow ``address_allowed``.
    """

    def __init__(
        self,
        allow_private: bool = False,
        timeout: float = 5.0,
        max_bytes: int = 1_000_000,
        cache_ttl: float = 300,
        cache_size: int = 256,
    ) -> None:
        if timeout <= 0 or max_bytes <= 0 or cache_ttl < 0 or cache_size < 0:
            raise ValueError("timeout and max_bytes must be positive; cache_ttl and cache_size not negative")
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.cache_ttl = cache_ttl
        self.cache_size = cache_size
        self._tls = ssl.create_default_context()
        self._cache: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def fetch_json(self, url: str, *, what: str = "document", budget: FetchBudget | None = None) -> dict:
        """The JSON object at ``url``; ``FetchError`` naming ``what`` and the URL for any network or format problem.

        With ``budget``, a fetch from the network is charged to it and ends by its deadline (``VerifierBusy`` passes
        through when it has no slot)."""
        if not isinstance(url, str):
            raise FetchError(f"{what} has no URL to fetch")
        label = f"{what} at {url}"
        cached = self._cached(url)
        if cached is not None:
            return cached
        deadline = _Deadline(time.monotonic() + self.timeout, f"did not answer within {self.timeout:g} s")
        if budget is not None:
            try:
                verification_deadline = budget.spend()
            except BudgetSpent as exc:
                raise FetchError(f"{label} was not fetched: {exc}") from None
            if verification_deadline < deadline.at:
                deadline = _Deadline(verification_deadline, budget.too_slow)
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            target = self._target(current, label)
            status, location, body = self._exchange(target, label, deadline)
            if status in REDIRECT_STATUSES:
                if not location:
                    raise FetchError(f"{label} answered a redirect without a Location")
                current = urljoin(current, location)
                label = f"{what} at {url} (redirected to {current})"
                continue
            document = self._parse(body, label)
            self._remember(url, document)
            return copy.deepcopy(document)
        raise FetchError(f"{what} at {url} redirected more than {MAX_REDIRECTS} times")

    def address_allowed(self, address: IPAddress) -> bool:
        """Whether connecting to ``address`` is allowed: only globally routable unicast addresses, unless private."""
        if self.allow_private:
            return True
        if isinstance(address, ipaddress.IPv6Address):
            # A mapped or NAT64 address is just another way of writing an IPv4 host: judge that host.
            if address.ipv4_mapped is not None:
                return _is_public(address.ipv4_mapped)
            if address in NAT64_PREFIX:
                return _is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        return all(_is_public(candidate) for candidate in (address, *_tunnelled_ipv4(address)))

    def clear_cache(self) -> None:
        """Forget every cached document."""
        with self._lock:
            self._cache.clear()

    # -- one request ----------------------------------------------------------------------------------------------

    def _target(self, url: str, label: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchError(f"{label} was refused: {url!r} is not a valid URL") from None
        scheme = parts.scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_private):
            raise FetchError(f"{label} was refused: only https URLs are fetched")
        if not parts.hostname:
            raise FetchError(f"{label} was refused: the URL has no host")
        if parts.username is not None or parts.password is not None:
            raise FetchError(f"{label} was refused: URLs with a user name or password are not fetched")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = 443 if scheme == "https" else 80
        return _Target(url, scheme, parts.hostname, port or default_port, path)

    def _exchange(self, target: _Target, label: str, deadline: _Deadline) -> tuple[int, str | None, bytes]:
        sock = None
        try:
            addresses = self._addresses(target, label, deadline)
            sock = self._connect(target, addresses, label, deadline.at)
            return self._request(target, _DeadlineStream(sock, deadline.at), label)
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError(f"{label} {deadline.too_slow}") from None
        except ssl.SSLCertVerificationError as exc:
            raise FetchError(f"{label}: the server's TLS certificate was not accepted ({exc.verify_message})") from None
        except ssl.SSLError as exc:
            raise FetchError(f"{label}: the TLS connection failed ({exc.reason or exc})") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise FetchError(f"{label} could not be fetched: {reason}") from None
        finally:
            if sock is not None:
                sock.close()

    def _addresses(self, target: _Target, label: str, deadline: _Deadline) -> list[IPAddress]:
        try:
            addresses = [ipaddress.ip_address(target.host)]
        except ValueError:
            addresses = self._lookup(target, label, deadline)
        for address in addresses:
            if not self.address_allowed(address):
                raise FetchError(
                    f"{label} was refused: {target.host} is {address}, a private, local or reserved address"
                    if str(address) == target.host
                    else f"{label} was refused: {target.host} resolves to {address}, a private, local or reserved "
                    "address"
                )
        return addresses

    def _lookup(self, target: _Target, label: str, deadline: _Deadline) -> list[IPAddress]:
        # getaddrinfo has no timeout of its own; a daemon thread keeps a slow resolver inside the deadline.
        found: dict[str, object] = {}

        def resolve() -> None:
            try:
                found["infos"] = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as exc:
                found["error"] = exc

        worker = threading.Thread(target=resolve, name=f"resolve {target.host}", daemon=True)
        worker.start()
        worker.join(max(0.0, deadline.at - time.monotonic()))
        if worker.is_alive():
            raise FetchError(f"{label} {deadline.too_slow} (the host name did not resolve)")
        infos = found.get("infos")
        if not infos:
            raise FetchError(f"{label} could not be fetched: the host {target.host} was not found")
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:  # type: ignore[union-attr]
            # An IPv6 scope ("%eth0") is not part of the address the checks are about.
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        return addresses

    def _connect(self, target: _Target, addresses: list[IPAddress], label: str, deadline: float) -> socket.socket:
        failure: OSError | None = None
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                sock = socket.create_connection((str(address), target.port), timeout=remaining)
            except TimeoutError:
                raise
            except OSError as exc:
                failure = exc
                continue
            if target.scheme != "https":
                return sock
            try:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                # server_hostname gives SNI and the certificate check the name from the URL, not the address.
                return self._tls.wrap_socket(sock, server_hostname=target.host)
            except BaseException:
                sock.close()
                raise
        reason = (failure.strerror or str(failure)) if failure else "no address"
        raise FetchError(f"{label} could not be fetched: {reason}")

    def _request(self, target: _Target, stream: _DeadlineStream, label: str) -> tuple[int, str | None, bytes]:
        connection = _PinnedConnection(target, stream)
        connection.request(
            "GET",
            target.path,
            headers={"Accept": ACCEPT, "Accept-Encoding": "identity", "User-Agent": USER_AGENT, "Connection": "close"},
        )
        response = connection.getresponse()
        try:
            if response.status in REDIRECT_STATUSES:
                return response.status, response.getheader("Location"), b""
            if response.status != 200:
                raise FetchError(f"{label} answered HTTP {response.status} {response.reason}".rstrip())
            self._check_headers(response, label)
            return response.status, None, self._read_body(response, label)
        finally:
            response.close()
            connection.close()

    def _check_headers(self, response: http.client.HTTPResponse, label: str) -> None:
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            # Compressed bodies are refused so the size limit is a limit on what we hold, not on what a server sends.
            raise FetchError(f"{label} was sent with Content-Encoding {encoding}, which is not accepted")
        content_type = response.getheader("Content-Type") or ""
        media_type = content_type.split(";", 1)[0].strip().lower()
        is_json = media_type == "application/json" or (
            media_type.startswith("application/") and media_type.endswith("+json")
        )
        if not is_json:
            raise FetchError(f"{label} is not JSON (Content-Type: {content_type or 'none'})")
        length = (response.getheader("Content-Length") or "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"{label} is larger than the {self.max_bytes} bytes accepted")

    def _read_body(self, response: http.client.HTTPResponse, label: str) -> bytes:
        body = bytearray()
        while True:
            chunk = response.read(min(READ_CHUNK, self.max_bytes + 1 - len(body)))
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError(f"{label} is larger than the {self.max_bytes} bytes accepted")

    def _parse(self, body: bytes, label: str) -> dict:
        try:
            document = load_json(body)
        except JsonTooDeep as exc:
            raise FetchError(f"{label} {exc}") from None
        except ValueError:
            raise FetchError(f"{label} is not valid JSON") from None
        if not isinstance(document, dict):
            raise FetchError(f"{label} is JSON but not an object")
        return document

    # -- cache ----------------------------------------------------------------------------------------------------

    def _cached(self, url: str) -> dict | None:
        if self.cache_ttl <= 0 or self.cache_size <= 0:
            return None
        with self._lock:
            entry = self._cache.get(url)
            if entry is None:
                return None
            expires, document = entry
            if expires <= time.monotonic():
                del self._cache[url]
                return None
            self._cache.move_to_end(url)
        # A copy, so a caller that edits its document cannot change what the next caller gets.
        return copy.deepcopy(document)

    def _remember(self, url: str, document: dict) -> None:
        if self.cache_ttl <= 0 or self.cache_size <= 0:
            return
        with self._lock:
            self._cache[url] = (time.monotonic() + self.cache_ttl, document)
            self._cache.move_to_end(url)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
