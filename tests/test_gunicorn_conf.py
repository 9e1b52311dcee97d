"""gunicorn.conf.py against an issuer whose servers answer slowly: while verifications wait on it, /healthz and pages
answer at once, a credential that needs no network still verifies, and verifications beyond the slots get a 503 with
Retry-After instead of a place in a queue. Real gunicorn, started as `make run` starts it."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.live_service import LiveService, free_port
from tests.verification import foreign
from tests.verification.conftest import DocumentServer
from tests.verification.slow_issuer import SlowIssuer

FETCH_SECONDS = 3
WORKERS, SLOTS_PER_WORKER = 2, 2  # gunicorn.conf.py's workers; credentials.verification.FOREIGN_VERIFICATION_SLOTS
SLOW_VERIFICATIONS = 6


@dataclass
class Answer:
    status: int
    headers: dict
    body: dict
    seconds: float


def ask(url: str, data: bytes | None = None) -> Answer:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own test server
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    seconds = time.monotonic() - started
    is_json = headers.get("Content-Type") == "application/json"
    return Answer(status, headers, json.loads(body) if is_json else {}, seconds)


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    document_server = DocumentServer()
    yield document_server
    document_server.close()


@pytest.fixture
def service(tmp_path) -> Iterator[LiveService]:
    live = LiveService(tmp_path, smtp_port=free_port(), log_path=tmp_path / "gunicorn.log")
    live.environ |= {"MICROCRED_VERIFY_ALLOW_PRIVATE": "1", "MICROCRED_VERIFY_FETCH_SECONDS": str(FETCH_SECONDS)}
    try:
        live.cli("db", "upgrade")
        live.start()
        yield live
    finally:
        live.stop()


def test_slow_issuers_hold_a_few_threads_and_the_service_keeps_answering(service, server):
    issuers = [SlowIssuer(server, f"/{number}") for number in range(SLOW_VERIFICATIONS)]
    for issuer in issuers:
        issuer.release.clear()  # their servers accept the connection and then say nothing
    answers: dict[int, Answer] = {}
    verify = f"{service.url}/api/v1/verify"

    def post(number: int) -> None:
        answers[number] = ask(verify, json.dumps(issuers[number].credential).encode())

    threads = [threading.Thread(target=post, args=(number,)) for number in range(SLOW_VERIFICATIONS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            waiting = [n for n in range(SLOW_VERIFICATIONS) if server.hits[f"/{n}/keys/1"]]
            refused = [n for n, answer in list(answers.items()) if answer.status == 503]
            if len(waiting) + len(refused) == SLOW_VERIFICATIONS:
                break
            time.sleep(0.02)
        assert len(waiting) + len(refused) == SLOW_VERIFICATIONS, (waiting, answers, service.log_tail())
        assert 1 <= len(waiting) <= WORKERS * SLOTS_PER_WORKER

        # While those wait, the service answers as usual.
        for _ in range(5):
            health = ask(f"{service.url}/healthz")
            assert health.status == 200 and health.seconds < 1, health
        page = ask(f"{service.url}/verify")
        assert page.status == 200 and page.seconds < 1, page
        local = ask(verify, json.dumps(foreign.did_key_credential()).encode())
        assert local.status == 200 and local.body["status"] == "verified" and local.seconds < 2, local
        assert all(thread.is_alive() for n, thread in enumerate(threads) if n in waiting)
    finally:
        for thread in threads:
            thread.join()
        for issuer in issuers:
            issuer.release.set()

    for number in refused:
        answer = answers[number]
        # Turned away as soon as it needed the network, not after waiting for a slot.
        assert answer.headers["Retry-After"] == str(FETCH_SECONDS) and answer.seconds < 2, answer
        assert f"try again in {FETCH_SECONDS} seconds" in answer.body["error"]["message"]
    for number in waiting:
        answer = answers[number]
        assert answer.status == 200 and answer.seconds < FETCH_SECONDS + 1.5, answer
        key = next(check for check in answer.body["checks"] if check["check"] == "key")
        assert f"did not answer in time: a verification waits at most {FETCH_SECONDS} s" in key["message"]
