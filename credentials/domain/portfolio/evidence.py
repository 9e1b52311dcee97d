"""The evidence of a draft attempt: text answers, links and uploaded files, and what is still missing.

Drafts are lenient so nothing typed is lost: an answer over its word limit is kept and flagged, and only
submission insists on every limit. Files are streamed into the evidence store and named by their SHA-256.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ...storage.evidence_store import EvidenceStore, StoreFull, UploadTooLarge
from ...storage.models import Answer, Artifact, Attempt, User
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound, StorageFull
from .file_kinds import KINDS, UnsupportedFile, detect_kind
from .file_names import named_as, safe_filename
from .statuses import DRAFT

HARD_TEXT_LIMIT = 60_000  # characters: far beyond any word limit, only there to stop abuse
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class UploadLimits:
    per_file: int
    per_attempt: int


@dataclass
class SaveReport:
    """What a save did: per-field notes (kept but needs attention) and refusals (not saved)."""

    warnings: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    uploaded: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # prompts whose answer or link this save changed, in order


@dataclass(frozen=True)
class MissingItem:
    """One thing that stops submission, in a sentence, with the prompt it is about, or else the submission's own
    field it is about (``attest``, ``note``)."""

    prompt_key: str | None
    text: str
    field: str | None = None


def word_count(text: str | None) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(_WORD.findall(text or ""))


def prompts(attempt: Attempt) -> Iterator[tuple[dict, dict]]:
    """Every (part, prompt) of the attempt's template, in order."""
    for part in attempt.version.definition["template"]["parts"]:
        for prompt in part["prompts"]:
            yield part, prompt


def save_answers(
    session: Session,
    attempt: Attempt,
    teacher: User,
    *,
    texts: dict[str, str],
    links: dict[str, str],
    now: datetime,
) -> SaveReport:
    """Keep the teacher's text and links. Over-long answers are kept with a warning; a malformed link is refused."""
    _require_draft(attempt, teacher)
    report = SaveReport()
    existing = {a.prompt_key: a for a in attempt.answers}
    for _part, prompt in prompts(attempt):
        key = prompt["key"]
        if prompt["kind"] == "text" and key in texts:
            text = texts[key].replace("\r\n", "\n")
            if len(text) > HARD_TEXT_LIMIT:
                report.refused[key] = f"This answer is far too long to keep ({len(text):,} characters)."
                continue
            answer = _answer(attempt, existing, key, now)
            if answer.text != (text.strip() or None):
                report.changed.append(key)
            answer.text = text.strip() or None
            words = word_count(text)
            if words > prompt["word_limit"]:
                report.warnings[key] = (
                    f"Saved, but {words} words is over the limit of {prompt['word_limit']}: shorten it before you "
                    "submit."
                )
        elif prompt["kind"] == "link" and key in links:
            url = links[key].strip()
            problem = link_problem(url)
            if problem:
                report.refused[key] = problem
                continue
            answer = _answer(attempt, existing, key, now)
            if answer.url != (url or None):
                report.changed.append(key)
            answer.url = url or None
    _touch(attempt, now)
    session.flush()
    return report


def link_problem(url: str) -> str | None:
    """Why ``url`` cannot be kept as a link, or None (an empty link is fine: it clears the answer)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000 or any(c.isspace() for c in url):
        return "Not saved: enter a web address starting with https:// (for example a video link)."
    return None


def add_artifact(
    session: Session,
    store: EvidenceStore,
    attempt: Attempt,
    teacher: User,
    *,
    prompt_key: str,
    stream: BinaryIO,
    filename: str,
    limits: UploadLimits,
    now: datetime,
) -> Artifact:
    """Stream one uploaded file into the store and attach it to a file prompt, after checking what it is."""
    _require_draft(attempt, teacher)
    prompt = next((p for _part, p in prompts(attempt) if p["key"] == prompt_key and p["kind"] == "file"), None)
    if prompt is None:
        raise InvalidInput({"file": "That prompt does not take files."})
    name = safe_filename(filename)
    already = [a for a in attempt.artifacts if a.prompt_key == prompt_key]
    if len(already) >= prompt["max_files"]:
        raise InvalidInput(
            {
                "file": f"{name}: this prompt takes at most {prompt['max_files']} file(s); "
                "remove one before adding another."
            }
        )
    room = limits.per_attempt - sum(a.size for a in attempt.artifacts)
    try:
        pending = store.receive(stream, max_bytes=min(limits.per_file, max(room, 0)))
    except UploadTooLarge as exc:
        if exc.limit < limits.per_file:
            raise InvalidInput(
                {
                    "file": f"{name}: the files of one attempt can total at most "
                    f"{_megabytes(limits.per_attempt)}; remove a file to make room."
                }
            ) from exc
        raise InvalidInput(
            {
                "file": f"{name} is larger than {_megabytes(limits.per_file)}, the most one file "
                "may be. Compress it, or share a video by link instead."
            }
        ) from exc
    except StoreFull as exc:
        raise _storage_full(name) from exc
    try:
        detected = detect_kind(pending.path)
        if detected.kind not in prompt["file_kinds"]:
            allowed = ", ".join(KINDS[k] for k in prompt["file_kinds"])
            raise InvalidInput(
                {"file": f"it is {_with_article(detected.description)}, and this prompt takes: {allowed}."}
            )
    except (UnsupportedFile, InvalidInput) as exc:
        store.discard(pending)
        raise InvalidInput({"file": f"{name}: {exc.errors.get('file', exc.message)}"}) from exc
    try:
        blob = store.keep(pending)
    except StoreFull as exc:
        raise _storage_full(name) from exc
    # Shown and downloaded under the extension of what it is, so PDF bytes sent as notes.html become notes.pdf.
    stored_name = named_as(name, detected.media_type, detected.extension)
    artifact = Artifact(
        prompt_key=prompt_key,
        sha256=blob.sha256,
        filename=stored_name,
        kind=detected.kind,
        media_type=detected.media_type,
        size=blob.size,
        uploaded_at=now,
    )
    attempt.artifacts.append(artifact)
    _touch(attempt, now)
    session.flush()
    record_event(
        session,
        actor=Actor.user(teacher),
        action="attempt.upload",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={
            "prompt": prompt_key,
            "filename": stored_name,
            **({"uploaded_as": name} if name != stored_name else {}),
            "sha256": blob.sha256,
            "size": blob.size,
            "kind": detected.kind,
        },
        now=now,
    )
    return artifact


def remove_artifact(session: Session, attempt: Attempt, teacher: User, artifact_id: int, *, now: datetime) -> None:
    """Take a file out of a draft (its bytes stay in the store while any attempt still uses them)."""
    _require_draft(attempt, teacher)
    artifact = next((a for a in attempt.artifacts if a.id == artifact_id), None)
    if artifact is None:
        raise NotFound("That file is not part of this draft.")
    attempt.artifacts.remove(artifact)
    _touch(attempt, now)
    session.flush()
    record_event(
        session,
        actor=Actor.user(teacher),
        action="attempt.remove_file",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={"prompt": artifact.prompt_key, "sha256": artifact.sha256},
        now=now,
    )


def missing_items(attempt: Attempt) -> list[str]:
    """Everything that stops submission, one sentence each, in template order."""
    return [item.text for item in missing_fields(attempt)]


def missing_fields(attempt: Attempt) -> list[MissingItem]:
    """Everything that stops submission, with the prompt each is about, in template order."""
    answers = {a.prompt_key: a for a in attempt.answers}
    files: dict[str, int] = {}
    for artifact in attempt.artifacts:
        files[artifact.prompt_key] = files.get(artifact.prompt_key, 0) + 1
    problems = []
    for part, prompt in prompts(attempt):
        where = f"{part['title']}: “{short_label(prompt['label'])}”"
        answer = answers.get(prompt["key"])
        problem = None
        if prompt["kind"] == "text":
            words = word_count(answer.text if answer else None)
            if prompt["required"] and words == 0:
                problem = f"{where} needs an answer."
            elif words > prompt["word_limit"]:
                problem = f"{where} has {words} words; the limit is {prompt['word_limit']}."
        elif prompt["kind"] == "link":
            if prompt["required"] and not (answer and answer.url):
                problem = f"{where} needs a link."
        else:
            count = files.get(prompt["key"], 0)
            if prompt["required"] and count == 0:
                problem = f"{where} needs at least one file."
            elif count > prompt["max_files"]:
                problem = f"{where} has {count} files; the most is {prompt['max_files']}."
        if problem:
            problems.append(MissingItem(prompt["key"], problem))
    return problems


def submission_manifest(attempt: Attempt) -> dict:
    """What was submitted, frozen: each answer's word count and link, and each artifact's SHA-256 and size."""
    return {
        "version_id": attempt.version_id,
        "answers": [
            {"prompt": a.prompt_key, "words": word_count(a.text), "url": a.url}
            for a in sorted(attempt.answers, key=lambda a: a.prompt_key)
        ],
        "artifacts": [
            {"prompt": a.prompt_key, "filename": a.filename, "sha256": a.sha256, "size": a.size, "kind": a.kind}
            for a in attempt.artifacts
        ],
    }


def _storage_full(name: str) -> StorageFull:
    # The whole save is refused (not just this file), so a submission never goes ahead without a file it was sent with.
    return StorageFull(
        f"{name} could not be stored: the evidence storage is full. Nothing from this save was kept, and your draft "
        "is as you last saved it. Try again later, and tell your district administrator if it keeps happening."
    )


def _touch(attempt: Attempt, now: datetime) -> None:
    # Always write the attempt row, so its revision moves and pages showing an older state are detected.
    attempt.updated_at = now
    flag_modified(attempt, "updated_at")


def _answer(attempt: Attempt, existing: dict[str, Answer], key: str, now: datetime) -> Answer:
    answer = existing.get(key)
    if answer is None:
        answer = existing[key] = Answer(prompt_key=key, updated_at=now)
        attempt.answers.append(answer)
    answer.updated_at = now
    return answer


def _require_draft(attempt: Attempt, teacher: User) -> None:
    if attempt.teacher_id != teacher.id:
        raise NotFound("There is no such attempt, or it is not yours to see.")
    if attempt.status != DRAFT:
        raise Conflict("This attempt has been submitted and its evidence is locked; nothing was changed.")


def _with_article(description: str) -> str:
    vowel_sound = description[:1].lower() in "aeio" or description.split()[0] in ("MP3", "MP4", "M4A", "HEIC", "HEIF")
    return ("an " if vowel_sound else "a ") + description


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    return f"{size / (1024 * 1024):g} MB"


def short_label(text: str, limit: int = 300) -> str:
    """A prompt as a list names it: whole unless it is very long, then cut after a whole word (never mid-word); the
    list links to the field, where the whole prompt is."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"
