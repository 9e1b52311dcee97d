import re

import pytest
from sqlalchemy import select

from credentials.domain.errors import InvalidInput, TooManyAttempts
from credentials.domain.people import accounts, sign_in
from credentials.domain.people.login_throttle import MAX_FAILURES, purge_failed_logins
from credentials.domain.people.one_time_tokens import TokenRejected
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, FailedLogin, OutboxMessage, User
from credentials.storage.models.accounts import PASSWORD_RESET
from tests.builders import PASSWORD


def authenticate(services, email, password=PASSWORD, address="10.0.0.1"):
    with transaction(services.session_factory) as session:
        return sign_in.authenticate(
            session, services.passwords, email=email, password=password, client_address=address, now=services.clock()
        )


def fail(services, email, address="10.0.0.1", times=1):
    for _ in range(times):
        with pytest.raises(sign_in.SignInFailed):
            authenticate(services, email, "wrong password!", address)
        with transaction(services.session_factory) as session:
            sign_in.note_failed_sign_in(session, email=email, client_address=address, now=services.clock())


def link_token(body: str) -> str:
    return re.search(r"/(?:reset-password|invitation)/([A-Za-z0-9_-]+)", body).group(1)


def test_sign_in_with_the_right_password(services, build, session):
    user = build.user(email="ann@riverside.example.org")
    signed_in = authenticate(services, "  ANN@riverside.example.org ")
    assert signed_in.id == user.id
    assert session.get(User, user.id).last_login_at == services.clock()
    assert session.scalars(select(AuditEvent.action)).all()[-1] == "user.sign_in"


@pytest.mark.parametrize("case", ["wrong password", "unknown account", "deactivated", "invited"])
def test_every_failure_says_the_same_thing(services, build, case):
    build.user(email="ann@riverside.example.org")
    build.user(email="gone@riverside.example.org", active=False)
    build.user(email="new@riverside.example.org", password=None)
    email, password = {
        "wrong password": ("ann@riverside.example.org", "not the password"),
        "unknown account": ("nobody@riverside.example.org", PASSWORD),
        "deactivated": ("gone@riverside.example.org", PASSWORD),
        "invited": ("new@riverside.example.org", ""),
    }[case]
    with pytest.raises(sign_in.SignInFailed) as caught:
        authenticate(services, email, password)
    assert caught.value.message == "That e-mail address and password do not match an active account."


def test_ten_failures_lock_the_account_for_fifteen_minutes(services, build, clock):
    build.user(email="ann@riverside.example.org")
    fail(services, "ann@riverside.example.org", times=MAX_FAILURES - 1)
    clock.advance(minutes=1)
    fail(services, "ann@riverside.example.org", address="10.9.9.9")
    with pytest.raises(TooManyAttempts) as caught:
        authenticate(services, "ann@riverside.example.org", address="10.7.7.7")  # even the right password
    assert "try again in 14 minutes" in caught.value.message
    assert 13 * 60 < caught.value.retry_after <= 14 * 60 + 1
    clock.advance(minutes=14, seconds=1)
    assert authenticate(services, "ann@riverside.example.org").email == "ann@riverside.example.org"


def test_ten_failures_from_one_address_block_that_address(services, build):
    build.user(email="ann@riverside.example.org")
    for i in range(MAX_FAILURES):
        fail(services, f"guess{i}@riverside.example.org", address="203.0.113.5")
    with pytest.raises(TooManyAttempts):
        authenticate(services, "ann@riverside.example.org", address="203.0.113.5")
    assert authenticate(services, "ann@riverside.example.org", address="198.51.100.1")


def test_old_failures_are_purged(services, build, clock, session):
    fail(services, "x@riverside.example.org", times=3)
    clock.advance(minutes=16)
    fail(services, "x@riverside.example.org")
    with transaction(services.session_factory) as s:
        assert purge_failed_logins(s, now=clock()) == 3
    assert session.scalar(select(FailedLogin.email)) == "x@riverside.example.org"


def test_change_password_checks_the_current_one_and_rotates_the_session(services, build, session):
    user = build.user()
    with transaction(services.session_factory) as s:
        with pytest.raises(InvalidInput) as caught:
            sign_in.change_password(
                s,
                services.passwords,
                s.get(User, user.id),
                current_password="nope",
                new_password="another fine passphrase",
                now=services.clock(),
            )
        assert "current_password" in caught.value.errors
        with pytest.raises(InvalidInput) as caught:
            sign_in.change_password(
                s,
                services.passwords,
                s.get(User, user.id),
                current_password=PASSWORD,
                new_password=PASSWORD,
                now=services.clock(),
            )
        assert "new_password" in caught.value.errors
        sign_in.change_password(
            s,
            services.passwords,
            s.get(User, user.id),
            current_password=PASSWORD,
            new_password="another fine passphrase",
            now=services.clock(),
        )
    fresh = session.get(User, user.id)
    assert fresh.session_token != user.session_token
    assert authenticate(services, user.email, "another fine passphrase")


def test_sign_out_rotates_the_session_token_and_is_audited(services, build, session):
    user = build.user()
    with transaction(services.session_factory) as s:
        sign_in.sign_out(s, s.get(User, user.id), client_address="10.0.0.7", now=services.clock())
    fresh = session.get(User, user.id)
    assert fresh.session_token != user.session_token
    assert accounts.user_for_session(session, user.session_token) is None
    assert accounts.user_for_session(session, fresh.session_token).id == user.id
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor_id, event.subject_id) == ("user.sign_out", user.id, str(user.id))
    assert event.summary == {"client_address": "10.0.0.7"}


def request_reset(services, email):
    with transaction(services.session_factory) as session:
        sign_in.request_password_reset(
            session,
            email=email,
            now=services.clock(),
            link_for=lambda purpose, token: f"https://microcred.test/reset-password/{token}",
        )


def reset(services, token, password="a brand new passphrase"):
    with transaction(services.session_factory) as session:
        return sign_in.reset_password(
            session, services.passwords, token=token, new_password=password, now=services.clock()
        )


def test_reset_for_an_unknown_or_malformed_address_sends_nothing(services, build, session):
    build.user(email="gone@riverside.example.org", active=False)
    for email in ("nobody@riverside.example.org", "gone@riverside.example.org", "not an address"):
        request_reset(services, email)
    assert session.scalars(select(OutboxMessage)).all() == []


def test_reset_link_works_once(services, build, session, clock):
    user = build.user(email="ann@riverside.example.org")
    request_reset(services, "Ann@Riverside.example.org")
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "ann@riverside.example.org"
    assert message.kind == "password_reset"
    token = link_token(message.body_text)
    assert token not in str(session.scalars(select(AuditEvent.summary)).all())
    clock.advance(minutes=30)
    assert reset(services, token).id == user.id
    assert authenticate(services, user.email, "a brand new passphrase")
    with pytest.raises(TokenRejected, match="already been used"):
        reset(services, token, "yet another passphrase")


def test_reset_link_expires_after_an_hour(services, build, session, clock):
    build.user(email="ann@riverside.example.org")
    request_reset(services, "ann@riverside.example.org")
    token = link_token(session.scalars(select(OutboxMessage)).one().body_text)
    clock.advance(hours=1, seconds=1)
    with pytest.raises(TokenRejected, match="expired"):
        reset(services, token)
    with pytest.raises(TokenRejected, match="not valid"):
        reset(services, token[:-2] + "xx")


def test_a_weak_new_password_keeps_the_link_usable(services, build, session):
    build.user(email="ann@riverside.example.org")
    request_reset(services, "ann@riverside.example.org")
    token = link_token(session.scalars(select(OutboxMessage)).one().body_text)
    with pytest.raises(InvalidInput):
        reset(services, token, "short")
    assert reset(services, token).email == "ann@riverside.example.org"


def test_using_one_reset_link_voids_the_others_and_resets_are_capped(services, build, session):
    build.user(email="ann@riverside.example.org")
    for _ in range(5):
        request_reset(services, "ann@riverside.example.org")
    messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == sign_in.RESET_EMAILS_PER_HOUR
    first, second = (link_token(m.body_text) for m in messages[:2])
    reset(services, second)
    with pytest.raises(TokenRejected, match="already been used"):
        reset(services, first)


def test_changing_the_password_voids_outstanding_reset_links(services, build, session):
    user = build.user(email="ann@riverside.example.org")
    request_reset(services, "ann@riverside.example.org")
    token = link_token(session.scalars(select(OutboxMessage)).one().body_text)
    session.rollback()
    with transaction(services.session_factory) as s:
        sign_in.change_password(
            s,
            services.passwords,
            s.get(User, user.id),
            current_password=PASSWORD,
            new_password="changed while the link was out",
            now=services.clock(),
        )
    # Whoever reads that mailbox must not be able to undo the change.
    with pytest.raises(TokenRejected, match="the password was changed since"):
        reset(services, token)
    assert authenticate(services, user.email, "changed while the link was out")


def test_check_one_time_link_does_not_consume(services, build, session):
    user = build.user(email="ann@riverside.example.org")
    request_reset(services, "ann@riverside.example.org")
    token = link_token(session.scalars(select(OutboxMessage)).one().body_text)
    with transaction(services.session_factory) as s:
        assert sign_in.check_one_time_link(s, purpose=PASSWORD_RESET, token=token, now=services.clock()).id == user.id
    assert reset(services, token).id == user.id
