"""The foreign-document fetcher: SSRF refusals, one deadline, a size limit, clear errors and the cache."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import tracemalloc

import pytest

from credentials.verification import FetchError, RemoteFetcher


def test_fetches_a_json_document(server, fetcher):
    server.document("/doc.json", {"id": "x"})
    assert fetcher.fetch_json(server.url("/doc.json")) == {"id": "x"}


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://10.0.0.1/",
        "https://192.168.1.1/did.json",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/",
        "https://[::ffff:10.0.0.1]/",
        "https://0.0.0.0/",
        "https://100.64.0.1/",
        "https://224.0.0.1/",
        "https://[fe80::1]/",
        "https://[2002:a00:1::]/",
        "https://[64:ff9b::a9fe:a9fe]/",
        "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
    ],
)
def test_private_and_local_addresses_are_refused_without_connecting(url, monkeypatch):
    def must_not_connect(*args, **kwargs):
        raise AssertionError(f"connected to {args}")

    monkeypatch.setattr(socket, "create_connection", must_not_connect)
    with pytest.raises(FetchError, match=r"was refused: .* private, local or reserved address"):
        RemoteFetcher().fetch_json(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.com/did.json", "only https URLs"),
        ("file:///etc/passwd", "only https URLs"),
        ("https://user:secret@example.com/", "user name or password"),
        ("https:///did.json", "no host"),
        ("https://example.com:99999/", "not a valid URL"),
    ],
)
def test_urls_that_are_not_plain_https_are_refused(url, reason, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("looked the host up"))
    with pytest.raises(FetchError, match=reason):
        RemoteFetcher().fetch_json(url)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "::ffff:93.184.215.14", "64:ff9b::5db8:d70e"])
def test_public_addresses_are_allowed(address):
    assert RemoteFetcher().address_allowed(ipaddress.ip_address(address))


class LoopbackServerOnly(RemoteFetcher):
    """Reaches the test server on 127.0.0.1 but no other private address, to test redirects into the network."""

    def address_allowed(self, address):
        return address == ipaddress.ip_address("127.0.0.1")


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.1/did.json", "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/doc.json"],
)
def test_a_redirect_to_a_private_address_is_refused(server, location, monkeypatch):
    connected = []
    real_create_connection = socket.create_connection

    def recording_create_connection(address, *args, **kwargs):
        connected.append(address[0])
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording_create_connection)
    server.redirect("/start", location.format(port=server.port))
    with pytest.raises(FetchError, match=r"\(redirected to .*\) was refused"):
        LoopbackServerOnly(allow_private=True, timeout=2).fetch_json(server.url("/start"))
    assert connected == ["127.0.0.1"]


def test_redirects_are_followed_at_most_three_times(server, fetcher):
    server.document("/doc.json", {"id": "moved"})
    server.redirect("/old", "/doc.json", status=301)
    assert fetcher.fetch_json(server.url("/old")) == {"id": "moved"}
    server.redirect("/loop", "/loop")
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        fetcher.fetch_json(server.url("/loop"))
    assert server.hits["/loop"] == 4


def test_a_server_that_never_answers_is_given_up_within_the_timeout(server):
    server.routes["/silent"] = lambda handler: server.stop.wait(30)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^document at http://.*/silent did not answer within 1 s$"):
        RemoteFetcher(allow_private=True, timeout=1.0).fetch_json(server.url("/silent"))
    assert time.monotonic() - started < 2.0


def test_a_server_trickling_bytes_is_cut_off_at_the_deadline(server):
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        # Each byte arrives well inside a per-read timeout; only a deadline for the whole fetch stops this.
        while not server.stop.wait(0.1):
            try:
                handler.wfile.write(b" ")
            except OSError:
                return

    server.routes["/trickle"] = trickle
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 1 s"):
        RemoteFetcher(allow_private=True, timeout=1.0).fetch_json(server.url("/trickle"), what="status list")
    assert time.monotonic() - started < 2.0


def test_a_server_trickling_headers_is_cut_off_at_the_deadline(server):
    def trickle_headers(handler):
        handler.wfile.write(b"HTTP/1.0 200 OK\r\n")
        while not server.stop.wait(0.1):
            try:
                handler.wfile.write(b"X")
            except OSError:
                return

    server.routes["/slow-headers"] = trickle_headers
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 1 s"):
        RemoteFetcher(allow_private=True, timeout=1.0).fetch_json(server.url("/slow-headers"))
    assert time.monotonic() - started < 2.0


def test_an_endless_answer_is_cut_off_at_max_bytes_with_bounded_memory(server):
    chunk = b" " * 65536

    def endless(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        # No Content-Length: the body ends when the server closes, which this one would do after 1 GB.
        while not server.stop.is_set() and server.sent["/endless"] < 2**30:
            try:
                handler.wfile.write(chunk)
            except OSError:
                return
            server.sent["/endless"] += len(chunk)

    server.routes["/endless"] = endless
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="is larger than the 1000000 bytes accepted"):
            RemoteFetcher(allow_private=True, timeout=10).fetch_json(server.url("/endless"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3.0
    assert peak < 4 * 2**20
    server.stop.set()
    assert server.sent["/endless"] < 128 * 2**20


def test_a_declared_length_over_max_bytes_is_refused_before_reading(server):
    server.answer("/big.json", b"[" + b"0," * 600 + b"0]")
    with pytest.raises(FetchError, match="is larger than the 1000 bytes accepted"):
        RemoteFetcher(allow_private=True, max_bytes=1000).fetch_json(server.url("/big.json"))


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "is not valid JSON"),
        (b"\xff\xfe\x00garbage", "application/json", "is not valid JSON"),
        (b"[" * 100000 + b"]" * 100000, "application/json", "is nested more than 32 levels deep"),
        (b"[" * 33 + b"]" * 33, "application/json", "is nested more than 32 levels deep"),
        (b"[1, 2]", "application/json", "is JSON but not an object"),
        (b"<html>moved</html>", "text/html; charset=utf-8", r"is not JSON \(Content-Type: text/html; charset=utf-8\)"),
        (b"{}", "", r"is not JSON \(Content-Type: none\)"),
    ],
)
def test_answers_that_are_not_a_json_object_are_refused(server, body, content_type, message):
    server.answer("/answer", body, content_type)
    with pytest.raises(FetchError, match=message):
        RemoteFetcher(allow_private=True).fetch_json(server.url("/answer"))


def test_compressed_answers_are_refused(server):
    def gzipped(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")

    server.routes["/gz"] = gzipped
    with pytest.raises(FetchError, match="Content-Encoding gzip"):
        RemoteFetcher(allow_private=True).fetch_json(server.url("/gz"))


def test_http_errors_name_the_document_and_status(server, fetcher):
    with pytest.raises(FetchError, match=r"^did:web document at http://.*/missing answered HTTP 404 Not Found$"):
        fetcher.fetch_json(server.url("/missing"), what="did:web document")


def test_network_failures_become_fetch_errors(server, fetcher, monkeypatch):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(FetchError, match="could not be fetched"):
        fetcher.fetch_json(f"http://127.0.0.1:{port}/doc.json")
    # TLS spoken to a plain-HTTP server fails in the handshake, and says so.
    with pytest.raises(FetchError, match="TLS connection failed"):
        fetcher.fetch_json(f"https://{server.authority}/doc.json")

    def unknown_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown_host)
    with pytest.raises(FetchError, match=r"the host no-such-host\.invalid was not found"):
        fetcher.fetch_json("https://no-such-host.invalid/did.json")


def test_successful_answers_are_cached_and_copies_are_handed_out(server, fetcher):
    server.document("/counted", {"id": "x", "keys": [1]})
    first = fetcher.fetch_json(server.url("/counted"))
    first["keys"].append(2)
    second = fetcher.fetch_json(server.url("/counted"))
    assert second == {"id": "x", "keys": [1]}
    assert server.hits["/counted"] == 1
    fetcher.clear_cache()
    fetcher.fetch_json(server.url("/counted"))
    assert server.hits["/counted"] == 2


def test_failures_are_not_cached_and_the_cache_is_bounded_and_expires(server, monkeypatch):
    fetcher = RemoteFetcher(allow_private=True, cache_size=1, cache_ttl=60)
    with pytest.raises(FetchError):
        fetcher.fetch_json(server.url("/a"))
    server.document("/a", {"id": "a"})
    server.document("/b", {"id": "b"})
    assert fetcher.fetch_json(server.url("/a")) == {"id": "a"}
    fetcher.fetch_json(server.url("/b"))
    fetcher.fetch_json(server.url("/a"))
    assert server.hits["/a"] == 3  # the failure, the first fetch, and again after /b pushed it out

    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    fetcher.fetch_json(server.url("/a"))
    assert server.hits["/a"] == 4


def test_a_resolver_that_hangs_is_given_up_within_the_timeout(monkeypatch):
    release = threading.Event()

    def hanging_getaddrinfo(*args, **kwargs):
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_getaddrinfo)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"did not answer within 0\.5 s"):
            RemoteFetcher(timeout=0.5).fetch_json("https://slow-dns.example/did.json")
        assert time.monotonic() - started < 1.5
    finally:
        release.set()


def test_a_missing_url_is_a_fetch_error():
    with pytest.raises(FetchError, match="status list has no URL to fetch"):
        RemoteFetcher().fetch_json(None, what="status list")
