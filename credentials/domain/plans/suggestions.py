"""Suggested micro-credentials for one teacher, each with its reasons in plain words (issue 17).

Deterministic rules, no black box. A published micro-credential is suggested when at least one rule gives it a
reason; each kind of reason adds a fixed score (``SCORES``) once, however many focuses or criteria it names, and
the suggestions are ranked by their total score, then by title (then slug, so the order never depends on the
database). The rules, highest score first:

1. **Goal focus** (40): its current version carries a tag that is one of the teacher's goal focuses, or the focus
   names the micro-credential itself. "Matches your goal's focus: formative assessment".
2. **"Not yet"** (30): for every micro-credential the teacher has attempted, take their latest *decided* attempt
   (by attempt number; earned or "not yet"). When that decision was "not yet", the criteria of that attempt's
   result that were not met are the teacher's "not yet" criteria, and the tags of the version that attempt was on
   say what those criteria are about. Another micro-credential works on them when its current version shares at
   least one of those tags (compared without regard to case). A later earned attempt clears the criteria; an open
   resubmission does not (nothing is decided yet). The sentence names the unmet criteria of the most recently
   decided such attempt and the shared tags. "You were scored “not yet” on Exit ticket design in Checking for
   understanding with exit tickets; this one also works on formative assessment".
3. **School focus** (20) and **team focus** (20): the same matching as the goal focus against the focuses the
   school (``school_focus``) or the teacher's team (``team_focus``) has set. Teams do not exist yet: ``team_focus``
   is the hook the teams issue will fill; until then every caller leaves it empty.
4. **Colleagues earned it** (10): active colleagues at the teacher's school hold a credential for it (any version)
   that is neither revoked nor expired. "3 colleagues at Oak Valley Middle School earned it".

Not a rule yet: "it is the next step in a stack". Stacks (micro-credentials that build on one another) do not
exist; when they do, a rule giving the next unearned step of a stack the teacher has begun joins the table here.

Never suggested: a micro-credential with no published version (drafts and retired ones); one the teacher holds (a
credential that is neither revoked nor expired, theirs or issued from a district record to their e-mail address; or
a latest attempt that was earned: a new attempt would be refused); one in progress (its latest attempt is a draft,
submitted, in review, or "not yet" and waiting for a resubmission: the dashboard already shows all of these); one
the teacher has dismissed. A withdrawn attempt does not keep a micro-credential out.

Focus keys are the catalog's keys as growth-plan goals store them: ``tag:<tag>`` (a tag of the catalog, compared
without regard to case) or ``competency:<slug>`` (that micro-credential's competency); a key without a prefix is
read as a tag.

``suggest`` runs six statements whatever the size of the catalog or of the district: the teacher's attempts, their
credentials, their "not yet" criteria, their dismissals, the published micro-credentials (with their tags that match
a focus or a "not yet" criterion), and the colleagues' credentials counted per micro-credential.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ...storage.models import (
    Attempt,
    CatalogFacet,
    CriterionResult,
    MicroCredential,
    MicroCredentialVersion,
    SuggestionDismissal,
    User,
)
from ...storage.models.catalog import PUBLISHED
from ...storage.models.issuance import IssuedCredential
from ..audit import Actor, record_event
from ..catalog import microcredentials
from ..errors import PermissionDenied
from ..people.roles import TEACHER
from ..portfolio.statuses import EARNED, NOT_YET, OPEN_STATUSES

GOAL_FOCUS = "goal_focus"
NOT_YET_CRITERIA = "not_yet"
SCHOOL_FOCUS = "school_focus"
TEAM_FOCUS = "team_focus"
COLLEAGUES = "colleagues"
# The score each kind of reason adds, once; the order of this table is the order of a suggestion's sentences.
SCORES = {GOAL_FOCUS: 40, NOT_YET_CRITERIA: 30, SCHOOL_FOCUS: 20, TEAM_FOCUS: 20, COLLEAGUES: 10}
_FOCUS_LEADS = {
    GOAL_FOCUS: "Matches your goal's focus: ",
    SCHOOL_FOCUS: "Your school's focus: ",
    TEAM_FOCUS: "Your team's focus: ",
}
TAG_PREFIX, COMPETENCY_PREFIX = "tag:", "competency:"
IN_PROGRESS_STATUSES = (*OPEN_STATUSES, NOT_YET)


@dataclass(frozen=True)
class Reason:
    """Why a micro-credential is suggested: the rule (a key of ``SCORES``) and its sentence."""

    kind: str
    sentence: str

    @property
    def score(self) -> int:
        return SCORES[self.kind]


@dataclass(frozen=True)
class Suggestion:
    """A published micro-credential (its current version's number and title) and the reasons to suggest it."""

    slug: str
    title: str
    version: int
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> int:
        return sum(reason.score for reason in self.reasons)


@dataclass(frozen=True)
class _Focus:
    """Focus keys split into lower-cased tags and micro-credential slugs."""

    tags: frozenset[str]
    slugs: frozenset[str]

    @classmethod
    def of(cls, keys: Iterable[str]) -> _Focus:
        tags, slugs = set(), set()
        for key in keys or ():
            key = str(key).strip()
            if key.startswith(COMPETENCY_PREFIX):
                slugs.add(key.removeprefix(COMPETENCY_PREFIX).strip())
            elif key:
                tags.add(key.removeprefix(TAG_PREFIX).strip().lower())
        return cls(frozenset(tags - {""}), frozenset(slugs - {""}))


@dataclass(frozen=True)
class _NotYet:
    """The unmet criteria of one "not yet" decision and the tags of the version it was on (lower-cased)."""

    title: str
    criteria: tuple[str, ...]
    tags: frozenset[str]
    decided_at: datetime | None
    attempt_id: int
    microcredential_id: int


@dataclass
class _Candidate:
    microcredential_id: int
    slug: str
    title: str
    version: int
    tags: dict[str, str]  # lower-cased -> as the catalog spells it


def suggest(
    session: Session,
    teacher: User,
    *,
    goal_focus: Iterable[str],
    school_focus: Iterable[str] = (),
    team_focus: Iterable[str] = (),
    now: datetime,
    limit: int = 5,
) -> list[Suggestion]:
    """The ``limit`` best suggestions for ``teacher``, ranked by score then title (six statements; see above)."""
    focuses = {
        GOAL_FOCUS: _Focus.of(goal_focus),
        SCHOOL_FOCUS: _Focus.of(school_focus),
        TEAM_FOCUS: _Focus.of(team_focus),
    }
    latest_status, latest_decided = _attempt_standing(session, teacher)
    excluded = {mc for mc, status in latest_status.items() if status in (*IN_PROGRESS_STATUSES, EARNED)}
    excluded |= _held(session, teacher, now)
    not_yet = _not_yet(session, teacher, latest_decided)
    excluded |= set(
        session.scalars(
            select(SuggestionDismissal.microcredential_id).where(SuggestionDismissal.teacher_id == teacher.id)
        )
    )
    wanted_tags = set().union(*(f.tags for f in focuses.values()), *(n.tags for n in not_yet))
    candidates = _published(session, wanted_tags)
    colleagues = _colleagues(session, teacher, now)
    # Rank on the scores alone, then put the sentences into words for the few that are shown.
    ranked = []
    for mc_id, candidate in candidates.items():
        score = mc_id not in excluded and _score(candidate, focuses, not_yet, colleagues.get(mc_id, 0))
        if score:
            ranked.append((-score, candidate.title.casefold(), candidate.slug, candidate))
    ranked.sort(key=lambda item: item[:3])
    return [
        Suggestion(
            c.slug, c.title, c.version, _reasons(c, focuses, not_yet, colleagues.get(c.microcredential_id, 0), teacher)
        )
        for *_, c in ranked[: max(0, limit)]
    ]


def dismiss(session: Session, teacher: User, slug: str, *, now: datetime) -> None:
    """Stop suggesting the micro-credential ``slug`` to ``teacher`` (audited; dismissing twice changes nothing)."""
    mc = _for_teacher(session, teacher, slug)
    if _dismissal(session, teacher, mc.id) is not None:
        return
    try:
        with session.begin_nested():  # a second tab dismissing at the same moment: the other one wins, same result
            session.add(SuggestionDismissal(teacher_id=teacher.id, microcredential_id=mc.id, dismissed_at=now))
            session.flush()
    except IntegrityError:
        return
    record_event(
        session, actor=Actor.user(teacher), action="suggestion.dismiss", subject_type="microcredential",
        subject_id=slug, summary={"microcredential": slug}, now=now,
    )  # fmt: skip


def undo_dismiss(session: Session, teacher: User, slug: str, *, now: datetime) -> None:
    """Suggest ``slug`` to ``teacher`` again when the rules find a reason (audited; a no-op if not dismissed)."""
    mc = _for_teacher(session, teacher, slug)
    dismissal = _dismissal(session, teacher, mc.id)
    if dismissal is None:
        return
    session.delete(dismissal)
    session.flush()
    record_event(
        session, actor=Actor.user(teacher), action="suggestion.undo_dismiss", subject_type="microcredential",
        subject_id=slug, summary={"microcredential": slug}, now=now,
    )  # fmt: skip


def _for_teacher(session: Session, teacher: User, slug: str) -> MicroCredential:
    if TEACHER not in teacher.roles:
        raise PermissionDenied("Only teachers get suggestions.")
    return microcredentials.get_microcredential(session, slug)


def _dismissal(session: Session, teacher: User, microcredential_id: int) -> SuggestionDismissal | None:
    return session.scalar(
        select(SuggestionDismissal).where(
            SuggestionDismissal.teacher_id == teacher.id, SuggestionDismissal.microcredential_id == microcredential_id
        )
    )


def _attempt_standing(session: Session, teacher: User) -> tuple[dict[int, str], dict[int, tuple[int, str]]]:
    """By micro-credential id: the status of the teacher's latest attempt, and their latest decided attempt."""
    latest: dict[int, str] = {}
    decided: dict[int, tuple[int, str]] = {}
    for attempt_id, mc_id, status in session.execute(
        select(Attempt.id, Attempt.microcredential_id, Attempt.status)
        .where(Attempt.teacher_id == teacher.id)
        .order_by(Attempt.number)
    ):
        latest[mc_id] = status
        if status in (EARNED, NOT_YET):
            decided[mc_id] = (attempt_id, status)
    return latest, decided


def _held(session: Session, teacher: User, now: datetime) -> set[int]:
    """The micro-credentials of which the teacher holds a credential that is neither revoked nor expired: theirs, or
    one issued from a district record to their e-mail address (such a credential names no account)."""
    return set(
        session.scalars(
            select(MicroCredentialVersion.microcredential_id)
            .join(IssuedCredential, IssuedCredential.version_id == MicroCredentialVersion.id)
            .where(
                or_(IssuedCredential.recipient_id == teacher.id, IssuedCredential.recipient_email == teacher.email),
                *_valid(now),
            )
        )
    )


def _valid(now: datetime) -> tuple:
    return (
        IssuedCredential.revoked_at.is_(None),
        or_(IssuedCredential.valid_until.is_(None), IssuedCredential.valid_until > now),
    )


def _not_yet(session: Session, teacher: User, latest_decided: dict[int, tuple[int, str]]) -> list[_NotYet]:
    """The unmet criteria of each micro-credential whose latest decision for the teacher was "not yet"."""
    wanted = {attempt_id for attempt_id, status in latest_decided.values() if status == NOT_YET}
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.microcredential_id,
            Attempt.decided_at,
            CriterionResult.criterion_key,
            MicroCredentialVersion.definition,
        )
        .join(CriterionResult, CriterionResult.attempt_id == Attempt.id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .where(Attempt.teacher_id == teacher.id, Attempt.status == NOT_YET, CriterionResult.met.is_(False))
    ).all()
    unmet: dict[int, set[str]] = {}
    found: dict[int, tuple[int, datetime | None, dict]] = {}
    for attempt_id, mc_id, decided_at, criterion_key, definition in rows:
        if attempt_id in wanted:
            unmet.setdefault(attempt_id, set()).add(criterion_key)
            found[attempt_id] = (mc_id, decided_at, definition)
    result = []
    for attempt_id, (mc_id, decided_at, definition) in found.items():
        criteria = [c for c in definition["rubric"]["criteria"] if c["key"] in unmet[attempt_id]]
        tags = frozenset(str(tag).lower() for tag in definition.get("tags") or [])
        if criteria and tags:
            names = tuple(c["name"] for c in criteria)
            result.append(_NotYet(definition["title"], names, tags, decided_at, attempt_id, mc_id))
    return result


def _published(session: Session, tags: set[str]) -> dict[int, _Candidate]:
    """Every published micro-credential with those of its tags that are among ``tags`` (lower-cased), by
    micro-credential id (one statement). Only the version's id, number and title are read, all of which the
    status-and-title index holds: on SQLite the large definitions beside them are never loaded."""
    v, facet = MicroCredentialVersion, aliased(CatalogFacet)
    rows = session.execute(
        select(v.microcredential_id, MicroCredential.slug, v.title, v.number, facet.value)
        .join(MicroCredential, MicroCredential.id == v.microcredential_id)
        .outerjoin(
            facet, and_(facet.version_id == v.id, facet.kind == "tag", func.lower(facet.value).in_(sorted(tags)))
        )
        .where(v.status == PUBLISHED)
    ).all()
    found: dict[int, _Candidate] = {}
    for mc_id, slug, title, number, tag in rows:
        candidate = found.get(mc_id)
        if candidate is None:
            candidate = found[mc_id] = _Candidate(mc_id, slug, title, number, {})
        if tag is not None:
            candidate.tags[tag.lower()] = tag
    return found


def _colleagues(session: Session, teacher: User, now: datetime) -> dict[int, int]:
    """How many active colleagues at the teacher's school hold a credential (any version) that is neither revoked
    nor expired, by micro-credential id (one statement, answered from indexes alone)."""
    held = aliased(MicroCredentialVersion)
    rows = session.execute(
        select(held.microcredential_id, func.count(func.distinct(IssuedCredential.recipient_id)))
        .select_from(IssuedCredential)
        .join(User, User.id == IssuedCredential.recipient_id)
        .join(held, held.id == IssuedCredential.version_id)
        .where(User.school_id == teacher.school_id, User.id != teacher.id, User.is_active.is_(True), *_valid(now))
        .group_by(held.microcredential_id)
    ).all()
    return {mc_id: count for mc_id, count in rows}


def _score(candidate: _Candidate, focuses: dict[str, _Focus], not_yet: list[_NotYet], colleagues: int) -> int:
    """The sum of the scores of the rules that give ``candidate`` a reason (what ``_reasons`` says, without words)."""
    tags = candidate.tags.keys()
    score = sum(
        SCORES[kind]
        for kind, focus in focuses.items()
        if (tags and not focus.tags.isdisjoint(tags)) or candidate.slug in focus.slugs
    )
    if tags and any(
        not n.tags.isdisjoint(tags) and n.microcredential_id != candidate.microcredential_id for n in not_yet
    ):
        score += SCORES[NOT_YET_CRITERIA]
    return score + (SCORES[COLLEAGUES] if colleagues else 0)


def _reasons(
    candidate: _Candidate, focuses: dict[str, _Focus], not_yet: list[_NotYet], colleagues: int, teacher: User
) -> tuple[Reason, ...]:
    """Every rule's reason for one candidate, in the order of ``SCORES``."""
    reasons = []
    for kind in SCORES:
        if kind in focuses:
            focus = focuses[kind]
            named = sorted((candidate.tags[t] for t in focus.tags & candidate.tags.keys()), key=str.casefold)
            named += [candidate.title] if candidate.slug in focus.slugs else []
            if named:
                reasons.append(Reason(kind, _FOCUS_LEADS[kind] + _listed(named)))
        elif kind == NOT_YET_CRITERIA:
            related = [
                n
                for n in not_yet
                if n.tags & candidate.tags.keys() and n.microcredential_id != candidate.microcredential_id
            ]
            if related:
                last = max(related, key=lambda n: (n.decided_at.timestamp() if n.decided_at else 0, n.attempt_id))
                shared = sorted((candidate.tags[t] for t in last.tags & candidate.tags.keys()), key=str.casefold)
                reasons.append(
                    Reason(
                        kind,
                        f"You were scored “not yet” on {_listed(last.criteria)} in {last.title}; "
                        f"this one also works on {_listed(shared)}",
                    )
                )
        elif kind == COLLEAGUES and colleagues:
            who = "1 colleague" if colleagues == 1 else f"{colleagues} colleagues"
            reasons.append(Reason(kind, f"{who} at {teacher.school.name} earned it"))
    return tuple(reasons)


def _listed(words: list[str] | tuple[str, ...]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)
