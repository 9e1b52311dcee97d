"""Progress check-ins: dated entries on a goal of an active plan with the measure's value that day, a reflection,
optional links and optional files of evidence, kept in the evidence store after the same checks as an attempt's
files (what the bytes are, not what the name says; a size limit per file)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ...storage.evidence_store import EvidenceStore, StoreFull, UploadTooLarge
from ...storage.models import CheckIn, CheckInFile, GrowthPlan, User
from ...text.dates import us_date
from ..errors import Conflict, InvalidInput, PermissionDenied, StorageFull
from ..portfolio.file_kinds import UnsupportedFile, detect_kind
from ..portfolio.file_names import named_as, safe_filename
from .plans import audit_plan, find_goal
from .school_years import today
from .vocabulary import ACTIVE

MAX_LINKS = 5
MAX_REFLECTION = 5000
MAX_FILES = 3


@dataclass(frozen=True)
class CheckInUpload:
    """A file sent with a check-in: its bytes as a stream and the name the teacher's computer gave it."""

    stream: BinaryIO
    filename: str


@dataclass(frozen=True)
class FileRoom:
    """Where a check-in's files go and how large each may be (the settings' ``max_upload_bytes``)."""

    store: EvidenceStore
    per_file: int


def add_check_in(
    session: Session,
    goal_id: int,
    teacher: User,
    *,
    checked_on: date | str | None,
    value: float | str | None,
    reflection: str = "",
    links: Sequence[str] = (),
    files: Sequence[CheckInUpload] = (),
    room: FileRoom | None = None,
    now: datetime,
) -> CheckIn:
    """Add a check-in to a goal of the teacher's active plan, with its files (checked, then kept in the store)."""
    goal = find_goal(session, goal_id)
    plan = goal.plan
    if plan.teacher_id != teacher.id:
        raise PermissionDenied("Only the plan's teacher may add check-ins.")
    if plan.status != ACTIVE:
        raise Conflict(
            "Check-ins can be added once your coach has approved the plan and while it is active."
            if plan.status != "complete"
            else "This plan is complete, so it is kept as it was: no more check-ins."
        )
    errors: dict[str, str] = {}
    day = checked_on if isinstance(checked_on, date) else _iso_day(checked_on)
    year, local_today = plan.school_year, today(session, now)
    if day is None:
        errors["checked_on"] = "Enter the date of the check-in."
    elif day > local_today:
        errors["checked_on"] = "The check-in's date cannot be in the future."
    elif not year.starts_on <= day <= year.ends_on:
        errors["checked_on"] = (
            f"Choose a date within the {year.name} school year: {us_date(year.starts_on)} to {us_date(year.ends_on)}."
        )
    number = measure_number(value)
    if number is None:
        errors["value"] = f"Enter the measure's value that day, in {goal.measure_unit}, as a number."
    reflection = (reflection or "").strip()
    if len(reflection) > MAX_REFLECTION:
        errors["reflection"] = "Keep the reflection to 5,000 characters."
    kept = [link.strip() for link in links if link and link.strip()]
    if len(kept) > MAX_LINKS:
        errors["links"] = f"Add at most {MAX_LINKS} links."
    elif bad := [link for link in kept if not _is_web_address(link)]:
        errors["links"] = f"“{bad[0][:80]}” is not a web address (it should start with https://)."
    if len(files) > MAX_FILES:
        errors["files"] = f"Add at most {MAX_FILES} files to one check-in."
    elif files and room is None:
        errors["files"] = "Files cannot be kept here."
    if errors:
        raise InvalidInput(errors)
    check_in = CheckIn(
        goal_id=goal.id,
        checked_on=day,
        value=number,
        reflection=reflection,
        links=kept,
        author_id=teacher.id,
        created_at=now,
    )
    session.add(check_in)
    session.flush()
    summary = {"goal": goal.id, "check_in": check_in.id, "checked_on": day, "value": number}
    audit_plan(session, teacher, plan, now, action="plan.check_in", summary=summary)
    for upload in files:
        _keep_file(session, room, check_in, plan, teacher, upload, now)
    return check_in


def _keep_file(
    session: Session,
    room: FileRoom,
    check_in: CheckIn,
    plan: GrowthPlan,
    teacher: User,
    upload: CheckInUpload,
    now: datetime,
) -> CheckInFile:
    """Stream one file into the store after checking what it is; any refusal refuses the whole check-in."""
    name = safe_filename(upload.filename)
    try:
        pending = room.store.receive(upload.stream, max_bytes=room.per_file)
    except UploadTooLarge as exc:
        megabytes = max(1, room.per_file // (1024 * 1024))
        raise InvalidInput(
            {"files": f"{name} is larger than {megabytes} MB, the most one file may be. Compress it, or add a link."}
        ) from exc
    except StoreFull as exc:
        raise _storage_full(name) from exc
    try:
        detected = detect_kind(pending.path)
    except UnsupportedFile as exc:
        room.store.discard(pending)
        raise InvalidInput({"files": f"{name}: {exc.errors.get('file', exc.message)}"}) from exc
    try:
        blob = room.store.keep(pending)
    except StoreFull as exc:
        raise _storage_full(name) from exc
    stored_name = named_as(name, detected.media_type, detected.extension)
    kept = CheckInFile(
        sha256=blob.sha256,
        filename=stored_name,
        kind=detected.kind,
        media_type=detected.media_type,
        size=blob.size,
        uploaded_at=now,
    )
    check_in.files.append(kept)
    session.flush()
    summary = {"goal": check_in.goal_id, "check_in": check_in.id, "filename": stored_name, "sha256": blob.sha256}
    audit_plan(session, teacher, plan, now, action="plan.check_in_file", summary=summary)
    return kept


def _storage_full(name: str) -> StorageFull:
    return StorageFull(
        f"{name} could not be stored: the evidence storage is full. The check-in was not saved. Try again later, and "
        "tell your district administrator if it keeps happening."
    )


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _is_web_address(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(link) <= 500 and " " not in link


def measure_number(value: float | str | None) -> float | None:
    """A measure's value as teachers type it ("48", "48%", "1,200") as a number; None when it is not an ordinary one."""
    if value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", "").removesuffix("%").strip())
    except ValueError:
        return None
    return number if abs(number) < 1e9 else None
