"""What an issuer admin sees of any version, drafts included: its page and its badge.

A draft may be incomplete; its preview fills what is not written yet with placeholders and lists what is missing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ...storage.models.catalog import DRAFT
from . import definitions, microcredentials
from .field_names import FieldError, labelled
from .microcredential_page import MicroCredentialPage, VersionRef, describe_version

NOT_WRITTEN = "(not written yet)"


@dataclass(frozen=True)
class Preview:
    """A version's page, and for a draft what it still needs before it can be published."""

    page: MicroCredentialPage
    missing: list[FieldError] = field(default_factory=list)


def preview_page(session: Session, slug: str, number: int) -> Preview:
    """The page of version ``number`` as teachers would read it once published."""
    history = microcredentials.version_history(session, slug)
    version = next((v for v in history if v.number == number), None)
    if version is None:
        raise microcredentials.NotFound(f"{slug} has no version {number}.")
    # The page lists the versions teachers can open, so drafts stay out of it.
    refs = [
        VersionRef(v.number, v.status, v.published_at, v.retired_at) for v in reversed(history) if v.status != DRAFT
    ]
    if version.status != DRAFT:
        return Preview(describe_version(version, refs))
    missing = labelled(definitions.problems(definitions.normalize(version.definition)))
    if not missing:
        return Preview(describe_version(version, refs))
    return Preview(describe_version(_Shown(version, displayable(version.definition)), refs), missing)


class _Shown:
    """A draft seen through a displayable copy of its definition (the stored one is left alone)."""

    def __init__(self, version, definition: dict) -> None:
        self._version, self.definition = version, definition

    def __getattr__(self, name):
        return getattr(self._version, name)


def displayable(doc: dict) -> dict:
    """A copy of an incomplete definition with placeholders wherever the page needs something that is not there."""
    d = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    for name in ("title", "summary", "competency"):
        if not d.get(name):
            d[name] = NOT_WRITTEN
    method = d.setdefault("key_method", {})
    _placeholder(method, "description")
    method.setdefault("components", [])
    for name in ("research", "resources", "alignments", "tags", "subject_areas", "grade_bands"):
        d.setdefault(name, [])
    for name, value in (("credit_hours", 0), ("reviewers_required", 1), ("max_attempts", 1)):
        d.setdefault(name, value)
    d.setdefault("review_turnaround_days", 10)
    parts = d.setdefault("template", {}).setdefault("parts", [])
    for i, part in enumerate(parts, 1):
        part.setdefault("key", f"part-{i}")
        part.setdefault("title", f"Part {i}")
        for prompt in part.setdefault("prompts", []):
            _placeholder(prompt, "label")
            prompt.setdefault("kind", "text")
            prompt.setdefault("required", False)
            prompt.setdefault("word_limit", 300)
            prompt.setdefault("max_files", 1)
            prompt.setdefault("file_kinds", [])
    rubric = d.setdefault("rubric", {})
    criteria = rubric.setdefault("criteria", [])
    if not criteria:
        criteria.append({"key": "criterion", "name": NOT_WRITTEN, "levels": []})
    for criterion in criteria:
        _placeholder(criterion, "name")
        _placeholder(criterion, "description")
        criterion.setdefault("part", "")
        levels = criterion.setdefault("levels", [])
        if not levels:
            levels.append({"key": "level", "name": NOT_WRITTEN})
        for i, level in enumerate(levels, 1):
            level.setdefault("key", f"level-{i}")
            level.setdefault("name", f"Level {i}")
            _placeholder(level, "description")
            level.setdefault("points", 0)
        if criterion.get("required_level") not in {level["key"] for level in levels}:
            criterion["required_level"] = levels[0]["key"]
    rule = rubric.setdefault("decision_rule", {"kind": "every_criterion"})
    if rule.get("kind") == "every_criterion_or_points":
        rule.setdefault("min_points", 0)
    else:
        rule["kind"] = "every_criterion"
    return d


def _placeholder(item: dict, name: str) -> None:
    if not item.get(name):
        item[name] = NOT_WRITTEN


def version_badge(session: Session, slug: str, number: int) -> microcredentials.BadgeFile:
    """The badge of any version: its uploaded image, or the one drawn from its title."""
    version = microcredentials.get_version(session, slug, number)
    return microcredentials.badge_file(
        session,
        slug=slug,
        title=version.title or "Untitled draft",
        credit_hours=version.credit_hours,
        image_sha256=version.image_sha256,
    )
