import io

import pytest
from PIL import Image
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.errors import Conflict, InvalidInput, NotFound
from credentials.domain.people import organizations
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent

SYSTEM = Actor.system("test")


def image(fmt, size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_the_district_is_set_up_once_with_its_office(services, session):
    details = organizations.clean_issuer_details(
        " Riverside  USD ", "https://rusd.example.org", "Info@RUSD.example.org"
    )
    assert details == organizations.IssuerDetails("Riverside USD", "https://rusd.example.org", "info@rusd.example.org")
    with transaction(services.session_factory) as s:
        organizations.set_up_issuer(s, details, actor=SYSTEM, now=services.clock())
    assert organizations.district_office(session).name == "District office"
    with transaction(services.session_factory) as s, pytest.raises(Conflict, match="already set up"):
        organizations.set_up_issuer(s, details, actor=SYSTEM, now=services.clock())


def test_nothing_works_before_the_district_is_set_up(session):
    assert organizations.get_issuer(session) is None
    with pytest.raises(NotFound, match="microcred issuer setup"):
        organizations.require_issuer(session)
    with pytest.raises(NotFound, match="microcred issuer setup"):
        organizations.district_office(session)


@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_png_and_jpeg_logos_are_accepted(fmt, media_type):
    assert organizations.check_logo(image(fmt)) == media_type


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image("GIF"), "is a GIF image; upload a PNG or JPEG"),
        (image("PNG")[:60], "not a PNG or JPEG image we can read"),
        (b"%PDF-1.7 not an image", "not a PNG or JPEG image we can read"),
        (image("PNG", size=(5000, 10)), "use at most 4096 a side"),
    ],
)
def test_unusable_logos_are_refused(data, message):
    with pytest.raises(InvalidInput) as caught:
        organizations.check_logo(data)
    assert message in caught.value.errors["logo"]


def test_update_issuer_records_each_change(services, build, session):
    build.issuer()
    details = organizations.IssuerDetails("Riverside USD", "https://riverside.example.org", "new@rusd.example.org")
    logo = image("PNG")
    with transaction(services.session_factory) as s:
        organizations.update_issuer(s, details, logo=logo, remove_logo=False, actor=SYSTEM, now=services.clock())
    with transaction(services.session_factory) as s:
        issuer = organizations.update_issuer(
            s, details, logo=None, remove_logo=True, actor=SYSTEM, now=services.clock()
        )
        assert issuer.logo_sha256 is None
    summaries = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "issuer.update").order_by(AuditEvent.seq)
    ).all()
    assert set(summaries[0]) == {"name", "email", "logo"}
    assert summaries[1] == {"logo": {"from": summaries[0]["logo"]["to"], "to": None}}


def test_schools_are_listed_office_first_with_member_counts(services, build, session):
    beta = build.school("Beta School")
    build.school("Alpha School")
    build.user(school=beta)
    build.user(school=beta, active=False)
    rows = organizations.list_schools(session)
    assert [r.school.name for r in rows] == ["District office", "Alpha School", "Beta School"]
    assert [r.members for r in rows] == [0, 0, 1]


def test_find_school_by_id_or_name(build, session):
    school = build.school("Gamma School")
    assert organizations.find_school(session, str(school.id)).id == school.id
    assert organizations.find_school(session, "gamma school").id == school.id
    assert organizations.find_school(session, "District Office").kind == "district_office"
    with pytest.raises(NotFound, match="no school called 'Delta'"):
        organizations.find_school(session, "Delta")


def test_renaming_keeps_names_unique(services, build):
    build.school("North School")
    south = build.school("South School")
    with transaction(services.session_factory) as s:
        organizations.rename_school(s, south.id, name="South school", actor=SYSTEM, now=services.clock())
        with pytest.raises(InvalidInput, match="correct"):
            organizations.rename_school(s, south.id, name="NORTH SCHOOL", actor=SYSTEM, now=services.clock())
