"""The evidence page a teacher may publish with a credential: their answers and artifacts, read-only.

Only credentials whose attempt the teacher chose to share (``share_evidence``) have one; for any other the page does
not exist, so its address reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ...storage.models import Artifact, Attempt
from ...storage.models.issuance import IssuedCredential
from ..errors import NotFound
from .records import find_credential

NOT_SHARED = "There is no shared evidence at this address."


@dataclass(frozen=True)
class SharedAnswer:
    label: str
    text: str | None
    url: str | None


@dataclass(frozen=True)
class SharedFile:
    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class SharedPart:
    title: str
    answers: tuple[SharedAnswer, ...]
    files: tuple[SharedFile, ...]


@dataclass(frozen=True)
class SharedEvidence:
    uuid: str
    earner_name: str
    title: str
    parts: tuple[SharedPart, ...]


def shared_evidence(session: Session, credential_uuid: str) -> SharedEvidence:
    """The shared answers and files behind a credential, or NotFound if the teacher did not share them."""
    credential, attempt = _shared(session, credential_uuid)
    answers = {answer.prompt_key: answer for answer in attempt.answers}
    parts = []
    for part in attempt.version.definition["template"]["parts"]:
        shown, files = [], []
        for prompt in part["prompts"]:
            answer = answers.get(prompt["key"])
            if prompt["kind"] == "file":
                files += [
                    SharedFile(a.id, a.filename, a.size) for a in attempt.artifacts if a.prompt_key == prompt["key"]
                ]
            elif answer is not None and (answer.text or answer.url):
                shown.append(SharedAnswer(prompt["label"], answer.text, answer.url))
        parts.append(SharedPart(part["title"], tuple(shown), tuple(files)))
    return SharedEvidence(credential.uuid, credential.recipient_name, attempt.version.title, tuple(parts))


def shared_file(session: Session, credential_uuid: str, artifact_id: int) -> Artifact:
    """One shared artifact of the credential's attempt, or NotFound."""
    _credential, attempt = _shared(session, credential_uuid)
    artifact = next((a for a in attempt.artifacts if a.id == artifact_id), None)
    if artifact is None:
        raise NotFound(NOT_SHARED)
    return artifact


def _shared(session: Session, credential_uuid: str) -> tuple[IssuedCredential, Attempt]:
    try:
        credential = find_credential(session, credential_uuid)
    except NotFound:
        raise NotFound(NOT_SHARED) from None
    attempt = credential.attempt
    if attempt is None or not attempt.share_evidence or credential.revoked_at is not None:
        raise NotFound(NOT_SHARED)
    return credential, attempt
