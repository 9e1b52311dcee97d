"""``microcred audit verify``: an intact trail passes; an edited or truncated one fails, naming the problem."""

from __future__ import annotations

from sqlalchemy import text

from credentials.storage.models import AuditEvent


def test_audit_verify_passes_on_an_intact_trail(run, build, count):
    build.admin()
    events = count(AuditEvent)
    assert events >= 2
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.output == f"Audit trail intact: {events} event(s) verified.\n"


def test_audit_verify_fails_after_tampering(run, build, services):
    build.admin()
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor_label = 'someone-else' WHERE seq = 2"))

    result = run("audit", "verify")

    assert result.exit_code == 1
    assert "BROKEN: event 2 was changed after it was written" in result.stderr
    assert "Audit trail is not intact (1 problem(s))." in result.stderr
    assert "intact:" not in result.output


def test_audit_verify_fails_when_the_last_events_are_deleted(run, build, services):
    build.admin()
    with services.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)"))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN: the chain head points at event" in result.stderr
