import io

from PIL import Image
from sqlalchemy import select

from credentials.storage.models import AuditEvent, Issuer, School

DISTRICT = {"name": "District", "url": "https://rusd.example.org", "email": "cred@rusd.example.org"}


def png(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (17, 75, 122)).save(buffer, format="PNG")
    return buffer.getvalue()


def sign_in_admin(browser, build):
    admin = build.admin(email="admin@riverside.example.org")
    browser.login(admin.email)
    return admin


def test_add_rename_close_and_reopen_a_school(browser, build, session):
    sign_in_admin(browser, build)
    response = browser.submit("/admin/schools", {"name": "  Maple   Grove School "})
    assert response.status_code == 302
    school = session.scalar(select(School).where(School.name == "Maple Grove School"))
    assert school is not None
    response = browser.submit(f"/admin/schools/{school.id}", {"name": "Maple Grove Elementary"})
    assert response.status_code == 302
    browser.submit(f"/admin/schools/{school.id}/close", page="/admin/schools")
    session.rollback()
    assert session.get(School, school.id).is_active is False
    assert session.get(School, school.id).name == "Maple Grove Elementary"
    browser.submit(f"/admin/schools/{school.id}/reopen", page="/admin/schools")
    session.rollback()
    assert session.get(School, school.id).is_active is True


def test_school_names_are_unique_and_required(browser, build):
    sign_in_admin(browser, build)
    build.school("Oak School")
    response = browser.submit("/admin/schools", {"name": "oak school"})
    assert response.status_code == 422 and b"There is already a school called Oak School" in response.data
    response = browser.submit("/admin/schools", {"name": ""})
    assert response.status_code == 422 and b"Enter the school&#39;s name." in response.data


def test_the_district_office_cannot_be_closed(browser, build, session):
    sign_in_admin(browser, build)
    office = session.scalar(select(School).where(School.kind == "district_office"))
    response = browser.submit(f"/admin/schools/{office.id}/close", page="/admin/schools")
    assert response.status_code == 409 and b"district office cannot be closed" in response.data


def test_edit_the_district_and_upload_a_logo(browser, build, client, session):
    sign_in_admin(browser, build)
    logo = png()
    response = browser.upload(
        "/admin/district",
        {"name": "Riverside USD", "url": "https://rusd.example.org", "email": "Cred@RUSD.example.org"},
        {"logo": ("logo.png", logo)},
    )
    assert response.status_code == 302, response.data
    issuer = session.scalar(select(Issuer))
    assert (issuer.name, issuer.url, issuer.email) == (
        "Riverside USD",
        "https://rusd.example.org",
        "cred@rusd.example.org",
    )
    served = client.get("/issuer/logo")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == logo
    etag = served.headers["ETag"]
    assert client.get("/issuer/logo", headers={"If-None-Match": etag}).status_code == 304


def test_a_file_that_is_not_an_image_is_refused_with_the_rest_kept(browser, build, session):
    sign_in_admin(browser, build)
    response = browser.upload(
        "/admin/district",
        {"name": "Renamed District", "url": "https://rusd.example.org", "email": "cred@rusd.example.org"},
        {"logo": ("logo.png", b"<svg onload='alert(1)'></svg>")},
    )
    assert response.status_code == 422
    assert b"not a PNG or JPEG image" in response.data
    assert b'value="Renamed District"' in response.data
    session.rollback()
    assert session.scalar(select(Issuer.name)) != "Renamed District"


def test_the_district_time_zone_sets_the_day_every_page_shows(browser, build, session, services):
    sign_in_admin(browser, build)
    page = browser.get("/admin/district").get_data(as_text=True)
    assert '<option selected value="America/Chicago">Central (Chicago)</option>' in page
    details = {"name": "Riverside USD", "url": "https://rusd.example.org", "email": "cred@rusd.example.org"}
    assert browser.submit("/admin/district", {**details, "time_zone": "Pacific/Guam"}).status_code == 302
    session.rollback()
    assert session.scalar(select(Issuer.time_zone)) == "Pacific/Guam"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "issuer.update")).all()[-1]
    assert event.summary["time_zone"] == {"from": "America/Chicago", "to": "Pacific/Guam"}
    # A zone the form does not list, sent anyway, is refused with a sentence and nothing is saved.
    response = browser.submit("/admin/district", {**details, "time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 422 and b"Choose the time zone" in response.data
    session.rollback()
    assert session.scalar(select(Issuer.time_zone)) == "Pacific/Guam"


def test_bad_district_details(browser, build):
    sign_in_admin(browser, build)
    response = browser.submit("/admin/district", {"name": "", "url": "https://rusd.example.org", "email": "a@b.org"})
    assert response.status_code == 422 and b"Enter the district&#39;s name." in response.data
    response = browser.submit("/admin/district", {"name": "District", "url": "javascript:alert(1)", "email": "x"})
    assert response.status_code == 422
    for message in (b"starting with https://", b"Enter a valid e-mail address"):
        assert message in response.data


def test_an_oversized_upload_gets_a_readable_413(browser, build):
    sign_in_admin(browser, build)
    response = browser.upload("/admin/district", DISTRICT, {"logo": ("huge.png", b"\0" * (3 * 1024 * 1024))})
    assert response.status_code == 413
    assert b"larger than we accept" in response.data


def test_a_logo_over_one_megabyte_is_refused(browser, build):
    sign_in_admin(browser, build)
    noisy = Image.frombytes("RGB", (700, 700), bytes(range(256)) * (700 * 700 * 3 // 256 + 1))
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG", compress_level=0)
    assert 1024 * 1024 < len(buffer.getvalue()) < 2 * 1024 * 1024
    response = browser.upload("/admin/district", DISTRICT, {"logo": ("big.png", buffer.getvalue())})
    assert response.status_code == 422 and b"at most 1 MB" in response.data
