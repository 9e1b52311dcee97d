"""What the catalog editor calls each field of a definition, and where it stands on the page.

Errors are kept by field path (``rubric.criteria[0].levels[1].description``) because the editor's inputs carry the
same names; people read them as the editor labels them, counted from one and in page order:
"Criterion 1, level 2: description".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\.?([a-z_$]+)|\[(\d{1,4})\]")

# Every field name in the order the editor shows it. One order serves every group (the document, a part, a prompt,
# a criterion, a level...) because no two groups place the names they share the other way round.
_ORDER = (
    "key",
    "title",
    "slug",
    "citation",
    "name",
    "kind",
    "label",
    "help",
    "required",
    "word_limit",
    "max_files",
    "file_kinds",
    "summary",
    "competency",
    "key_method",
    "description",
    "components",
    "part",
    "levels",
    "points",
    "required_level",
    "research",
    "url",
    "code",
    "framework",
    "resources",
    "tags",
    "subject_areas",
    "grade_bands",
    "alignments",
    "credit_hours",
    "validity_months",
    "reviewers_required",
    "max_attempts",
    "review_turnaround_days",
    "image",
    "instructions",
    "prompts",
    "template",
    "decision_rule",
    "min_points",
    "criteria",
    "rubric",
    ").split(",
)
_RANK = {name: rank for rank, name in enumerate(_ORDER)}

_ROWS = {"research": "Reference", "resources": "Resource", "alignments": "Alignment"}
_TOP = {
    "title": "Title",
    "slug": "Address",
    "summary": "Summary",
    "competency": "Competency statement",
    "key_method": "Key method",
    "key_method.description": "Key method",
    "key_method.components": "Components of the method",
    "research": "Supporting research",
    "resources": "Resources",
    "tags": "Tags",
    "subject_areas": "Subject areas",
    "grade_bands": "Grade bands",
    "alignments": "Alignments to standards",
    "credit_hours": "Credit hours",
    "validity_months": "Valid for (months)",
    "reviewers_required": "Reviewers per submission",
    "max_attempts": "Maximum attempts",
    "review_turnaround_days": "Review turnaround",
    "image": "Badge image",
    "template": "Submission template",
    "template.parts": "Submission template",
    "rubric": "Rubric",
    "rubric.criteria": "Rubric",
    "rubric.decision_rule": "Decision rule",
    "rubric.decision_rule.kind": "Decision rule",
    "rubric.decision_rule.min_points": "Minimum total points",
}
# The fields of a row, by the kind of row, as the row's own labels say them.
_IN_ROW = {
    "Reference": {"citation": "citation", "summary": "why it matters", "url": "link"},
    "Resource": {"title": "title", "url": "link"},
    "Alignment": {"name": "standard", "url": "link to the standard", "code": "code", "framework": "framework"},
    "Part": {"title": "part title", "instructions": "instructions", "prompts": "prompts"},
    "prompt": {
        "kind": "kind of answer",
        "label": "wording",
        "help": "help text",
        "required": "an answer is required",
        "word_limit": "word limit",
        "max_files": "maximum files",
        "file_kinds": "allowed files",
    },
    "Criterion": {
        "name": "name",
        "description": "what it looks for",
        "part": "scores the evidence of part",
        "levels": "levels",
        "required_level": "required level",
    },
    "level": {"name": "name", "description": "description", "points": "points"},
}
# What to do about a field that is missing or empty, by its label.
_WHEN_EMPTY = {
    "Title": "Give the micro-credential a title.",
    "Address": "Choose an address, or leave it empty to make one from the title.",
    "Summary": "Write one or two sentences for the catalog.",
    "Competency statement": "Say what an earner has shown they can do.",
    "Key method": "Describe the key method.",
    "Components of the method": "List the method's components, one per line.",
    "Grade bands": "Choose at least one grade band.",
    "Credit hours": "Enter the credit hours.",
    "Minimum total points": "Enter the minimum total points for the second rule.",
    "citation": "Give the full reference.",
    "title": "Give it a title.",
    "link": "Enter the web address.",
    "standard": "Name the standard.",
    "link to the standard": "Enter the standard's web address.",
    "part title": "Give the part a title.",
    "prompts": "Add at least one prompt.",
    "wording": "Write what the teacher is asked.",
    "word limit": "Enter a word limit for a text answer.",
    "maximum files": "Enter how many files the teacher may upload.",
    "allowed files": "Choose the kinds of file allowed.",
    "name": "Give it a name.",
    "criterion name": "Name the criterion.",
    "level name": "Name this level.",
    "resource title": "Give the resource a title.",
    "what it looks for": "Say what this criterion looks for.",
    "scores the evidence of part": "Choose the part of the evidence this criterion scores.",
    "required level": "Choose the required level.",
    "description": "Describe what this level looks like.",
    "points": "Give this level its points.",
}


@dataclass(frozen=True)
class FieldError:
    """One problem as the editor shows it: the field's path (its input's name), label and what to do."""

    path: str
    label: str
    message: str


def tokens(path: str) -> list[str | int]:
    """``rubric.criteria[0].name`` -> ``["rubric", "criteria", 0, "name"]`` (unreadable paths give ``[]``)."""
    found, position = [], 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            return []
        found.append(match.group(1) if match.group(1) else int(match.group(2)))
        position = match.end()
    return found


def label(path: str) -> str:
    """The field as the editor names it, counted from one: ``Criterion 1, level 2: description``."""
    parts = tokens(path)
    if not parts:
        return path or "The micro-credential"
    rows: list[str] = []
    kind = ""
    field: list[str] = []
    for i, token in enumerate(parts):
        if isinstance(token, int):
            container = parts[i - 1] if i else ""
            if container in _ROWS:
                kind = _ROWS[container]
                rows.append(f"{kind} {token + 1}")
            elif container == "parts":
                kind = "Part"
                rows.append(f"Part {token + 1}")
            elif container == "prompts":
                kind = "prompt"
                rows.append(f"prompt {token + 1}")
            elif container == "criteria":
                kind = "Criterion"
                rows.append(f"Criterion {token + 1}")
            elif container == "levels":
                kind = "level"
                rows.append(f"level {token + 1}")
            else:
                rows.append(f"item {token + 1}")
            field = []
        else:
            field.append(token)
    if not rows:
        dotted = ".".join(str(t) for t in parts)
        return _TOP.get(dotted, dotted.replace("_", " ").capitalize())
    place = ", ".join(rows)
    if not field:
        return place
    name = ".".join(field)
    return f"{place}: {_IN_ROW.get(kind, {}).get(name, name.replace('_', ' '))}"


def when_empty(path: str, default: str = "This is required.") -> str:
    """What to do about a required field that is missing or empty (or a list with nothing in it)."""
    place, _, name = label(path).rpartition(": ")
    row = place.rpartition(", ")[2].split(" ")[0].lower()  # "Criterion 1, level 2" -> "level"
    return _WHEN_EMPTY.get(f"{row} {name}", _WHEN_EMPTY.get(name, default))


def page_order(path: str) -> tuple:
    """A sort key that puts fields in the order the editor shows them (the whole document first)."""
    return tuple(token if isinstance(token, int) else _RANK.get(token, len(_RANK)) for token in tokens(path))


def labelled(errors: dict[str, str]) -> list[FieldError]:
    """Errors by field path as the editor lists them: labelled, in page order."""
    return [FieldError(path, label(path), errors[path]) for path in sorted(errors, key=page_order)]
