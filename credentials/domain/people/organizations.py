"""The issuing district (name, URL, e-mail, time zone, logo) and its schools."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import Issuer, School, User
from ...storage.models.organizations import DISTRICT_OFFICE, SCHOOL
from ...text.dates import DEFAULT_TIME_ZONE, is_time_zone
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound
from .accounts import normalize_email

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4096
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
DISTRICT_OFFICE_NAME = "District office"


@dataclass(frozen=True)
class IssuerDetails:
    """What an admin may change about the district."""

    name: str
    url: str
    email: str
    time_zone: str = DEFAULT_TIME_ZONE


def get_issuer(session: Session) -> Issuer | None:
    """The district, or None before ``microcred issuer setup`` (or the demo) has run."""
    return session.scalar(select(Issuer).order_by(Issuer.id).limit(1))


@dataclass(frozen=True)
class DistrictBrand:
    """What every page's header and every date need from the district: one small query per page."""

    name: str
    time_zone: str
    has_logo: bool


NO_DISTRICT = DistrictBrand(name="", time_zone=DEFAULT_TIME_ZONE, has_logo=False)


def district_brand(session: Session) -> DistrictBrand:
    """The district's name, time zone and whether it has a logo (``NO_DISTRICT`` before it is set up)."""
    row = session.execute(
        select(Issuer.name, Issuer.time_zone, Issuer.logo_sha256).order_by(Issuer.id).limit(1)
    ).first()
    if row is None:
        return NO_DISTRICT
    return DistrictBrand(name=row.name, time_zone=row.time_zone or DEFAULT_TIME_ZONE, has_logo=bool(row.logo_sha256))


def district_time_zone(session: Session) -> str:
    """The IANA zone the district's dates are shown in (the default before the district is set up)."""
    return session.scalar(select(Issuer.time_zone).order_by(Issuer.id).limit(1)) or DEFAULT_TIME_ZONE


def require_issuer(session: Session) -> Issuer:
    issuer = get_issuer(session)
    if issuer is None:
        raise NotFound("The district has not been set up yet: run `microcred issuer setup`.")
    return issuer


def clean_issuer_details(name: str, url: str, email: str, time_zone: str = DEFAULT_TIME_ZONE) -> IssuerDetails:
    """Validate the district's name, public web address, contact e-mail and time zone."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Enter the district's name."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "Enter the district's web address, starting with https://."
    elif len(url) > 500:
        errors["url"] = "Use at most 500 characters."
    try:
        email = normalize_email(email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    time_zone = (time_zone or "").strip()
    if not is_time_zone(time_zone):
        errors["time_zone"] = "Choose the time zone the district's dates are shown in, such as America/Chicago."
    if errors:
        raise InvalidInput(errors)
    return IssuerDetails(name=name, url=url, email=email, time_zone=time_zone)


def set_up_issuer(session: Session, details: IssuerDetails, *, actor: Actor, now: datetime) -> Issuer:
    """Create the district and its district office (once per installation)."""
    if get_issuer(session) is not None:
        raise Conflict("The district is already set up; change it on the admin District page.")
    issuer = Issuer(
        name=details.name, url=details.url, email=details.email, time_zone=details.time_zone, updated_at=now
    )
    session.add(issuer)
    if session.scalar(select(School).where(School.kind == DISTRICT_OFFICE)) is None:
        session.add(School(name=DISTRICT_OFFICE_NAME, kind=DISTRICT_OFFICE, is_active=True, created_at=now))
    session.flush()
    record_event(
        session,
        actor=actor,
        action="issuer.set_up",
        subject_type="issuer",
        subject_id=issuer.id,
        summary={"name": issuer.name, "url": issuer.url, "email": issuer.email, "time_zone": issuer.time_zone},
        now=now,
    )
    return issuer


def update_issuer(
    session: Session, details: IssuerDetails, *, logo: bytes | None, remove_logo: bool, actor: Actor, now: datetime
) -> Issuer:
    """Change the district's details and, optionally, its logo (PNG or JPEG, at most 1 MB)."""
    issuer = require_issuer(session)
    media_type = check_logo(logo) if logo else None
    changed = {}
    for field in ("name", "url", "email", "time_zone"):
        old, new = getattr(issuer, field), getattr(details, field)
        if old != new:
            changed[field] = {"from": old, "to": new}
            setattr(issuer, field, new)
    if logo:
        issuer.logo, issuer.logo_media_type = logo, media_type
        issuer.logo_sha256 = hashlib.sha256(logo).hexdigest()
        changed["logo"] = {"to": issuer.logo_sha256}
    elif remove_logo and issuer.logo_sha256:
        changed["logo"] = {"from": issuer.logo_sha256, "to": None}
        issuer.logo = issuer.logo_media_type = issuer.logo_sha256 = None
    if changed:
        issuer.updated_at = now
        record_event(
            session,
            actor=actor,
            action="issuer.update",
            subject_type="issuer",
            subject_id=issuer.id,
            summary=changed,
            now=now,
        )
    return issuer


def check_logo(data: bytes) -> str:
    """The media type of a logo, decided from its bytes; ``InvalidInput`` when it is not a usable image."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput({"logo": f"The logo is {len(data) // 1024} KB; use an image of at most 1 MB."})
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput({"logo": "That file is not a PNG or JPEG image we can read."}) from exc
    if fmt not in LOGO_FORMATS:
        raise InvalidInput({"logo": f"The logo is a {fmt} image; upload a PNG or JPEG."})
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise InvalidInput({"logo": f"The logo is {width} x {height} pixels; use at most {MAX_LOGO_PIXELS} a side."})
    return LOGO_FORMATS[fmt]


@dataclass(frozen=True)
class SchoolRow:
    """A school with the number of active people in it, for the admin list."""

    school: School
    members: int


def list_schools(session: Session, *, include_inactive: bool = True) -> list[SchoolRow]:
    """The district office first, then schools by name, each with its active member count."""
    counts = (
        select(User.school_id, func.count().label("n"))
        .where(User.is_active.is_(True))
        .group_by(User.school_id)
        .subquery()
    )
    query = select(School, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.school_id == School.id)
    if not include_inactive:
        query = query.where(School.is_active.is_(True))
    rows = session.execute(query.order_by((School.kind == SCHOOL), School.name)).all()
    return [SchoolRow(school, members) for school, members in rows]


def school_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of active schools for a form's select, district office first."""
    return [(row.school.id, row.school.name) for row in list_schools(session, include_inactive=False)]


def district_office(session: Session) -> School:
    office = session.scalar(select(School).where(School.kind == DISTRICT_OFFICE))
    if office is None:
        raise NotFound("The district office does not exist yet: run `microcred issuer setup`.")
    return office


def find_school(session: Session, name_or_id: str) -> School:
    """A school by id or exact (case-insensitive) name; "district office" names the office."""
    school = None
    if name_or_id.isdigit():
        school = session.get(School, int(name_or_id))
    if school is None:
        school = session.scalar(select(School).where(func.lower(School.name) == name_or_id.strip().lower()))
    if school is None:
        raise NotFound(f"There is no school called {name_or_id!r}.")
    return school


def create_school(session: Session, *, name: str, actor: Actor, now: datetime) -> School:
    """Add a school to the district."""
    name = _clean_school_name(session, name)
    school = School(name=name, kind=SCHOOL, is_active=True, created_at=now)
    session.add(school)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="school.create",
        subject_type="school",
        subject_id=school.id,
        summary={"name": name},
        now=now,
    )
    return school


def rename_school(session: Session, school_id: int, *, name: str, actor: Actor, now: datetime) -> School:
    school = _get_school(session, school_id)
    name = _clean_school_name(session, name, keep=school)
    if name != school.name:
        record_event(
            session,
            actor=actor,
            action="school.rename",
            subject_type="school",
            subject_id=school.id,
            summary={"from": school.name, "to": name},
            now=now,
        )
        school.name = name
        session.flush()
    return school


def set_school_active(session: Session, school_id: int, *, active: bool, actor: Actor, now: datetime) -> School:
    """Close or reopen a school. A closed school keeps its people and history but takes no new members."""
    school = _get_school(session, school_id)
    if school.kind == DISTRICT_OFFICE and not active:
        raise Conflict("The district office cannot be closed.")
    if school.is_active != active:
        school.is_active = active
        record_event(
            session,
            actor=actor,
            action="school.reopen" if active else "school.close",
            subject_type="school",
            subject_id=school.id,
            summary={"name": school.name},
            now=now,
        )
        session.flush()
    return school


def _get_school(session: Session, school_id: int) -> School:
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("There is no such school.")
    return school


def _clean_school_name(session: Session, raw: str, *, keep: School | None = None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput({"name": "Enter the school's name."})
    if len(name) > 200:
        raise InvalidInput({"name": "Use at most 200 characters."})
    clash = session.scalar(select(School).where(func.lower(School.name) == name.lower()))
    if clash is not None and clash is not keep:
        raise InvalidInput({"name": f"There is already a school called {clash.name}."})
    return name
