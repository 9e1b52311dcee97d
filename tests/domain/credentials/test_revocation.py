"""Revocation, suspension and expiry reminders."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from credentials.cli import microcred
from credentials.crypto.status_bitstring import StatusBitstring
from credentials.domain.audit import Actor
from credentials.domain.credentials import revocation, status_lists
from credentials.domain.errors import Conflict, InvalidInput
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, IssuedCredential, OutboxMessage
from tests.builders import definition

ADMIN = Actor.system("test-admin")


def bit(services, credential):
    with services.session_factory() as session:
        doc = json.loads(status_lists.status_list_document(session, credential.status_list_id))
    return StatusBitstring.decode(doc["credentialSubject"]["encodedList"]).get(credential.status_index)


def test_revocation_sets_the_bit_resigns_the_list_and_tells_the_earner(build, services, session, interop):
    credential = build.credential()
    assert not bit(services, credential)
    with transaction(services.session_factory) as s, pytest.raises(InvalidInput) as refused:
        revocation.revoke_credential(s, services.signing, credential.uuid, category="nonsense", reason="",
                                     actor=ADMIN, now=services.clock())  # fmt: skip
    assert set(refused.value.errors) == {"category", "reason"}
    with transaction(services.session_factory) as s:
        revocation.revoke_credential(s, services.signing, credential.uuid, category="issued_in_error",
                                     reason="Wrong teacher selected", actor=ADMIN, now=services.clock())  # fmt: skip
    assert bit(services, credential)
    session.rollback()
    stored = session.get(IssuedCredential, credential.id)
    assert stored.revoked_category == "issued_in_error" and stored.revoked_reason == "Wrong teacher selected"
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "credential-status")).one()
    assert "revoked" in mail.subject and "Issued in error" in mail.body_text and "Wrong teacher" not in mail.body_text
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "credential.revoked")).one()
    with transaction(services.session_factory) as s, pytest.raises(Conflict, match="already revoked"):
        revocation.revoke_credential(s, services.signing, credential.uuid, category="other", reason="again",
                                     actor=ADMIN, now=services.clock())  # fmt: skip
    # The re-signed list still verifies with the independent implementation, and reports the credential revoked.
    from tests.domain.credentials.test_issuance import documents_for

    doc = json.loads(stored.document)
    report = interop.verify_data_integrity(doc, documents_for(services, doc))
    assert report["status"]["revoked"], report


def test_suspension_is_reversible(build, services, session):
    credential = build.credential()
    with transaction(services.session_factory) as s:
        revocation.suspend_credential(s, services.signing, credential.uuid, reason="Under inquiry", actor=ADMIN,
                                      now=services.clock())  # fmt: skip
    session.rollback()
    assert session.get(IssuedCredential, credential.id).suspended_at is not None
    with transaction(services.session_factory) as s, pytest.raises(Conflict):
        revocation.suspend_credential(s, services.signing, credential.uuid, reason="again", actor=ADMIN,
                                      now=services.clock())  # fmt: skip
    with transaction(services.session_factory) as s:
        revocation.unsuspend_credential(s, services.signing, credential.uuid, actor=ADMIN, now=services.clock())
    session.rollback()
    assert session.get(IssuedCredential, credential.id).suspended_at is None
    assert not bit(services, credential)


def test_expiry_reminders_go_out_60_and_14_days_before_once_each(build, services, session, clock):
    slug = build.published(definition(slug="expiring", title="Expiring micro-credential", validity_months=12))
    credential = build.credential(slug)
    session.rollback()
    valid_until = session.get(IssuedCredential, credential.id).valid_until

    def remind():
        with transaction(services.session_factory) as s:
            return revocation.send_expiry_reminders(s, services.signing, now=clock())

    assert remind() == 0
    clock.now = valid_until - timedelta(days=59)
    assert remind() == 1 and remind() == 0
    clock.now = valid_until - timedelta(days=13)
    assert remind() == 1 and remind() == 0
    session.rollback()
    subjects = session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.kind == "expiry")).all()
    assert len(subjects) == 2 and all("/microcredentials/expiring" in body for body in subjects)


def test_cli_revoke_suspend_unsuspend(app, build, session):
    credential = build.credential()
    runner = app.test_cli_runner()
    assert (
        runner.invoke(microcred, args=["credentials", "suspend", credential.uuid, "--reason", "Check"]).exit_code == 0
    )
    assert runner.invoke(microcred, args=["credentials", "unsuspend", credential.uuid]).exit_code == 0
    result = runner.invoke(microcred, args=["credentials", "revoke", credential.uuid, "--reason", "Duplicate record",
                                 "--category", "superseded"])  # fmt: skip
    assert result.exit_code == 0, result.output
    again = runner.invoke(microcred, args=["credentials", "revoke", credential.uuid, "--reason", "x"])
    assert again.exit_code == 1 and "already revoked" in again.output
    listing = runner.invoke(microcred, args=["credentials", "list"]).output
    assert "revoked" in listing
