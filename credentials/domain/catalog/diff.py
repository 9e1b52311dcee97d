"""A readable difference between two versions of a micro-credential.

Parts, prompts, criteria and levels are matched by their keys, not their positions, so renaming a criterion shows
as a changed name rather than one criterion removed and another added.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...storage.models import MicroCredentialVersion

FIELD_LABELS = {
    "slug": "Address",
    "title": "Title",
    "summary": "Summary",
    "competency": "Competency",
    "key_method": "Key method",
    "description": "Description",
    "components": "Components",
    "research": "Research",
    "citation": "Citation",
    "resources": "Resources",
    "url": "Link",
    "tags": "Tags",
    "subject_areas": "Subject areas",
    "grade_bands": "Grade bands",
    "alignments": "Alignments",
    "name": "Name",
    "code": "Code",
    "framework": "Framework",
    "credit_hours": "Credit hours",
    "validity_months": "Valid for (months)",
    "reviewers_required": "Reviewers per submission",
    "max_attempts": "Maximum attempts",
    "review_turnaround_days": "Review turnaround (business days)",
    "template": "Submission template",
    "instructions": "Instructions",
    "kind": "Kind",
    "label": "Prompt",
    "help": "Help text",
    "required": "Required",
    "word_limit": "Word limit",
    "file_kinds": "Allowed files",
    "max_files": "Maximum files",
    "rubric": "Rubric",
    "part": "Scores part",
    "points": "Points",
    "required_level": "Required level",
    "decision_rule": "Decision rule",
    "min_points": "Minimum points",
}
_KEYED = {"parts": "Part", "prompts": "Prompt", "criteria": "Criterion", "levels": "Level"}
_ITEM_NAMES = {"research": "Reference", "resources": "Resource", "alignments": "Alignment"}
_TITLE_FIELDS = ("title", "name", "label")


@dataclass(frozen=True)
class Change:
    """One field that differs: ``before`` is None when it was added, ``after`` None when it was removed."""

    label: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def diff_definitions(old: dict, new: dict) -> list[Change]:
    """Every difference between two definitions, in the order of the newer document."""
    before, after = _flatten(old), _flatten(new)
    changes = []
    for identity, (label, value) in after.items():
        if identity not in before:
            changes.append(Change(label, None, value))
        elif before[identity][1] != value:
            changes.append(Change(label, before[identity][1], value))
    changes.extend(Change(label, value, None) for identity, (label, value) in before.items() if identity not in after)
    return changes


def diff_versions(older: MicroCredentialVersion, newer: MicroCredentialVersion) -> list[Change]:
    """The differences between two versions, their badge images included."""
    changes = diff_definitions(older.definition, newer.definition)
    if older.image_sha256 != newer.image_sha256:

        def describe(version: MicroCredentialVersion) -> str:
            return f"uploaded image {version.image_sha256[:12]}…" if version.image_sha256 else "generated badge"

        changes.append(Change("Badge image", describe(older), describe(newer)))
    return changes


def _flatten(doc: dict) -> dict[tuple, tuple[str, str]]:
    out: dict[tuple, tuple[str, str]] = {}
    _walk(doc, (), [], out)
    return out


def _walk(value, identity: tuple, labels: list[str], out: dict) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if key in ("key", "version", "$schema", "image"):
                continue
            _walk(child, (*identity, key), [*labels, FIELD_LABELS.get(key, key)], out)
        return
    field = identity[-1] if identity else ""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            if field in _KEYED and "key" in item:
                name = next((item[f] for f in _TITLE_FIELDS if item.get(f)), item["key"])
                child_identity = (*identity, item["key"])
                child_label = f"{_KEYED[field]} “{_shorten(name)}”"
            else:
                child_identity = (*identity, index)
                child_label = f"{_ITEM_NAMES.get(field, 'Item')} {index + 1}"
            _walk(item, child_identity, [*labels[:-1], child_label] if field in _KEYED else [*labels, child_label], out)
        return
    out[identity] = (" › ".join(labels), _display(value))


def _display(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
