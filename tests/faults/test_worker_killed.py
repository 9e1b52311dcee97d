"""The gunicorn worker killed with SIGKILL in the middle of work: nothing half-done survives, nothing is lost, and
the same action tried again (or the operator's ``microcred credentials process``) completes it exactly once.

How each drill finds "the middle" without any hook in the app:

- **While the worker reads an upload.** The submission's body (a 6 MB image) goes out over a raw socket, two thirds
  of it at first. The kernel shows how much of it the server has read: what was sent, less what waits in our
  socket's send queue and in the server socket's receive queue (``/proc/net/tcp``). Once the worker has taken in
  3 MB, it is inside the request, parsing the form, and it is killed.
- **Inside the transaction.** The drill holds a row lock the request needs next, from a connection of its own: the
  audit trail's head row, which every audited change updates. PostgreSQL's ``pg_blocking_pids`` shows when the
  worker's backend waits for it: by then the submission has stored its files and written its rows (the review its
  scores), uncommitted. The worker is killed, the lock let go, and the orphaned backend rolls everything back.
- **Between a decision's commit and its credential.** The drill holds the lock on the newest status list, which
  issuance takes to allocate an entry and the decision's own transaction never touches. Once the worker's backend
  waits for it and the earned decision is visible from outside (committed, with its pending issuance request), the
  worker is killed; ``microcred credentials process`` then issues the credential, once.
"""

from __future__ import annotations

import http.client
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from credentials.storage.models import Assignment, User
from tests.builders import pdf_bytes

from .arrange import large_image, publish_with_reviewers, signed_in, submission, teacher_with_draft
from .ledger import after_the_fault, attempt_state, everything_counted
from .locks import HeldLock
from .service import DrillService

pytestmark = pytest.mark.faults

READ_TIMEOUT_SECONDS = 30
AUDIT_HEAD = "SELECT id FROM audit_head WHERE id = 1 FOR UPDATE"
NEWEST_STATUS_LIST = "SELECT id FROM status_lists ORDER BY id DESC LIMIT 1 FOR UPDATE"
EARNED_LEVELS = {"level-design": "proficient", "level-reflection": "exemplary", "overall": "Clear, specific evidence."}


def no_answer(call) -> str:
    """Run ``call`` (a request whose worker is killed) and say how the connection ended; any HTTP reply fails."""
    try:
        reply = call()
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead) as error:
        return type(error).__name__
    raise AssertionError(f"the killed worker still answered {reply.status}")


@pytest.fixture
def slug(service: DrillService) -> str:
    return publish_with_reviewers(service)


def test_killed_while_reading_a_submission_upload(service: DrillService, smtp, slug):
    teacher, attempt_id = teacher_with_draft(service)
    visitor = signed_in(service, teacher)
    page = f"/attempts/{attempt_id}"
    fields, image = submission(visitor, attempt_id), large_image()
    files = [("files-tickets", "tuesday.png", image)]
    before, counted = attempt_state(service, attempt_id), everything_counted(service)
    worker = service.worker_pid()

    upload = visitor.open_upload(page, fields, files, token=visitor.form_token(page))
    upload.send(len(upload.body) * 2 // 3)
    deadline = time.monotonic() + READ_TIMEOUT_SECONDS
    while upload.taken_by_server() < 3 * 1024 * 1024:
        assert time.monotonic() < deadline, "the worker did not read 3 MB of the upload"
        time.sleep(0.01)
    service.kill_worker(worker)
    assert upload.answer() == b"", "a killed worker cannot have answered"
    upload.close()

    assert attempt_state(service, attempt_id) == before, "the draft changed"
    assert everything_counted(service) == counted, "something was committed"

    # The teacher sends the same page again; it is submitted once, with both files.
    reply = visitor.post_multipart(page, {**fields, "revision": str(visitor.revision(page))}, files)
    assert reply.status == 302, reply.text[:2000]
    after = attempt_state(service, attempt_id)
    assert after["attempt"][0] == "submitted"
    assert [a[0] for a in after["artifacts"]] == ["tickets", "tickets"]
    assert len(after["assignments"]) == 1
    actions = [action for action, _type, _id in service.events_since(counted["audit_seq"])]
    assert actions.count("attempt.upload") == 1 and actions.count("attempt.submit") == 1, actions
    after_the_fault(service, smtp)
    assert mail_kinds(service, attempt_id) == ["submission_received"]


def test_killed_inside_the_submission_transaction(service: DrillService, smtp, slug):
    teacher, attempt_id = teacher_with_draft(service)
    visitor = signed_in(service, teacher)
    page = f"/attempts/{attempt_id}"
    fields, ticket = submission(visitor, attempt_id), pdf_bytes("Tuesday's tickets")
    files = [("files-tickets", "tuesday.pdf", ticket)]
    token = visitor.form_token(page)
    before, counted = attempt_state(service, attempt_id), everything_counted(service)
    worker = service.worker_pid()

    with HeldLock(service.environ["MICROCRED_DATABASE_URL"], AUDIT_HEAD) as lock, ThreadPoolExecutor(1) as pool:
        request = pool.submit(no_answer, lambda: visitor.post_multipart(page, fields, files, token=token))
        backend, query = lock.waiting_backend()
        assert "audit_head" in query, query
        # Past the upload: its file is already kept in the store (named by its SHA-256), its row not committed.
        kept = list((service.uploads / "blobs").rglob("*"))
        assert any(p.is_file() and p.read_bytes() == ticket for p in kept), "the upload was not kept yet"
        service.kill_worker(worker)
        lock.release()
        lock.wait_until_gone(backend)
        assert request.result(READ_TIMEOUT_SECONDS)

    assert attempt_state(service, attempt_id) == before, "the draft changed"
    assert everything_counted(service) == counted, "something was committed"

    reply = visitor.post_multipart(page, {**fields, "revision": str(visitor.revision(page))}, files)
    assert reply.status == 302, reply.text[:2000]
    after = attempt_state(service, attempt_id)
    assert after["attempt"][0] == "submitted" and len(after["artifacts"]) == 2 and len(after["assignments"]) == 1
    actions = [action for action, _type, _id in service.events_since(counted["audit_seq"])]
    assert actions.count("attempt.upload") == 1 and actions.count("attempt.submit") == 1, actions
    after_the_fault(service, smtp)


def mail_kinds(service: DrillService, attempt_id: int) -> list[str]:
    """The kinds of every e-mail sent to the teacher of the attempt, oldest first."""
    return [r.kind for r in service.rows(
        "SELECT m.kind FROM outbox_messages m JOIN users u ON u.email = m.recipient "
        "JOIN attempts a ON a.teacher_id = u.id WHERE a.id = :id ORDER BY m.id", id=attempt_id
    )]  # fmt: skip


def assignment_of(service: DrillService, attempt_id: int) -> tuple[int, User]:
    with service.services.session_factory() as session:
        assignment = session.scalars(select(Assignment).where(Assignment.attempt_id == attempt_id)).one()
        return assignment.id, session.get(User, assignment.reviewer_id)


def ready_to_confirm(visitor, page: str) -> tuple[str, dict]:
    """Score the review as earned and press "Check and submit": the draft is saved and the summary shown. The
    confirmation (address and fields) is what locks the review and decides."""
    checked = visitor.post_form(page, {**EARNED_LEVELS, "action": "submit"})
    assert checked.status == 302 and checked.location.endswith(f"{page}/confirm"), checked.text[:2000]
    summary = visitor.get(f"{page}/confirm").text
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', summary).group(1)
    return f"{page}/confirm", {"fingerprint": fingerprint}


def test_killed_inside_the_decision_transaction(service: DrillService, smtp, slug):
    attempt_id = service.build.submitted(slug).id
    assignment_id, reviewer = assignment_of(service, attempt_id)
    visitor = signed_in(service, reviewer)
    page = f"/reviews/{assignment_id}"
    token = visitor.form_token(page)
    worker = service.worker_pid()

    confirm, decision = ready_to_confirm(visitor, page)
    before, counted = attempt_state(service, attempt_id), everything_counted(service)
    with HeldLock(service.environ["MICROCRED_DATABASE_URL"], AUDIT_HEAD) as lock, ThreadPoolExecutor(1) as pool:
        request = pool.submit(no_answer, lambda: visitor.post_form(confirm, decision, token=token))
        backend, query = lock.waiting_backend()
        assert "audit_head" in query, query
        service.kill_worker(worker)
        lock.release()
        lock.wait_until_gone(backend)
        assert request.result(READ_TIMEOUT_SECONDS)

    assert attempt_state(service, attempt_id) == before, "part of the decision was kept"
    assert everything_counted(service) == counted, "something was committed"

    # The reviewer sends the review again: decided once, the credential issued once right after.
    reply = visitor.post_form(*ready_to_confirm(visitor, page))
    assert reply.status == 302, reply.text[:2000]
    after = attempt_state(service, attempt_id)
    assert after["attempt"][0] == "earned"
    assert after["issuance_requests"] == 1 and after["credentials"] == 1
    actions = [action for action, _type, _id in service.events_since(counted["audit_seq"])]
    assert actions.count("review.submit") == 1 and actions.count("credential.issued") == 1, actions
    after_the_fault(service, smtp)
    assert mail_kinds(service, attempt_id).count("decision") == 1
    assert mail_kinds(service, attempt_id).count("credential") == 1


def test_killed_between_the_decision_and_its_credential(service: DrillService, smtp, slug):
    service.build.credential(slug)  # an earlier credential: the status list exists, so issuance locks it
    attempt_id = service.build.submitted(slug).id
    assignment_id, reviewer = assignment_of(service, attempt_id)
    visitor = signed_in(service, reviewer)
    page = f"/reviews/{assignment_id}"
    token = visitor.form_token(page)
    worker = service.worker_pid()

    confirm, decision = ready_to_confirm(visitor, page)
    counted = everything_counted(service)
    with HeldLock(service.environ["MICROCRED_DATABASE_URL"], NEWEST_STATUS_LIST) as lock, ThreadPoolExecutor(1) as pool:
        request = pool.submit(no_answer, lambda: visitor.post_form(confirm, decision, token=token))
        backend, query = lock.waiting_backend()
        assert "status_lists" in query, query
        decided = attempt_state(service, attempt_id)
        assert decided["attempt"][0] == "earned", "the decision is not committed yet"
        assert decided["issuance_requests"] == 1 and decided["credentials"] == 0
        service.kill_worker(worker)
        lock.release()
        lock.wait_until_gone(backend)
        assert request.result(READ_TIMEOUT_SECONDS)

    assert attempt_state(service, attempt_id) == decided, "the killed issuance left something behind"
    pending = service.rows("SELECT processed_at FROM issuance_requests WHERE attempt_id = :id", id=attempt_id)
    assert pending == [(None,)]

    # The reviewer, who saw no answer, sends the review again: it is already decided, and nothing changes.
    again = visitor.post_form(page, {**EARNED_LEVELS, "action": "submit"})
    assert again.status in (403, 409), again.status
    assert attempt_state(service, attempt_id) == decided

    assert "Issued 1 of 1" in service.cli("credentials", "process")
    assert "Issued 0 of 0" in service.cli("credentials", "process")
    issued = attempt_state(service, attempt_id)
    assert issued["credentials"] == 1
    actions = [action for action, _type, _id in service.events_since(counted["audit_seq"])]
    assert actions.count("review.submit") == 1 and actions.count("credential.issued") == 1, actions
    uuid = service.scalar("SELECT uuid FROM issued_credentials WHERE attempt_id = :id", id=attempt_id)
    page_text = visitor.get(f"/c/{uuid}").text
    assert re.search(r"\bVerified\b", page_text), "the credential issued after the kill does not verify"
    after_the_fault(service, smtp)
    assert mail_kinds(service, attempt_id).count("decision") == 1
    assert mail_kinds(service, attempt_id).count("credential") == 1
