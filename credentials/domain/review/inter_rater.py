"""How well reviewers agree, from attempts scored by two primary reviewers who both submitted.

Per criterion of each micro-credential: exact agreement, the share of double-scored attempts where both reviewers
chose the same level. Per reviewer pair and per micro-credential: Cohen's kappa over every criterion both reviewers
scored, the categories being the level keys: kappa = (po - pe) / (1 - pe), where po is the observed share of
agreement and pe the agreement expected by chance from each reviewer's own mix of levels. In each pair the reviewer
with the lower id is rater A, so a micro-credential's kappa pools its pairs the same way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import Assignment, Attempt, MicroCredentialVersion, ReviewScore, User
from ...storage.models.reviews import PRIMARY, SUBMITTED
from .reports import microcredential_titles

TOO_FEW = "Fewer than 2 paired scores: kappa needs more."
NO_VARIATION = "Both reviewers always chose one and the same level, so chance agreement is 1 and kappa is undefined."


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa over ``paired`` pairs of levels; ``kappa`` is None (with a ``note``) when it is undefined."""

    paired: int
    agreements: int
    observed: float | None
    expected: float | None
    kappa: float | None
    note: str = ""

    @property
    def strength(self) -> str:
        """Landis and Koch's words for the kappa (a convention, not a test)."""
        if self.kappa is None:
            return ""
        if self.kappa < 0:
            return "poor"
        bands = ((0.8, "almost perfect"), (0.6, "substantial"), (0.4, "moderate"), (0.2, "fair"))
        return next((word for floor, word in bands if self.kappa > floor), "slight")


@dataclass(frozen=True)
class CriterionAgreement:
    key: str
    name: str
    attempts: int
    agreements: int

    @property
    def share(self) -> float | None:
        return self.agreements / self.attempts if self.attempts else None


@dataclass(frozen=True)
class MicroCredentialAgreement:
    microcredential_id: int
    title: str
    attempts: int
    criteria: tuple[CriterionAgreement, ...]
    kappa: Kappa


@dataclass(frozen=True)
class PairAgreement:
    first_id: int
    first: str
    second_id: int
    second: str
    attempts: int
    kappa: Kappa


@dataclass(frozen=True)
class InterRaterReport:
    microcredentials: tuple[MicroCredentialAgreement, ...]
    pairs: tuple[PairAgreement, ...]

    @property
    def attempts(self) -> int:
        return sum(m.attempts for m in self.microcredentials)


@dataclass(frozen=True)
class _DoubleScored:
    """One attempt's two primary reviews: rater A (lower reviewer id) and rater B, with their levels."""

    microcredential_id: int
    version_id: int
    first: int
    second: int
    first_levels: dict[str, str]
    second_levels: dict[str, str]

    def paired(self) -> list[tuple[str, str, str]]:
        """(criterion, level A, level B) for every criterion both reviewers scored."""
        keys = sorted(self.first_levels.keys() & self.second_levels.keys())
        return [(k, self.first_levels[k], self.second_levels[k]) for k in keys]


def cohens_kappa(pairs: Iterable[tuple[str, str]]) -> Kappa:
    """Cohen's kappa of (rater A, rater B) category pairs, computed exactly and returned as floats."""
    pairs = list(pairs)
    n = len(pairs)
    agreements = sum(1 for a, b in pairs if a == b)
    observed = Fraction(agreements, n) if n else None
    if n < 2:
        return Kappa(n, agreements, _float(observed), None, None, TOO_FEW)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum((Fraction(first[c] * second[c], n * n) for c in first.keys() | second.keys()), Fraction(0))
    if expected == 1:
        return Kappa(n, agreements, float(observed), 1.0, None, NO_VARIATION)
    kappa = (observed - expected) / (1 - expected)
    return Kappa(n, agreements, float(observed), float(expected), float(kappa))


def inter_rater_report(session: Session) -> InterRaterReport:
    """Agreement per criterion and kappa per micro-credential and per reviewer pair; four queries in all."""
    scored = _double_scored(session)
    titles = microcredential_titles(session)
    criterion_names = _criterion_names(session, {s.version_id for s in scored})
    reviewer_ids = {r for s in scored for r in (s.first, s.second)}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(reviewer_ids))).all()) if scored else {}

    by_mc: dict[int, list[_DoubleScored]] = defaultdict(list)
    by_pair: dict[tuple[int, int], list[_DoubleScored]] = defaultdict(list)
    for s in scored:
        by_mc[s.microcredential_id].append(s)
        by_pair[(s.first, s.second)].append(s)

    microcredentials = []
    for mc_id, group in by_mc.items():
        seen: Counter[str] = Counter()
        agreed: Counter[str] = Counter()
        for s in group:
            for key, a, b in s.paired():
                seen[key] += 1
                agreed[key] += a == b
        names_here = criterion_names.get(mc_id, {})
        criteria = tuple(
            CriterionAgreement(key, names_here.get(key, key), seen[key], agreed[key])
            for key in sorted(seen, key=lambda k: (list(names_here).index(k) if k in names_here else 99, k))
        )
        kappa = cohens_kappa((a, b) for s in group for _, a, b in s.paired())
        microcredentials.append(
            MicroCredentialAgreement(mc_id, titles.get(mc_id, f"#{mc_id}"), len(group), criteria, kappa)
        )
    microcredentials.sort(key=lambda m: m.title.lower())

    pairs = [
        PairAgreement(
            first_id=first,
            first=names.get(first, f"#{first}"),
            second_id=second,
            second=names.get(second, f"#{second}"),
            attempts=len(group),
            kappa=cohens_kappa((a, b) for s in group for _, a, b in s.paired()),
        )
        for (first, second), group in by_pair.items()
    ]
    pairs.sort(key=lambda p: (p.first.lower(), p.second.lower(), p.first_id, p.second_id))
    return InterRaterReport(tuple(microcredentials), tuple(pairs))


def _double_scored(session: Session) -> list[_DoubleScored]:
    """Attempts with two submitted primary reviews (the first two, as the decision used them); one query."""
    doubled = (
        select(Assignment.attempt_id)
        .where(Assignment.role == PRIMARY, Assignment.status == SUBMITTED)
        .group_by(Assignment.attempt_id)
        .having(func.count() >= 2)
    )
    rows = session.execute(
        select(
            Assignment.attempt_id,
            Assignment.id,
            Assignment.reviewer_id,
            Attempt.microcredential_id,
            Attempt.version_id,
            ReviewScore.criterion_key,
            ReviewScore.level_key,
        )
        .join(Attempt, Attempt.id == Assignment.attempt_id)
        .join(ReviewScore, ReviewScore.assignment_id == Assignment.id)
        .where(
            Assignment.role == PRIMARY,
            Assignment.status == SUBMITTED,
            Assignment.attempt_id.in_(doubled),
            ReviewScore.level_key.is_not(None),
        )
        .order_by(Assignment.attempt_id, Assignment.submitted_at, Assignment.id)
    ).all()
    attempts: dict[int, dict] = {}
    for attempt_id, assignment_id, reviewer_id, mc_id, version_id, key, level in rows:
        entry = attempts.setdefault(attempt_id, {"mc": mc_id, "version": version_id, "reviews": {}})
        entry["reviews"].setdefault(assignment_id, (reviewer_id, {}))[1][key] = level
    result = []
    for entry in attempts.values():
        reviews = list(entry["reviews"].values())[:2]
        if len(reviews) < 2:
            continue
        (a, a_levels), (b, b_levels) = sorted(reviews, key=lambda r: r[0])
        result.append(_DoubleScored(entry["mc"], entry["version"], a, b, a_levels, b_levels))
    return result


def _criterion_names(session: Session, version_ids: set[int]) -> dict[int, dict[str, str]]:
    """Criterion key -> name per micro-credential, from the newest of the given versions (criteria in rubric order)."""
    if not version_ids:
        return {}
    names: dict[int, dict[str, str]] = {}
    for mc_id, definition in session.execute(
        select(MicroCredentialVersion.microcredential_id, MicroCredentialVersion.definition)
        .where(MicroCredentialVersion.id.in_(version_ids))
        .order_by(MicroCredentialVersion.microcredential_id, MicroCredentialVersion.number.desc())
    ):
        known = names.setdefault(mc_id, {})
        for criterion in definition["rubric"]["criteria"]:
            known.setdefault(criterion["key"], criterion["name"])
    return names


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)
