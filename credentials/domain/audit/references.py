"""What an audit event's sentence refers to: the kinds of page a name links to, the names loaded beforehand for a
whole page of events, and the reader the phrases (credentials.domain.audit.words) use to name people, attempts,
micro-credentials and the event's subject."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ...storage.models import AuditEvent
from ...text.dates import DEFAULT_TIME_ZONE, us_date
from ..people.roles import ROLE_LABELS

PERSON, ATTEMPT, CREDENTIAL, MICROCREDENTIAL, SCHOOL = "person", "attempt", "credential", "microcredential", "school"
DISTRICT, CERTIFICATE, HOLIDAYS, OUTBOX = "district", "certificate", "holidays", "outbox"

SYSTEM_ACTORS = {
    "issuance": "Automatic issuing",
    "plans": "Growth plans (automatic)",
    "review-routing": "Review routing",
    "cli": "An operator (command line)",
    "demo": "The demo loader",
    "password-reset": "The password-reset page",
}
OUTCOMES = {"earned": "earned", "not_yet": "not yet", "withdrawn": "withdrawn"}
SOURCES = {"admin": "from a district record", "csv": "from a CSV file of district records"}
LONGEST_QUOTE = 120


@dataclass(frozen=True)
class Link:
    """Words that lead to a page: ``page`` names which (PERSON, ATTEMPT, ...), ``key`` which one."""

    text: str
    page: str
    key: str = ""


Part = str | Link


@dataclass
class Names:
    """What the sentences of a page name, loaded in one go: see audit_page."""

    users: dict[int, tuple[str, str, list[str]]] = field(default_factory=dict)  # id -> name, e-mail, roles
    attempts: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # id -> teacher, title, teacher id
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict)  # uuid -> recipient, title
    microcredentials: dict[str, str] = field(default_factory=dict)  # slug -> newest title
    schools: dict[int, str] = field(default_factory=dict)
    time_zone: str = DEFAULT_TIME_ZONE


def int_or_none(value: object) -> int | None:
    """An id recorded as text or number, or None when it is not one."""
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class EventWords:
    """One event and the names loaded for its page, with the words the phrases are built from."""

    def __init__(self, event: AuditEvent, names: Names):
        self.event, self.names = event, names
        self.s = event.summary if isinstance(event.summary, dict) else {}

    @property
    def actor(self) -> Part:
        event = self.event
        if event.actor_id is not None:
            return self.person(event.actor_id, fallback=event.actor_label)
        if event.actor_label.startswith("system:"):
            name = event.actor_label.removeprefix("system:")
            return SYSTEM_ACTORS.get(name, f"microcred ({name})")
        return event.actor_label

    def person(self, user_id: object, *, fallback: str | None = None) -> Part:
        found = self.names.users.get(int_or_none(user_id))  # type: ignore[arg-type]
        if found is None:
            return fallback or f"person #{user_id}"
        return Link(found[0], PERSON, str(user_id))

    def roles(self, user_id: object) -> str:
        found = self.names.users.get(int_or_none(user_id))  # type: ignore[arg-type]
        return roles_words(found[2] if found else [])

    def attempt(self, attempt_id: object, *, short: bool = False) -> Part:
        found = self.names.attempts.get(int_or_none(attempt_id))  # type: ignore[arg-type]
        if found is None:
            return f"attempt #{attempt_id}"
        if short:  # when the sentence has already named the person and the micro-credential
            return Link(f"attempt #{attempt_id}", ATTEMPT, str(attempt_id))
        teacher, title, teacher_id = found
        whose = "their" if teacher_id == self.event.actor_id else possessive(teacher)
        return Link(f"{whose} attempt #{attempt_id} at {title}", ATTEMPT, str(attempt_id))

    def microcredential(self, slug: object) -> Part:
        title = self.names.microcredentials.get(slug)  # type: ignore[arg-type]
        return Link(title, MICROCREDENTIAL, str(slug)) if title else f"the micro-credential “{slug}”"

    @property
    def subject(self) -> Part:
        kind, key = self.event.subject_type, self.event.subject_id
        if kind == "user":
            return self.person(key)
        if kind == "attempt":
            return self.attempt(key)
        if kind == "credential":
            found = self.names.credentials.get(key)
            if found is None:
                return f"credential {key}"
            return Link(f"{possessive(found[0])} credential for {found[1]}", CREDENTIAL, key)
        if kind == "microcredential":
            return self.microcredential(key)
        if kind == "school":
            name = self.names.schools.get(int_or_none(key))  # type: ignore[arg-type]
            return Link(name, SCHOOL, key) if name else f"school #{key}"
        if kind == "issuer":
            return Link("the district's details", DISTRICT)
        if kind == "issuer_key":
            return f"signing key {key}"
        if kind == "outbox_message":
            return Link(f"e-mail #{key}", OUTBOX)
        if kind == "holiday":
            return Link(day_words(key), HOLIDAYS)
        return f"{kind.replace('_', ' ')} {key}".strip()

    def quote(self, key: str, *, lead: str = ": ") -> str:
        value = self.s.get(key)
        return f"{lead}“{shortened(str(value))}”" if value not in (None, "") else ""

    def outcome(self, key: str = "outcome") -> str:
        value = str(self.s.get(key) or "")
        return OUTCOMES.get(value, value.replace("_", " "))


def day_words(value: object) -> str:
    try:
        return us_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def roles_words(roles: Iterable[str]) -> str:
    labels = [ROLE_LABELS.get(role, str(role)).lower() for role in sorted(roles)]
    return listed_words(labels) if labels else "no role"


def shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_QUOTE else text[: LONGEST_QUOTE - 1].rstrip() + "…"


def listed_words(items: Iterable[object]) -> str:
    words = [str(item).replace("_", " ") for item in items]
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)
