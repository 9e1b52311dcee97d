"""PostgreSQL restarted under a burst of requests: every request that cannot reach the database fails cleanly (503
with a sentence, never a 500 or a stack trace), the service recovers by itself (no gunicorn restart), no transaction
is half-written, and the teachers' submissions, tried again, go through exactly once.

The drill's private cluster is stopped with ``pg_ctl stop -m fast`` while teachers save drafts and anonymous
visitors browse the catalog: the server ends every session, rolling back what was in flight. Teachers submit while it
is down, and again once it is back; the service's pooled connections are dead by then and must be replaced on their
own (SQLAlchemy's ``pool_pre_ping``).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from .arrange import publish_with_reviewers, signed_in, submission, teacher_with_draft
from .ledger import after_the_fault
from .service import DrillService
from .visitor import Reply, Visitor

pytestmark = pytest.mark.faults

TEACHERS = 4
RECOVERY_SECONDS = 30
UNAVAILABLE = "could not reach its database"
# What must never reach a visitor, whatever fails.
LEAKS = ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "Internal Server Error")


@dataclass
class Seen:
    what: str
    status: int
    text: str


class Burst:
    """Requests sent in a loop from several threads until told to stop; every answer is kept."""

    def __init__(self):
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def note(self, what: str, reply: Reply) -> Reply:
        with self._lock:
            self.seen.append(Seen(what, reply.status, reply.text))
        return reply

    def browse(self, visitor: Visitor) -> None:
        """An anonymous visitor reading the catalog and the health check, over and over."""
        while not self.stopping.is_set():
            self.note("catalog", visitor.get("/microcredentials"))
            self.note("healthz", visitor.get("/healthz"))

    def save_drafts(self, visitor: Visitor, attempt_id: int, saves: dict) -> None:
        """A teacher saving their reflection again and again, numbering each save ("draft 1", "draft 2", ...)."""
        page, number = f"/attempts/{attempt_id}", 0
        token = visitor.form_token(page)
        while not self.stopping.is_set():
            number += 1
            saves["tried"] = number
            fields = {"answer-reflection": f"draft {number}", "action": "save"}
            reply = self.note("save", visitor.post_form(page, fields, token=token))
            if reply.status == 302:
                saves["acknowledged"] = number
                # As a browser does; the page shows (and so clears) the "Draft saved." note.
                self.note("draft page", visitor.get(urlsplit(reply.location).path))


def test_postgresql_restarted_during_a_burst(service: DrillService, cluster, smtp):
    publish_with_reviewers(service, reviewers=2)
    teachers = [teacher_with_draft(service) for _ in range(TEACHERS)]
    visitors = {attempt_id: signed_in(service, teacher) for teacher, attempt_id in teachers}
    forms = {attempt_id: (visitor.form_token(f"/attempts/{attempt_id}"), submission(visitor, attempt_id))
             for attempt_id, visitor in visitors.items()}  # fmt: skip
    master, worker = service.master.pid, service.worker_pid()
    burst, saves = Burst(), defaultdict(dict)

    with ThreadPoolExecutor(TEACHERS + 1) as pool:
        running = [pool.submit(burst.browse, Visitor(service.url))]
        running += [pool.submit(burst.save_drafts, visitors[a], a, saves[a]) for a in visitors]
        time.sleep(1)
        cluster.stop("fast")
        down = []
        for attempt_id, (token, fields) in forms.items():
            page = f"/attempts/{attempt_id}"
            down.append(burst.note("submit", visitors[attempt_id].post_form(page, fields, token=token)))
        time.sleep(1)
        cluster.start()
        service.wait_until_serving(RECOVERY_SECONDS)
        time.sleep(1)
        burst.stopping.set()
        for future in running:
            future.result(RECOVERY_SECONDS)

    statuses = {(s.what, s.status) for s in burst.seen}
    unexpected = [s for s in burst.seen if s.status not in (200, 302, 503)]
    assert not unexpected, f"{sorted(statuses)}; the first unexpected answer:\n{unexpected[0].text[:3000]}"
    assert [r.status for r in down] == [503] * TEACHERS, "a submission while the database was down did not get 503"
    failed = [s for s in burst.seen if s.status == 503]
    assert {s.what for s in failed} >= {"catalog", "healthz", "save", "submit"}, sorted(statuses)
    for seen in failed:
        if seen.what == "healthz":
            assert '"unavailable"' in seen.text
        else:
            assert UNAVAILABLE in seen.text, seen.text[:2000]
        assert not any(leak in seen.text for leak in LEAKS), seen.text[:2000]
    assert (service.master.pid, service.worker_pid()) == (master, worker), "gunicorn or its worker was restarted"

    # Nothing half-written: each reflection is the last acknowledged save or one tried after it (a commit whose
    # answer was lost with the connection), and no submission happened while the database was down.
    for attempt_id, save in saves.items():
        text = service.scalar("SELECT text FROM attempt_answers WHERE attempt_id = :id AND prompt_key = 'reflection'",
                              id=attempt_id)  # fmt: skip
        number = int(text.removeprefix("draft "))
        assert save.get("acknowledged", 0) <= number <= save["tried"], (text, save)
        assert service.scalar("SELECT status FROM attempts WHERE id = :id", id=attempt_id) == "draft"

    # The teachers submit again: each attempt is submitted, assigned and acknowledged exactly once.
    for attempt_id, visitor in visitors.items():
        reply = visitor.post_form(f"/attempts/{attempt_id}", submission(visitor, attempt_id))
        assert reply.status == 302, reply.text[:2000]
    for attempt_id in visitors:
        submits = service.scalar("SELECT count(*) FROM audit_events WHERE action = 'attempt.submit' "
                                 "AND subject_id = :id", id=str(attempt_id))  # fmt: skip
        assignments = service.scalar("SELECT count(*) FROM review_assignments WHERE attempt_id = :id", id=attempt_id)
        assert (submits, assignments) == (1, 1)
    assert after_the_fault(service, smtp) >= 2 * TEACHERS  # each teacher's receipt, and each reviewer's notice
