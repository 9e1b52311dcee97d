"""An issuer whose servers answer slowly cannot hold a verification for long: one deadline covers all of a
verification's fetches, a cap bounds how many it makes, and a few slots bound how many verifications wait at once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from credentials.verification import MAX_FETCHES, FetchBudget, RemoteFetcher, Verifier, VerifierBusy
from credentials.verification.fetch_budget import BudgetSpent, ForeignFetchSlots

from . import foreign
from .slow_issuer import SlowIssuer

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
DELAY = 1.0  # each document's answer; the fetcher's own limit per document (2 s) allows it


def messages(report, name: str) -> list[str]:
    return [check.message for check in report.checks if check.check == name]


def fetches(server) -> int:
    return sum(server.hits.values())


def test_a_credential_from_an_issuer_that_answers_in_time_needs_five_fetches(server):
    issuer = SlowIssuer(server)
    verifier = Verifier(RemoteFetcher(allow_private=True, timeout=2.0, cache_ttl=0))
    report = verifier.verify(issuer.credential, now=NOW)
    assert report.status == "verified" and not report.warnings, report.as_dict()
    # The key and its controller, the status list, the list's key and (again: nothing is cached) its controller.
    assert fetches(server) == 5 <= MAX_FETCHES


def test_a_slow_issuer_gets_one_deadline_for_every_fetch_of_the_verification(server):
    issuer = SlowIssuer(server)
    issuer.delay = DELAY
    verifier = Verifier(RemoteFetcher(allow_private=True, timeout=2.0), fetch_seconds=2.5)
    started = time.monotonic()
    report = verifier.verify(issuer.credential, now=NOW)
    elapsed = time.monotonic() - started
    # Each document arrives within the fetcher's limit for one document: without the one deadline this takes 4 s.
    assert elapsed < 2.5 + 1.0, f"took {elapsed:.1f} s"
    assert report.status == "verified"  # the key came in time; the status is unknown, never "revoked"
    [status] = messages(report, "status")
    assert status.startswith("Status unknown: the status list could not be fetched (status list at http://")
    assert status.endswith(
        "did not answer in time: a verification waits at most 2.5 s for other servers, all its documents together)."
    )
    assert report.warnings[0].message == status


def test_a_slow_key_document_fails_the_key_check_at_the_deadline(server):
    issuer = SlowIssuer(server)
    issuer.delay = DELAY
    verifier = Verifier(RemoteFetcher(allow_private=True, timeout=2.0), fetch_seconds=1.5)
    started = time.monotonic()
    report = verifier.verify(issuer.credential, now=NOW)
    assert time.monotonic() - started < 1.5 + 1.0
    assert report.status == "invalid"
    assert "controller document at http://" in report.reason and "did not answer in time" in report.reason
    assert messages(report, "status") == ["Not checked: the credential itself could not be verified."]


def test_no_verification_fetches_more_than_its_cap(server):
    issuer = SlowIssuer(server)
    verifier = Verifier(RemoteFetcher(allow_private=True, timeout=2.0), max_fetches=3)
    report = verifier.verify(issuer.credential, now=NOW)
    assert fetches(server) == 3 and server.hits["/keys/2"] == 0
    [status] = messages(report, "status")
    assert "was not fetched: a verification fetches at most 3 documents from other servers" in status
    assert status.startswith("Status unknown: the status list's own proof does not verify")

    # Cached documents cost nothing, and the list's proof was not judged on a key that was never fetched: the next
    # verification fetches only that key and verifies the list.
    report = verifier.verify(issuer.credential, now=NOW)
    assert fetches(server) == 4 and not report.warnings
    assert messages(report, "status")[0].startswith("Not revoked")


def test_a_spent_budget_says_why():
    now = [100.0]
    budget = FetchBudget(2, max_fetches=2, clock=lambda: now[0])
    assert budget.spend() == 102.0
    now[0] = 102.0
    with pytest.raises(BudgetSpent, match=r"^the 2 s a verification may wait for other servers had run out$"):
        budget.spend()
    now[0] = 101.0
    budget.spend()
    with pytest.raises(BudgetSpent, match=r"^a verification fetches at most 2 documents from other servers$"):
        budget.spend()


def test_verifications_that_wait_on_other_servers_take_a_slot_or_are_turned_away(server):
    waiting, other = SlowIssuer(server, "/a"), SlowIssuer(server, "/b")
    waiting.release.clear()
    verifier = Verifier(RemoteFetcher(allow_private=True, timeout=5.0), fetch_seconds=6, slots=1)
    reports = []
    thread = threading.Thread(target=lambda: reports.append(verifier.verify(waiting.credential, now=NOW)))
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while server.hits["/a/keys/1"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        with pytest.raises(VerifierBusy, match="try again in 6 seconds") as refused:
            verifier.verify(other.credential, now=NOW)
        assert refused.value.retry_after == 6 and time.monotonic() - started < 0.5
        assert server.hits["/b/keys/1"] == 0
        # A credential that needs nothing from the network (a did:key, no status list) needs no slot.
        assert verifier.verify(foreign.did_key_credential(), now=NOW).status == "verified"
    finally:
        waiting.release.set()
        thread.join()
    assert reports[0].status == "verified" and not reports[0].warnings
    # The slot was given back when the first verification ended.
    assert verifier.verify(other.credential, now=NOW).status == "verified"


def test_a_slot_is_given_back_however_the_verification_ends():
    slots = ForeignFetchSlots(1)
    with pytest.raises(RuntimeError), FetchBudget(5, slots=slots) as budget:
        budget.spend()
        raise RuntimeError("a check failed unexpectedly")
    with FetchBudget(5, slots=slots) as budget:
        budget.spend()
        with pytest.raises(VerifierBusy), FetchBudget(5, slots=slots) as second:
            second.spend()
    assert slots.take()


def test_one_verifier_serves_many_threads_at_once(server):
    issuers = [SlowIssuer(server, f"/{name}") for name in "abcd"]
    credentials = [issuer.credential for issuer in issuers] + [foreign.did_key_credential()]
    verifier = Verifier(RemoteFetcher(allow_private=True, timeout=5.0), fetch_seconds=10)
    expected = [verifier.verify(credential, now=NOW).as_dict() for credential in credentials]
    verifier.list_proofs.clear()
    verifier.fetcher.clear_cache()
    results: list[tuple[int, dict]] = []
    start = threading.Barrier(8)

    def verify_all(offset: int) -> None:
        start.wait()
        for step in range(len(credentials)):
            index = (offset + step) % len(credentials)
            results.append((index, verifier.verify(credentials[index], now=NOW).as_dict()))

    threads = [threading.Thread(target=verify_all, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 * len(credentials)
    assert all(report == expected[index] for index, report in results)
