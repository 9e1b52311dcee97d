import re

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.errors import Conflict, InvalidInput
from credentials.domain.people import invitations, sign_in
from credentials.domain.people.one_time_tokens import TokenRejected
from credentials.storage.database import transaction
from credentials.storage.models import OutboxMessage, User


def link(purpose, token):
    return f"https://microcred.test/invitation/{token}"


def invite(services, admin, email="new.teacher@riverside.example.org", **kwargs):
    with transaction(services.session_factory) as session:
        from credentials.domain.people.organizations import district_office

        return invitations.invite_user(
            session,
            email=email,
            name=kwargs.get("name", "New Teacher"),
            roles=kwargs.get("roles", ["teacher"]),
            school_id=kwargs.get("school_id") or district_office(session).id,
            actor=Actor.user(admin),
            issuer_name="Riverside Unified School District",
            link_for=link,
            now=services.clock(),
        )


def accept(services, token, password="my first passphrase"):
    with transaction(services.session_factory) as session:
        return invitations.accept_invitation(
            session, services.passwords, token=token, new_password=password, now=services.clock()
        )


def token_of(message):
    return re.search(r"/invitation/([A-Za-z0-9_-]+)", message.body_text).group(1)


def test_invitation_creates_an_account_without_password_and_mails_a_link(services, build, session):
    admin = build.admin()
    user = invite(services, admin)
    assert user.password_hash is None and user.is_active
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "new.teacher@riverside.example.org"
    assert "Riverside Unified School District" in message.subject
    assert "7 days" in message.body_text and "teacher" in message.body_text
    accepted = accept(services, token_of(message))
    assert accepted.id == user.id
    with transaction(services.session_factory) as s:
        assert sign_in.authenticate(
            s,
            services.passwords,
            email=user.email,
            password="my first passphrase",
            client_address="10.0.0.1",
            now=services.clock(),
        )


def test_inviting_an_existing_address_is_a_clear_error_and_sends_nothing(services, build, session):
    admin = build.admin()
    build.user(email="taken@riverside.example.org")
    with pytest.raises(InvalidInput) as caught:
        invite(services, admin, email="Taken@riverside.example.org")
    assert "already exists" in caught.value.errors["email"]
    assert session.scalars(select(OutboxMessage)).all() == []


def test_invitation_expires_after_seven_days(services, build, session, clock):
    admin = build.admin()
    invite(services, admin)
    token = token_of(session.scalars(select(OutboxMessage)).one())
    clock.advance(days=7, seconds=1)
    with pytest.raises(TokenRejected, match=r"expired\. Ask your district administrator"):
        accept(services, token)


def test_a_new_invitation_voids_the_old_link(services, build, session):
    admin = build.admin()
    user = invite(services, admin)
    with transaction(services.session_factory) as s:
        invitations.resend_invitation(
            s, s.get(User, user.id), actor=Actor.user(admin), issuer_name="RUSD", link_for=link, now=services.clock()
        )
    old, new = (token_of(m) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    with pytest.raises(TokenRejected, match="already been used"):
        accept(services, old)
    accept(services, new)
    with pytest.raises(TokenRejected, match="already been used"):
        accept(services, new)
    with transaction(services.session_factory) as s, pytest.raises(Conflict, match="already accepted"):
        invitations.resend_invitation(
            s, s.get(User, user.id), actor=Actor.user(admin), issuer_name="RUSD", link_for=link, now=services.clock()
        )


def test_a_deactivated_invitee_cannot_accept(services, build, session):
    admin = build.admin()
    user = invite(services, admin)
    token = token_of(session.scalars(select(OutboxMessage)).one())
    from credentials.domain.people.accounts import deactivate_user

    with transaction(services.session_factory) as s:
        deactivate_user(s, s.get(User, user.id), actor=Actor.user(admin), now=services.clock())
    with pytest.raises(TokenRejected):
        accept(services, token)


def reset_token(services, session, email):
    with transaction(services.session_factory) as s:
        sign_in.request_password_reset(
            s, email=email, now=services.clock(), link_for=lambda purpose, token: f"/reset-password/{token}"
        )
    body = session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())).first()
    session.rollback()
    return re.search(r"/reset-password/([A-Za-z0-9_-]+)", body).group(1)


def reset(services, token, password="a reset passphrase"):
    with transaction(services.session_factory) as s:
        return sign_in.reset_password(s, services.passwords, token=token, new_password=password, now=services.clock())


def test_a_password_set_through_a_reset_voids_the_invitation(services, build, session):
    admin = build.admin()
    user = invite(services, admin)
    invitation = token_of(session.scalars(select(OutboxMessage)).one())
    session.rollback()
    reset(services, reset_token(services, session, user.email))
    # The invitation would otherwise set the password again for seven days, behind the person's back.
    with pytest.raises(TokenRejected, match="already been used"):
        accept(services, invitation, "someone else's choice")


def test_accepting_the_invitation_voids_reset_links(services, build, session):
    admin = build.admin()
    user = invite(services, admin)
    invitation = token_of(session.scalars(select(OutboxMessage)).one())
    session.rollback()
    reset_link = reset_token(services, session, user.email)
    accept(services, invitation)
    with pytest.raises(TokenRejected, match="already been used"):
        reset(services, reset_link)
