"""What the teacher's pages need: one call that saves a draft page (text, links, files, removals, submission), and
plain data for the dashboard and the attempt page."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.evidence_store import EvidenceStore
from ...storage.models import Attempt, CriterionResult, MicroCredential, User
from ...storage.models.issuance import IssuedCredential
from ..errors import Conflict, InvalidInput
from . import attempts, evidence
from .evidence import MissingItem
from .file_kinds import KINDS
from .file_pickers import accept_attribute
from .statuses import DRAFT, EARNED, NOT_YET, OPEN_STATUSES, STATUS_LABELS

AUTOSAVE_CONFLICT = (
    "Not saved automatically: this attempt was changed in another tab or window. Your text is still here. Copy "
    "anything you need to keep, then reload the page to see the latest version."
)


@dataclass(frozen=True)
class Upload:
    prompt_key: str
    stream: BinaryIO
    filename: str


@dataclass
class DraftOutcome:
    """The result of saving a draft page: notes per prompt, and whether it was submitted."""

    report: evidence.SaveReport
    submitted: bool = False
    submit_problems: list[MissingItem] = field(default_factory=list)
    # The prompt this save was about, to return the teacher there.
    section: str | None = None

    @property
    def attestation_missing(self) -> bool:
        return any(item.field == attempts.ATTESTATION for item in self.submit_problems)


def save_draft_page(
    session: Session,
    store: EvidenceStore,
    attempt: Attempt,
    teacher: User,
    *,
    texts: dict[str, str],
    links: dict[str, str],
    uploads: list[Upload],
    remove: int | None,
    submit: bool,
    attested: bool,
    note: str,
    expected_revision: int | None,
    limits: evidence.UploadLimits,
    share_reflection: bool = False,
    share_evidence: bool = False,
    holidays: Collection[date] = (),
    now: datetime,
) -> DraftOutcome:
    """Save everything the draft page sent, then submit if asked. Whatever is valid is kept even when a file is
    refused or the submission is not complete yet; a page showing an older state of the attempt changes nothing."""
    attempts.lock_for_change(session, attempt, expected_revision=expected_revision)
    report = evidence.save_answers(session, attempt, teacher, texts=texts, links=links, now=now)
    # What the public credential may show: chosen with the evidence, fixed once the credential is signed.
    attempt.share_reflection, attempt.share_evidence = share_reflection, share_evidence
    # Where the teacher was working: the file they removed, else the files they added, else the first answer changed.
    sections = [upload.prompt_key for upload in uploads] + report.changed
    if remove is not None:
        sections.insert(0, next((a.prompt_key for a in attempt.artifacts if a.id == remove), None))
        evidence.remove_artifact(session, attempt, teacher, remove, now=now)
    for upload in uploads:
        try:
            artifact = evidence.add_artifact(
                session,
                store,
                attempt,
                teacher,
                prompt_key=upload.prompt_key,
                stream=upload.stream,
                filename=upload.filename,
                limits=limits,
                now=now,
            )
            report.uploaded.append(artifact.filename)  # under the name it is kept as
        except InvalidInput as exc:
            report.refused[upload.prompt_key] = exc.errors.get("file", exc.message)
    outcome = DraftOutcome(report=report, section=next(iter(sections), None))
    if submit:
        try:
            attempts.submit_attempt(
                session,
                attempt,
                teacher,
                attested=attested,
                note=note,
                expected_revision=None,
                holidays=holidays,
                now=now,
            )
            outcome.submitted = True
        except attempts.IncompleteSubmission as exc:
            outcome.submit_problems = exc.items
    return outcome


@dataclass(frozen=True)
class Autosaved:
    """What an automatic save of the text answers did: the attempt's new revision and when it was saved."""

    revision: int
    saved_at: datetime


def autosave_answers(
    session: Session,
    attempt: Attempt,
    teacher: User,
    *,
    texts: dict[str, str],
    expected_revision: int | None,
    now: datetime,
) -> Autosaved:
    """Keep the text answers typed so far, in the background, only if the page shows the attempt's latest state
    (``StaleAttempt`` otherwise). Links, files and the sharing choice are left as they are."""
    attempts.lock_for_change(session, attempt, expected_revision=expected_revision)
    evidence.save_answers(session, attempt, teacher, texts=texts, links={}, now=now)
    return Autosaved(revision=attempt.revision, saved_at=attempt.updated_at)


@dataclass(frozen=True)
class StartOutcome:
    """Where "Start" leads: the attempt to open, or else the credential already earned (or the dashboard), with
    what to tell the teacher (``message`` is None when a new attempt began)."""

    attempt_id: int | None = None
    credential_uuid: str | None = None
    message: str | None = None


def start_or_continue(session: Session, teacher: User, slug: str, *, now: datetime) -> StartOutcome:
    """Begin an attempt at ``slug``; or open the one already in progress; or point to the credential already earned,
    or explain why no attempt can start, instead of refusing."""
    open_id = open_attempt_id(session, teacher, slug)
    if open_id is not None:
        attempt = session.get(Attempt, open_id)
        title = attempt.version.title
        if attempt.status == DRAFT:
            return StartOutcome(open_id, message=f"You already started “{title}”. Here is your draft: carry on.")
        return StartOutcome(open_id, message=f"Your evidence for “{title}” is already with the reviewers.")
    try:
        attempt = attempts.start_attempt(session, teacher, slug, now=now)
    except attempts.AlreadyEarned as exc:
        uuid, revoked_at = session.execute(
            select(IssuedCredential.uuid, IssuedCredential.revoked_at).where(
                IssuedCredential.attempt_id == exc.attempt_id
            )
        ).one_or_none() or (None, None)
        if uuid is not None and revoked_at is None:
            return StartOutcome(credential_uuid=uuid, message=f"{exc.message} Here is your credential.")
        if revoked_at is not None:
            return StartOutcome(
                message=f"{exc.message} The district has since revoked that credential; your district "
                "administrator can tell you what happens next."
            )
        return StartOutcome(message=f"{exc.message} Your credential will appear here as soon as it is issued.")
    except Conflict as exc:  # every attempt allowed on this version is used
        return StartOutcome(message=exc.message)
    return StartOutcome(attempt.id)


def open_attempt_id(session: Session, teacher: User, slug: str) -> int | None:
    """The teacher's attempt at ``slug`` that is still open (draft, submitted or in review), if any."""
    return session.scalar(
        select(Attempt.id)
        .join(MicroCredential, MicroCredential.id == Attempt.microcredential_id)
        .where(Attempt.teacher_id == teacher.id, MicroCredential.slug == slug, Attempt.status.in_(OPEN_STATUSES))
    )


@dataclass(frozen=True)
class FileView:
    id: int
    filename: str
    kind: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PromptView:
    key: str
    kind: str
    label: str
    help: str
    required: bool
    word_limit: int | None
    words: int
    text: str
    url: str
    files: list[FileView]
    allowed: str
    max_files: int | None
    accept: str = ""  # the file picker's hint: the extensions and media types this prompt takes
    rows: int = 8  # a text box's height, from the length of answer expected


@dataclass(frozen=True)
class PartView:
    key: str
    title: str
    instructions: str
    prompts: list[PromptView]
    criteria: list[CriterionView]


@dataclass(frozen=True)
class CriterionView:
    key: str
    name: str
    met: bool | None
    level: str | None
    feedback: str
    carried_forward: bool


@dataclass(frozen=True)
class AttemptPage:
    attempt: Attempt
    slug: str
    title: str
    version: int
    editable: bool
    parts: list[PartView]
    missing: list[MissingItem]
    previous: Attempt | None
    earlier: list[Attempt]
    status_label: str
    last_saved: datetime | None  # None while nothing was saved since the attempt began


def attempt_page(session: Session, attempt: Attempt) -> AttemptPage:
    """Everything the attempt page shows: the template with this attempt's evidence, and the feedback to revise by."""
    doc = attempt.version.definition
    answers = {a.prompt_key: a for a in attempt.answers}
    files: dict[str, list[FileView]] = {}
    for a in attempt.artifacts:
        files.setdefault(a.prompt_key, []).append(FileView(a.id, a.filename, a.kind, a.size, a.sha256))
    # Feedback comes from this attempt once decided, otherwise from the attempt it resubmits.
    source = attempt.id if attempt.status in (NOT_YET, EARNED) else attempt.previous_attempt_id
    results = {}
    if source is not None:
        results = {
            r.criterion_key: r
            for r in session.scalars(select(CriterionResult).where(CriterionResult.attempt_id == source))
        }
    parts = []
    for part in doc["template"]["parts"]:
        prompt_views = []
        for p in part["prompts"]:
            answer = answers.get(p["key"])
            prompt_views.append(
                PromptView(
                    key=p["key"],
                    kind=p["kind"],
                    label=p["label"],
                    help=p.get("help", ""),
                    required=p["required"],
                    word_limit=p.get("word_limit"),
                    words=evidence.word_count(answer.text if answer else None),
                    text=(answer.text or "") if answer else "",
                    url=(answer.url or "") if answer else "",
                    files=files.get(p["key"], []),
                    allowed=", ".join(KINDS[k] for k in p.get("file_kinds", [])),
                    max_files=p.get("max_files"),
                    accept=accept_attribute(p.get("file_kinds", [])),
                    rows=text_rows(p.get("word_limit")),
                )
            )
        criteria = []
        for c in doc["rubric"]["criteria"]:
            if c["part"] != part["key"]:
                continue
            r = results.get(c["key"])
            level = next((lv["name"] for lv in c["levels"] if r and lv["key"] == r.level_key), None)
            criteria.append(
                CriterionView(
                    c["key"],
                    c["name"],
                    r.met if r else None,
                    level,
                    r.feedback if r else "",
                    bool(r and r.carried_forward),
                )
            )
        parts.append(PartView(part["key"], part["title"], part.get("instructions", ""), prompt_views, criteria))
    earlier = list(
        session.scalars(
            select(Attempt)
            .where(
                Attempt.teacher_id == attempt.teacher_id,
                Attempt.microcredential_id == attempt.microcredential_id,
                Attempt.id != attempt.id,
            )
            .order_by(Attempt.number.desc())
        )
    )
    previous = next((a for a in earlier if a.id == attempt.previous_attempt_id and a.status == NOT_YET), None)
    return AttemptPage(
        attempt=attempt,
        slug=attempt.microcredential.slug,
        title=attempt.version.title,
        version=attempt.version.number,
        editable=attempt.status == DRAFT,
        parts=parts,
        missing=evidence.missing_fields(attempt) if attempt.status == DRAFT else [],
        previous=previous,
        earlier=earlier,
        status_label=STATUS_LABELS[attempt.status],
        last_saved=attempt.updated_at if attempt.revision > 1 else None,  # every save moves the revision
    )


def text_rows(word_limit: int | None) -> int:
    """How many lines a text box shows: about one line per 25 words expected, between 8 and 24."""
    return max(8, min(24, (word_limit or 200) // 25))
