"""Micro-credential definitions: normalising, validating against their JSON Schema (microcredential.schema.json) and
the rules a schema cannot express, with every error named by its field path (``rubric.criteria[0].levels[1].name``).

Two checks: ``check_draft`` refuses only what could never be valid or is unsafe to keep (too long, the wrong type,
a bad address or link, an unknown field), so an admin can save a micro-credential they are still writing;
``check`` (at publishing) also wants it complete: every required field filled, every list long enough, the rubric
tied to the template."""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ...schemas import MICROCREDENTIAL, load_schema
from ..errors import InvalidInput
from .field_names import when_empty

GRADE_BANDS = ("Pre-K", "K-2", "3-5", "6-8", "9-12")
FILE_KINDS = {
    "pdf": "PDF",
    "image": "Image",
    "audio": "Audio",
    "video": "Video",
    "office": "Office document",
}
PROMPT_KINDS = {"text": "Text answer", "file": "File upload", "link": "Link"}
DECISION_RULES = {
    "every_criterion": "Every criterion must reach its required level",
    "every_criterion_or_points": "Every criterion at its required level, or a total of at least N points",
}
# Fields that are free-form text where line breaks matter; other strings have their whitespace collapsed.
_LONG_TEXT = {"summary", "competency", "description", "instructions", "help", "citation"}
_OPTIONAL_STRINGS = {"instructions", "help", "summary", "url", "code", "framework"}


@cache
def schema() -> dict:
    return load_schema(MICROCREDENTIAL)


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


# What a draft may still lack: a schema without these keywords says only what a finished definition could never be.
_COMPLETENESS = {"required", "minLength", "minItems"}


@cache
def _draft_validator() -> Draft202012Validator:
    return Draft202012Validator(_without_completeness(schema()))


def _without_completeness(node, *, names: bool = False):
    """The schema without those keywords (``names``: a map of property names, where "required" is a field)."""
    if isinstance(node, dict):
        return {
            k: _without_completeness(v, names=k in ("properties", "$defs") and not names)
            for k, v in node.items()
            if names or k not in _COMPLETENESS
        }
    if isinstance(node, list):
        return [_without_completeness(v) for v in node]
    return node


def field_path(parts) -> str:
    """``["rubric", "criteria", 0, "name"]`` -> ``rubric.criteria[0].name``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def slugify(text: str, *, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "item"


def normalize(raw: dict) -> dict:
    """Tidy a definition from a form or a file: trim text, drop empty optional fields and fields that do not apply
    to a prompt's kind, de-duplicate labels, and give every part, prompt, criterion and level a key."""
    doc = _tidy(copy.deepcopy(raw))
    if not isinstance(doc, dict):
        return doc
    for name in ("tags", "subject_areas"):
        if isinstance(doc.get(name), list):
            seen, labels = set(), []
            for label in doc[name]:
                if isinstance(label, str) and label and label.lower() not in seen:
                    seen.add(label.lower())
                    labels.append(label)
            doc[name] = labels
    template = doc.get("template")
    if isinstance(template, dict) and isinstance(template.get("parts"), list):
        _assign_keys(template["parts"], "title")
        prompts = [p for part in template["parts"] if isinstance(part, dict) for p in part.get("prompts") or []]
        _assign_keys([p for p in prompts if isinstance(p, dict)], "label")
        for prompt in prompts:
            if isinstance(prompt, dict):
                _drop_inapplicable(prompt)
    rubric = doc.get("rubric")
    if isinstance(rubric, dict) and isinstance(rubric.get("criteria"), list):
        _assign_keys(rubric["criteria"], "name")
        for criterion in rubric["criteria"]:
            if isinstance(criterion, dict) and isinstance(criterion.get("levels"), list):
                _assign_keys(criterion["levels"], "name")
        rule = rubric.get("decision_rule")
        if isinstance(rule, dict) and rule.get("kind") == "every_criterion":
            rule.pop("min_points", None)
    return doc


def check(doc: dict) -> dict:
    """Raise ``InvalidInput`` naming every problem by its field path; return ``doc`` when it is complete."""
    errors = problems(doc)
    if errors:
        raise InvalidInput(errors, "The micro-credential has problems to fix; each is listed beside its field.")
    return doc


def check_draft(doc: dict) -> dict:
    """Raise ``InvalidInput`` for what no finished definition could hold; return ``doc``, perhaps incomplete."""
    errors = _schema_problems(doc, _draft_validator(), draft=True)
    if errors:
        raise InvalidInput(errors, "The draft has problems to fix; each is listed beside its field.")
    return doc


def problems(doc: dict) -> dict[str, str]:
    """Every problem of a definition meant to be published, incompleteness included, by field path."""
    errors = _schema_problems(doc, _validator(), draft=False)
    if not errors:
        errors.update(_cross_check(doc))
    return errors


def _schema_problems(doc: dict, validator: Draft202012Validator, *, draft: bool) -> dict[str, str]:
    # A schema cannot say "finite": NaN passes every bound (each comparison is false), and the database then
    # refuses the row. These are found first, so the schema's vaguer complaint about an enclosing group is dropped.
    errors = {field_path(path): _NOT_FINITE for path in _non_finite(doc)}
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        if draft and error.instance == "":
            continue  # an empty field in a draft is not written yet, not wrong
        path, message = _describe(error)
        if not any(_within(bad, path) for bad in errors):
            errors.setdefault(path, message)
    return errors


def facets(doc: dict) -> list[tuple[str, str]]:
    """The (kind, value) pairs the catalog filters on (a draft may have none yet)."""
    return (
        [("tag", t) for t in doc.get("tags") or []]
        + [("subject", s) for s in doc.get("subject_areas") or []]
        + [("grade_band", g) for g in doc.get("grade_bands") or []]
    )


def search_text(doc: dict) -> str:
    """The lower-cased text the catalog's search looks in."""
    words = [doc.get(name) or "" for name in ("title", "summary", "competency")]
    words += [*(doc.get("tags") or []), *(doc.get("subject_areas") or [])]
    return " ".join(w for w in words if w).lower()


_NOT_FINITE = "Enter an ordinary number (not NaN or infinity)."


def _non_finite(value: Any, path: tuple = ()):
    """The paths of every NaN or infinity in a document (JSON files and ``float()`` both accept them)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*path, index))


def _within(inner: str, outer: str) -> bool:
    """Whether the field path ``inner`` is ``outer`` or lies inside it (the whole document, ``""``, is not counted)."""
    return bool(outer) and (inner == outer or inner.startswith((f"{outer}.", f"{outer}[")))


def _tidy(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").strip()
        return text if key in _LONG_TEXT else " ".join(text.split())
    if isinstance(value, list):
        return [_tidy(v, key) for v in value if not (isinstance(v, str) and not v.strip())]
    if isinstance(value, dict):
        tidy = {k: _tidy(v, k) for k, v in value.items()}
        return {k: v for k, v in tidy.items() if not (k in _OPTIONAL_STRINGS and v in ("", None))}
    return value


def _assign_keys(items: list, label_field: str) -> None:
    def has_key(item) -> bool:
        return isinstance(item, dict) and isinstance(item.get("key"), str) and bool(item["key"])

    taken = {item["key"] for item in items if has_key(item)}
    for item in items:
        if not isinstance(item, dict) or has_key(item):
            continue
        base = slugify(str(item.get(label_field) or "item"), limit=50)
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        item["key"] = key
        taken.add(key)


def _drop_inapplicable(prompt: dict) -> None:
    kind = prompt.get("kind")
    if kind != "text":
        prompt.pop("word_limit", None)
    if kind != "file":
        prompt.pop("file_kinds", None)
        prompt.pop("max_files", None)


def _cross_check(doc: dict) -> dict[str, str]:
    """The rules a JSON Schema cannot say: unique keys, references between template and rubric, level order."""
    errors: dict[str, str] = {}
    parts = doc["template"]["parts"]
    _unique(errors, parts, ["template", "parts"], "part")
    part_keys = {p["key"] for p in parts}
    prompt_paths = [
        (["template", "parts", i, "prompts", j], p)
        for i, part in enumerate(parts)
        for j, p in enumerate(part["prompts"])
    ]
    seen: set[str] = set()
    for path, prompt in prompt_paths:
        if prompt["key"] in seen:
            errors[field_path([*path, "key"])] = f"Another prompt already uses the key {prompt['key']!r}."
        seen.add(prompt["key"])
    criteria = doc["rubric"]["criteria"]
    _unique(errors, criteria, ["rubric", "criteria"], "criterion")
    top = 0.0
    for i, criterion in enumerate(criteria):
        path = ["rubric", "criteria", i]
        if criterion["part"] not in part_keys:
            errors[field_path([*path, "part"])] = (
                f"Tie this criterion to one of the template's parts ({', '.join(sorted(part_keys))})."
            )
        levels = criterion["levels"]
        _unique(errors, levels, [*path, "levels"], "level")
        if criterion["required_level"] not in {level["key"] for level in levels}:
            errors[field_path([*path, "required_level"])] = (
                "Choose the required level from this criterion's own levels."
            )
        for j in range(1, len(levels)):
            if levels[j]["points"] < levels[j - 1]["points"]:
                errors[field_path([*path, "levels", j, "points"])] = (
                    "Levels go from lowest to highest: give this level at least as many points as the one before."
                )
        top += max(level["points"] for level in levels)
    rule = doc["rubric"]["decision_rule"]
    if rule["kind"] == "every_criterion_or_points" and rule["min_points"] > top:
        errors["rubric.decision_rule.min_points"] = (
            f"No submission can reach {rule['min_points']:g} points: the rubric's maximum is {top:g}."
        )
    return errors


def _unique(errors: dict, items: list, path: list, noun: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["key"] in seen:
            errors[field_path([*path, i, "key"])] = f"Another {noun} here already uses the key {item['key']!r}."
        seen.add(item["key"])


def _describe(error: ValidationError) -> tuple[str, str]:
    """A field path and a sentence that says what to fix."""
    parts = list(error.absolute_path)
    value, kind = error.validator_value, error.validator
    name = str(parts[-1]) if parts else ""
    if kind == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        field = missing.group(1) if missing else "?"
        path = field_path([*parts, field])
        return path, when_empty(path)
    if kind == "minLength":
        if value <= 1 or error.instance == "":
            return field_path(parts), when_empty(field_path(parts))
        return field_path(parts), f"Too short: use at least {value} characters."
    if kind == "maxLength":
        return field_path(parts), f"Too long: use at most {value:,} characters."
    if kind == "pattern":
        if name in ("slug", "key", "part", "required_level"):
            message = "Use lower-case letters and digits, with single hyphens between words (like exit-tickets)."
        elif name == "image":
            message = "Give the image as a data:image/png or data:image/svg+xml base64 URI."
        else:
            message = "Enter a web address starting with https://."
        return field_path(parts), message
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = {
            "minimum": "of at least",
            "exclusiveMinimum": "greater than",
            "maximum": "of at most",
            "exclusiveMaximum": "less than",
        }[kind]
        return field_path(parts), f"Use a number {bound} {value:g}."
    if kind == "type":
        wanted = value if isinstance(value, list) else [value]
        text = {
            "integer": "a whole number",
            "number": "a number",
            "string": "text",
            "array": "a list",
            "object": "a group of fields",
            "boolean": "yes or no",
            "null": "nothing",
        }
        return field_path(parts), f"Enter {' or '.join(text.get(w, w) for w in wanted)}."
    if kind == "enum":
        return field_path(parts), f"Choose one of: {', '.join(str(v) for v in value)}."
    if kind == "const":
        return field_path(parts), f"Must be {value!r}."
    if kind == "minItems":
        if value == 1:
            return field_path(parts), when_empty(field_path(parts), "Add at least one.")
        return field_path(parts), f"Add at least {value}."
    if kind == "maxItems":
        return field_path(parts), f"Use at most {value}."
    if kind == "uniqueItems":
        return field_path(parts), "Remove the duplicates."
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return field_path(parts), f"Unknown field{'s' if len(extra) > 1 else ''}: {', '.join(extra)}."
    if kind == "oneOf" and name == "decision_rule":
        return field_path(parts), (
            "Choose a decision rule: every_criterion, or every_criterion_or_points with min_points above 0."
        )
    return field_path(parts), error.message
