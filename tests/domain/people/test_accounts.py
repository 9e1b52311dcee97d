import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor, verify_chain
from credentials.domain.errors import Conflict, InvalidInput, PermissionDenied
from credentials.domain.people import accounts
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, User


def create(services, **overrides):
    values = dict(
        email="New.Person@Riverside.example.org",
        name="  New   Person ",
        roles=["teacher"],
        school_id=None,
        password="a long enough passphrase",
    )
    values.update(overrides)
    with transaction(services.session_factory) as session:
        if values["school_id"] is None:
            from credentials.domain.people.organizations import district_office

            values["school_id"] = district_office(session).id
        return accounts.create_user(
            session, services.passwords, actor=Actor.system("test"), now=services.clock(), **values
        )


def test_create_user_normalizes_and_audits(services, build, session):
    build.issuer()
    user = create(services)
    assert user.email == "new.person@riverside.example.org"
    assert user.name == "New Person"
    assert user.roles == {"teacher"}
    assert user.password_hash.startswith("$argon2id$")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert event.subject_id == str(user.id)
    assert event.summary["email"] == user.email
    assert "password" not in str(event.summary)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "valid e-mail"),
        ({"email": ""}, "email", "Enter an e-mail"),
        ({"email": "x" * 250 + "@a.org"}, "email", "at most 254"),
        ({"name": "   "}, "name", "Enter a name"),
        ({"name": "n" * 201}, "name", "at most 200"),
        ({"roles": []}, "roles", "at least one role"),
        ({"roles": ["superuser"]}, "roles", "Unknown role"),
        ({"password": "short"}, "password", "at least 12"),
        ({"password": "aaaaaaaaaaaaaaaa"}, "password", "too easy"),
        ({"password": "new.person@riverside.example.org"}, "password", "e-mail address or name"),
    ],
)
def test_create_user_rejects_bad_input_and_saves_nothing(services, build, session, overrides, field, message):
    build.issuer()
    with pytest.raises(InvalidInput) as caught:
        create(services, **overrides)
    assert message in caught.value.errors[field]
    assert session.scalar(select(User).where(User.email.like("new.person%"))) is None


def test_several_errors_are_reported_together(services, build):
    build.issuer()
    with pytest.raises(InvalidInput) as caught:
        create(services, email="nope", name="", roles=[])
    assert set(caught.value.errors) == {"email", "name", "roles"}


def test_duplicate_address_is_refused_whatever_its_case(services, build):
    build.user(email="taken@riverside.example.org")
    with pytest.raises(InvalidInput, match="correct") as caught:
        create(services, email="TAKEN@riverside.example.org")
    assert "already exists" in caught.value.errors["email"]


def test_a_closed_school_takes_no_new_members(services, build, session):
    school = build.school("Closing School")
    from credentials.domain.people.organizations import set_school_active

    with transaction(services.session_factory) as s:
        set_school_active(s, school.id, active=False, actor=Actor.system("test"), now=services.clock())
    with pytest.raises(InvalidInput) as caught:
        create(services, school_id=school.id)
    assert "school" in caught.value.errors


def test_update_user_changes_roles_and_school_and_records_what_changed(services, build, session):
    admin = build.admin()
    school = build.school("Hill School")
    user = build.user("teacher", name="Ann Lee")
    with transaction(services.session_factory) as s:
        target = s.get(User, user.id)
        accounts.update_user(
            s,
            target,
            name="Ann Lee-Smith",
            roles=["teacher", "reviewer"],
            school_id=school.id,
            actor=Actor.user(admin),
            now=services.clock(),
        )
    fresh = session.get(User, user.id)
    assert fresh.roles == {"teacher", "reviewer"}
    assert fresh.school.name == "Hill School"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.summary["roles"] == {"from": ["teacher"], "to": ["reviewer", "teacher"]}
    assert event.summary["school"]["to"] == "Hill School"
    assert event.actor_id == admin.id


def test_the_last_admin_cannot_lose_the_role_or_be_deactivated(services, build, session):
    admin = build.admin()
    other = build.user("teacher")
    with transaction(services.session_factory) as s:
        with pytest.raises(Conflict, match="at least one active issuer admin"):
            accounts.update_user(
                s,
                s.get(User, admin.id),
                name=admin.name,
                roles=["teacher"],
                school_id=admin.school_id,
                actor=Actor.user(admin),
                now=services.clock(),
            )
        with pytest.raises(Conflict, match="at least one active issuer admin"):
            accounts.deactivate_user(s, s.get(User, admin.id), actor=Actor.user(other), now=services.clock())


def test_deactivation_signs_out_and_is_reversible(services, build, session):
    admin = build.admin()
    user = build.user("teacher")
    old_token = user.session_token
    with transaction(services.session_factory) as s:
        accounts.deactivate_user(s, s.get(User, user.id), actor=Actor.user(admin), now=services.clock())
    fresh = session.get(User, user.id)
    assert not fresh.is_active and fresh.deactivated_at == services.clock()
    assert fresh.session_token != old_token
    assert accounts.user_for_session(session, fresh.session_token) is None
    session.rollback()
    with transaction(services.session_factory) as s:
        accounts.reactivate_user(s, s.get(User, user.id), actor=Actor.user(admin), now=services.clock())
    session.expire_all()
    assert session.get(User, user.id).is_active
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-2:] == ["user.deactivate", "user.reactivate"]
    assert verify_chain(session).ok


def test_nobody_deactivates_themselves(services, build):
    admin = build.admin()
    build.admin()
    with transaction(services.session_factory) as s, pytest.raises(PermissionDenied):
        accounts.deactivate_user(s, s.get(User, admin.id), actor=Actor.user(admin), now=services.clock())


def test_find_users_filters_and_pages(services, build, session):
    school = build.school("Elm School")
    for i in range(3):
        build.user("teacher", name=f"Teacher {i}", school=school)
    build.user("reviewer", name="Rita Reviewer")
    invited = build.user("teacher", name="Ian Invited", password=None)
    build.user("teacher", name="Dee Deactivated", active=False)

    def names(**criteria):
        return [u.name for u in accounts.find_users(session, accounts.UserFilter(**criteria)).items]

    assert names(role="reviewer") == ["Rita Reviewer"]
    assert names(school_id=school.id) == ["Teacher 0", "Teacher 1", "Teacher 2"]
    assert names(status="invited") == [invited.name]
    assert names(status="inactive") == ["Dee Deactivated"]
    assert names(query="RITA") == ["Rita Reviewer"]
    assert names(query="100%") == []
    page = accounts.find_users(session, accounts.UserFilter(), page=2, per_page=4)
    assert page.total == 6 and page.pages == 2 and len(page.items) == 2
