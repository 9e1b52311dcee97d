"""The verify page and API when every slot for verifications that wait on other issuers' servers is taken: a 503
that says so, with Retry-After, at once; credentials that need no network still verify."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest

from credentials.verification import FOREIGN_VERIFICATION_SLOTS
from tests.verification import foreign
from tests.verification.conftest import DocumentServer
from tests.verification.slow_issuer import SlowIssuer

FETCH_SECONDS = 10  # far longer than the tests take, so the waiting verifications end verified


@pytest.fixture
def settings(settings):
    # The slow issuer is on 127.0.0.1 and speaks http.
    return settings.with_overrides(verify_allow_private=True, verify_fetch_seconds=FETCH_SECONDS)


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    document_server = DocumentServer()
    yield document_server
    document_server.close()


@pytest.fixture
def slots_taken(app, server) -> Iterator[None]:
    """Every slot held by a verification waiting on an issuer that does not answer (each in a thread of its own)."""
    issuers = [SlowIssuer(server, f"/{number}") for number in range(FOREIGN_VERIFICATION_SLOTS)]
    for issuer in issuers:
        issuer.release.clear()
    results = []

    def wait_on(issuer: SlowIssuer) -> None:
        response = app.test_client().post("/api/v1/verify", json=issuer.credential)
        results.append(response.get_json())

    threads = [threading.Thread(target=wait_on, args=(issuer,)) for issuer in issuers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while sum(server.hits.values()) < len(issuers) and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield
    finally:
        for issuer in issuers:
            issuer.release.set()
        for thread in threads:
            thread.join()
    assert [report["status"] for report in results] == ["verified"] * len(issuers)


def test_the_api_answers_503_with_retry_after_when_every_slot_is_taken(client, server, slots_taken):
    started = time.monotonic()
    response = client.post("/api/v1/verify", json=SlowIssuer(server, "/late").credential)
    assert response.status_code == 503 and time.monotonic() - started < 2
    assert response.headers["Retry-After"] == str(FETCH_SECONDS)
    message = response.get_json()["error"]["message"]
    assert "Too many credentials from other issuers are being checked" in message
    assert f"try again in {FETCH_SECONDS} seconds" in message
    assert server.hits["/late/keys/1"] == 0
    # Nothing from the network is needed for a did:key credential without a status list: it needs no slot.
    assert client.post("/api/v1/verify", json=foreign.did_key_credential()).get_json()["status"] == "verified"


def test_the_verify_page_says_so_too(browser, server, slots_taken):
    credential = json.dumps(SlowIssuer(server, "/late").credential)
    response = browser.submit("/verify", {"credential": credential})
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == str(FETCH_SECONDS)
    assert "Please try again in a moment" in html and "Too many credentials from other issuers" in html
    assert "&#34;@context&#34;" in html or "&quot;@context&quot;" in html  # what was pasted is still in the form
