from sqlalchemy import func, select

from credentials.storage.models import OutboxMessage, User


def admin_browser(browser, build):
    admin = build.admin(email="admin@riverside.example.org", name="Dana Admin")
    browser.login(admin.email)
    return admin


def test_invite_someone(browser, build, session):
    admin_browser(browser, build)
    school = build.school("Pine School")
    response = browser.submit(
        "/admin/people/invite",
        {
            "email": "Rev@Riverside.example.org",
            "name": "Rae Reviewer",
            "roles": ["reviewer", "teacher"],
            "school": str(school.id),
        },
    )
    assert response.status_code == 302
    person = browser.get(response.headers["Location"], follow_redirects=True)
    assert b"Invitation sent to rev@riverside.example.org" in person.data
    assert b"Invited, has not chosen a password yet" in person.data
    user = session.scalar(select(User).where(User.email == "rev@riverside.example.org"))
    assert user.roles == {"reviewer", "teacher"} and user.school_id == school.id
    assert session.scalar(select(OutboxMessage.recipient)) == "rev@riverside.example.org"


def test_bad_invitations_are_answered_beside_the_field_and_save_nothing(browser, build, session):
    admin_browser(browser, build)
    build.user(email="taken@riverside.example.org")
    before = session.scalar(select(func.count()).select_from(User))
    cases = [
        ({"email": "taken@riverside.example.org", "name": "X", "roles": ["teacher"]}, b"already exists"),
        ({"email": "not-an-address", "name": "X", "roles": ["teacher"]}, b"Enter a valid e-mail address"),
        ({"email": "a@riverside.example.org", "name": "n" * 201, "roles": ["teacher"]}, b"Field cannot be longer"),
        ({"email": "a@riverside.example.org", "name": "X", "roles": []}, b"Choose at least one role."),
        ({"email": "a@riverside.example.org", "name": "X", "roles": ["root"]}, b"Not a valid choice"),
        ({"email": "a@riverside.example.org", "name": "X", "roles": ["teacher"], "school": "999"}, b"Not a valid"),
        ({"email": "a@riverside.example.org", "name": "X", "roles": ["teacher"], "school": "abc"}, b"Invalid Choice"),
    ]
    office = session.scalar(select(User.school_id))
    for data, message in cases:
        data.setdefault("school", str(office))
        response = browser.submit("/admin/people/invite", data)
        assert response.status_code == 422, data
        assert message.lower() in response.data.lower(), (data, response.data[-3000:])
        assert b'value="' + data["email"].encode() + b'"' in response.data  # what was typed is kept
    session.rollback()
    assert session.scalar(select(func.count()).select_from(User)) == before
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_change_roles_and_school(browser, build, session):
    admin_browser(browser, build)
    teacher = build.user("teacher", name="Tess Teacher")
    school = build.school("Birch School")
    response = browser.submit(
        f"/admin/people/{teacher.id}",
        {"name": "Tess T. Teacher", "roles": ["teacher", "reviewer"], "school": str(school.id)},
    )
    assert response.status_code == 302
    fresh = session.get(User, teacher.id)
    assert fresh.name == "Tess T. Teacher" and fresh.roles == {"teacher", "reviewer"} and fresh.school_id == school.id


def test_removing_the_last_admin_role_is_refused(browser, build, session):
    admin = admin_browser(browser, build)
    response = browser.submit(
        f"/admin/people/{admin.id}", {"name": admin.name, "roles": ["teacher"], "school": str(admin.school_id)}
    )
    assert response.status_code == 409
    assert b"at least one active issuer admin" in response.data
    assert session.get(User, admin.id).roles == {"issuer_admin"}


def test_deactivate_and_reactivate(browser, build, session):
    admin_browser(browser, build)
    teacher = build.user("teacher")
    page = f"/admin/people/{teacher.id}"
    browser.submit(f"/admin/people/{teacher.id}/deactivate", page=page)
    assert b"Deactivated on" in browser.get(page).data
    session.rollback()
    assert session.get(User, teacher.id).is_active is False
    browser.submit(f"/admin/people/{teacher.id}/reactivate", page=page)
    session.rollback()
    assert session.get(User, teacher.id).is_active is True


def test_admins_cannot_deactivate_themselves(browser, build):
    admin = admin_browser(browser, build)
    build.admin()
    response = browser.submit(f"/admin/people/{admin.id}/deactivate", page="/admin/people")
    assert response.status_code == 403 and b"cannot deactivate your own account" in response.data


def test_unknown_person_is_a_404(browser, build):
    admin_browser(browser, build)
    assert browser.get("/admin/people/99999").status_code == 404


def test_people_list_filters_and_stays_cheap(browser, build, count_queries):
    admin_browser(browser, build)
    school = build.school("Cedar School")
    for i in range(5):
        build.user("teacher", name=f"Cedar Teacher {i}", school=school)
    response = browser.get(f"/admin/people?school={school.id}")
    assert response.data.count(b"Cedar Teacher") == 5
    with count_queries() as few:
        browser.get("/admin/people")
    for i in range(25):
        build.user("reviewer", name=f"Extra {i}", school=school)
    with count_queries() as many:
        page = browser.get("/admin/people?role=reviewer&status=active&q=extra")
    assert page.data.count(b"Extra ") == 25
    assert len(many) == len(few) <= 8, many
