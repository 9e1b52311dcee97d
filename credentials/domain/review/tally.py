"""A running tally of a review: the level chosen for each criterion, the points, and how they stand against the
micro-credential's decision rule. The decision (``scoring.outcome``), the score panel and the confirmation step all
count the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...storage.models.attempts import EARNED, NOT_YET


@dataclass(frozen=True)
class TallyLine:
    """One criterion in a running tally: the level chosen (or carried forward) and what it is worth."""

    key: str
    name: str
    level: str | None
    points: float
    meets: bool
    carried: bool


@dataclass(frozen=True)
class Tally:
    """How chosen levels stand against the rubric's rule; criteria carried forward count with their earlier level."""

    lines: list[TallyLine]
    points: float
    possible: float
    rule_kind: str
    min_points: float | None

    @property
    def to_score(self) -> int:
        return sum(1 for line in self.lines if not line.carried)

    @property
    def scored(self) -> int:
        return sum(1 for line in self.lines if not line.carried and line.level is not None)

    @property
    def complete(self) -> bool:
        return self.scored == self.to_score

    @property
    def below(self) -> list[str]:
        """Names of the criteria whose level (chosen or carried) is under the required one."""
        return [line.name for line in self.lines if line.level is not None and not line.meets]

    @property
    def enough_points(self) -> bool:
        return self.rule_kind == "every_criterion_or_points" and self.points >= (self.min_points or 0)

    @property
    def rule_met(self) -> bool:
        """Met so far: nothing chosen is below its required level, or the points alone reach the rule's minimum."""
        return not self.below or self.enough_points

    @property
    def earned(self) -> bool:
        """The rule as the decision applies it: every criterion at its level, or enough points."""
        return all(line.level is not None and line.meets for line in self.lines) or self.enough_points

    @property
    def outcome(self) -> str | None:
        """Earned or not yet once every criterion has a level; None before."""
        if not self.complete:
            return None
        return EARNED if self.earned else NOT_YET


def rule_text(rule: dict) -> str:
    """The rubric's decision rule in words."""
    if rule["kind"] == "every_criterion_or_points":
        return f"Every criterion at its required level, or at least {_number(rule['min_points'])} points in all."
    return "Every criterion at its required level."


def tally(rubric: dict, levels: Mapping[str, str | None], carried: Mapping[str, str | None]) -> Tally:
    """Add up ``levels`` (criterion key to level key; unknown keys count as not chosen) against ``rubric``, with the
    criteria in ``carried`` (met in the attempt this one resubmits) at their earlier level."""
    lines, points, possible = [], 0.0, 0.0
    for criterion in rubric["criteria"]:
        by_key = {lv["key"]: lv for lv in criterion["levels"]}
        is_carried = criterion["key"] in carried
        level = by_key.get((carried if is_carried else levels).get(criterion["key"]) or "")
        worth = level["points"] if level else 0
        points += worth
        possible += max(lv["points"] for lv in criterion["levels"])
        lines.append(
            TallyLine(
                key=criterion["key"],
                name=criterion["name"],
                level=level["name"] if level else None,
                points=worth,
                meets=bool(level and meets(criterion, level["key"])),
                carried=is_carried,
            )
        )
    rule = rubric["decision_rule"]
    return Tally(lines, points, possible, rule["kind"], rule.get("min_points"))


def meets(criterion: dict, level_key: str) -> bool:
    """Whether ``level_key`` is at or above the criterion's required level (levels run from lowest to highest)."""
    keys = [lv["key"] for lv in criterion["levels"]]
    return level_key in keys and keys.index(level_key) >= keys.index(criterion["required_level"])


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
