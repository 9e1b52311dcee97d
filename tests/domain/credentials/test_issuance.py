"""Issuing signed OB 3.0 credentials: the pipeline, idempotency, and verification by independent implementations."""

import copy
import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from credentials.crypto.data_integrity import verify_eddsa_rdfc_2022
from credentials.crypto.multikey import public_key_from_multibase
from credentials.crypto.vc_jwt import public_key_from_jwk
from credentials.domain.audit import Actor
from credentials.domain.credentials import issuance, issuer_keys, status_lists
from credentials.domain.credentials.issuance import Recipient, add_months
from credentials.openbadges.schema_check import schema_problems
from credentials.storage.database import transaction
from credentials.storage.models import IssuanceRequest, IssuedCredential, MicroCredentialVersion, OutboxMessage
from tests.builders import definition

ADMIN = Actor.system("test-admin")


def documents_for(services, credential_doc):
    """What a verifier would fetch: our DID document and the status list credential."""
    with services.session_factory() as session:
        did_doc = issuer_keys.issuer_did_document(session, services.settings.public_url)
        list_url = credential_doc["credentialStatus"]["statusListCredential"]
        list_id = int(list_url.rsplit("/", 1)[1])
        status_doc = json.loads(status_lists.status_list_document(session, list_id))
    return {did_doc["id"]: did_doc, list_url: status_doc}


def signed(credential):
    return json.loads(credential.document)


def test_an_issued_credential_follows_the_ob3_schema_and_verifies_here(build, services):
    credential = build.credential()
    doc = signed(credential)
    assert schema_problems(doc) == []
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["id"] == f"https://microcred.test/c/{credential.uuid}"
    assert doc["issuer"]["id"] == "did:web:microcred.test"
    assert doc["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    assert doc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert int(doc["credentialStatus"]["statusListIndex"]) == credential.status_index
    [proof] = doc["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == f"did:web:microcred.test#{credential.key_id}"
    did_doc = documents_for(services, doc)["did:web:microcred.test"]
    [method] = [m for m in did_doc["verificationMethod"] if m["id"] == proof["verificationMethod"]]
    assert verify_eddsa_rdfc_2022(doc, public_key_from_multibase(method["publicKeyMultibase"]))
    results = {r["resultDescription"].rsplit("#", 1)[1]: r["achievedLevel"] for r in doc["credentialSubject"]["result"]}
    assert results["criterion-design"].endswith("#criterion-design-level-proficient")


def test_digital_bazaar_verifies_the_credential_and_rejects_a_tampered_copy(build, services, interop):
    credential = build.credential()
    doc = signed(credential)
    documents = documents_for(services, doc)
    report = interop.verify_data_integrity(doc, documents)
    assert report["verified"], report["errors"]
    assert report["status"]["checked"] and not report["status"]["revoked"]
    tampered = copy.deepcopy(doc)
    tampered["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    assert not interop.verify_data_integrity(tampered, documents)["verified"]


def test_jose_verifies_both_jwts_and_rejects_a_tampered_one(build, services, session, interop):
    credential = build.credential()
    session.rollback()
    stored = session.get(IssuedCredential, credential.id)
    for token, kid, alg in ((stored.jwt_eddsa, stored.key_id, "EdDSA"), (stored.jwt_rs256, stored.rsa_key_id, "RS256")):
        jwk = {k: v for k, v in issuer_keys.list_keys(session)[0].public_jwk.items()}
        jwk = next(key.public_jwk for key in issuer_keys.list_keys(session) if key.kid == kid)
        report = interop.verify_jwt(token, jwk, [alg])
        assert report["verified"], report["errors"]
        assert report["payload"]["jti"] == signed(stored)["id"]
        assert report["payload"]["iss"] == "did:web:microcred.test"
        header, payload, signature = token.split(".")
        forged = f"{header}.{payload[:-4]}AAAA.{signature}"
        assert not interop.verify_jwt(forged, jwk, [alg])["verified"]
    public_key_from_jwk(jwk)  # our own reader accepts what we publish


def test_a_revoked_bit_is_reported_by_the_independent_verifier(build, services, interop):
    credential = build.credential()
    with transaction(services.session_factory) as session:
        status_lists.set_status(
            session, services.signing, credential.status_list_id, credential.status_index, True, now=services.clock()
        )
    doc = signed(credential)
    report = interop.verify_data_integrity(doc, documents_for(services, doc))
    assert report["status"]["revoked"]


def test_issuing_twice_gives_the_same_credential_and_marks_the_request(build, services, session):
    build.issuer_keys()
    attempt = build.earned()
    with transaction(services.session_factory) as s:
        first = issuance.issue_for_attempt(s, services.signing, attempt.id, now=services.clock())
    with transaction(services.session_factory) as s:
        second = issuance.issue_for_attempt(s, services.signing, attempt.id, now=services.clock())
    assert first.uuid == second.uuid
    session.rollback()
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 1
    assert session.scalar(select(IssuanceRequest.processed_at)) is not None
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "credential")).all()
    assert len(mail) == 1 and first.uuid in mail[0].body_text


def test_issue_requested_leaves_a_refused_request_pending_until_it_can_be_issued(build, services, session):
    attempt = build.earned()  # decided before any signing key exists

    refused = issuance.issue_requested(services.session_factory, services.signing, clock=services.clock)

    assert refused.attempts == [attempt.id] and refused.issued == []
    [(attempt_id, reason)] = refused.refused
    assert attempt_id == attempt.id and "microcred keys generate" in reason
    assert session.scalar(select(IssuanceRequest.processed_at)) is None
    build.issuer_keys()
    issued = issuance.issue_requested(services.session_factory, services.signing, clock=services.clock)
    assert issued.attempts == issued.issued == [attempt.id] and issued.refused == []
    session.rollback()
    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id
    assert session.scalar(select(IssuanceRequest.processed_at)) is not None
    again = issuance.issue_requested(services.session_factory, services.signing, clock=services.clock)
    assert again.attempts == []  # nothing pending any more


@pytest.mark.postgres
def test_two_concurrent_triggers_issue_exactly_one_credential(build, services, session):
    build.issuer_keys()
    attempt = build.earned()
    barrier = threading.Barrier(4)
    uuids, errors = [], []

    def trigger():
        try:
            barrier.wait()
            with transaction(services.session_factory) as s:
                uuids.append(issuance.issue_for_attempt(s, services.signing, attempt.id, now=services.clock()).uuid)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=trigger) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(uuids)) == 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 1


def test_evidence_shares_the_reflection_only_when_the_teacher_chose_to(build, services):
    slug = build.published()
    private = signed(build.credential(slug))
    names = [item["name"] for item in private["evidence"]]
    assert names == ["Overview questions", "Classroom artifacts", "Reflection"]
    assert "I regrouped students daily" not in json.dumps(private)
    shared = signed(build.credential(slug, share=True))
    text = json.dumps(shared)
    assert "I regrouped students daily" in text
    assert shared["evidence"][-1]["id"] == shared["id"] + "/evidence"


def test_validity_period_sets_valid_until(build, services):
    slug = build.published(definition(slug="expiring", title="Expiring micro-credential", validity_months=24))
    doc = signed(build.credential(slug))
    assert doc["validUntil"][:4] == str(int(doc["validFrom"][:4]) + 2)


def test_rotated_keys_stay_published_and_revoked_keys_leave(build, services, session):
    slug = build.published()
    first = build.credential(slug)
    with transaction(services.session_factory) as s:
        issuer_keys.rotate_keys(s, services.keys, actor=ADMIN, now=services.clock())
    second = build.credential(slug)
    assert second.key_id != first.key_id
    session.rollback()
    ids = {
        m["id"].rsplit("#", 1)[1]
        for m in documents_for(services, signed(first))["did:web:microcred.test"]["verificationMethod"]
    }
    assert {first.key_id, second.key_id} <= ids
    with transaction(services.session_factory) as s:
        issuer_keys.revoke_key(s, first.key_id, reason="Laptop stolen", actor=ADMIN, now=services.clock())
    did_doc = documents_for(services, signed(second))["did:web:microcred.test"]
    assert first.key_id not in json.dumps(did_doc)
    assert second.key_id in json.dumps(did_doc)


def test_admin_issuance_for_a_named_person_is_idempotent(build, services, session):
    build.issuer_keys()
    slug = build.published()
    awarded = datetime(2024, 6, 1, tzinfo=UTC)
    with transaction(services.session_factory) as s:
        version = s.scalars(select(MicroCredentialVersion)).one()
        credential, created = issuance.issue(
            s, services.signing, version, Recipient("Ana Ruiz", "ana@example.org"),
            awarded_at=awarded, source="admin", actor=ADMIN, now=services.clock(),
        )  # fmt: skip
        again, created_again = issuance.issue(
            s, services.signing, version, Recipient("Ana Ruiz", "ANA@example.org "),
            awarded_at=awarded, source="admin", actor=ADMIN, now=services.clock(),
        )  # fmt: skip
    assert created and not created_again and again.uuid == credential.uuid
    doc = signed(credential)
    assert doc["awardedDate"] == "2024-06-01T00:00:00Z"
    assert "result" not in doc["credentialSubject"]
    assert slug in doc["credentialSubject"]["achievement"]["id"]


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)
    assert add_months(datetime(2026, 11, 15), 14) == datetime(2028, 1, 15)
