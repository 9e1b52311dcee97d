"""The draft editor's form, which works without JavaScript.

Every input is named by its field path in the definition (``rubric.criteria[0].levels[1].name``), so the form is a
direct picture of the JSON document, and the schema's errors, which carry the same paths, land beside their fields.
Buttons named ``action`` add, remove or move rows (``add:rubric.criteria``, ``remove:research[2]``,
``up:template.parts[1]``) and re-show the form; only "Save draft" writes anything.
"""

from __future__ import annotations

import copy
import re

from werkzeug.datastructures import MultiDict

_TOKEN = re.compile(r"\.?([a-z_]+)|\[(\d{1,3})\]")
_INTEGERS = {
    "validity_months",
    "reviewers_required",
    "max_attempts",
    "review_turnaround_days",
    "word_limit",
    "max_files",
}
_NUMBERS = {"credit_hours", "points", "min_points"}
_LINES = {"components"}
_COMMAS = {"tags", "subject_areas"}
_CHOICES = {"grade_bands", "file_kinds"}
_SKIP = object()
_NOT_FIELDS = {"csrf_token", "action", "image", "remove_image"}
_LIST_FIELDS = ("research", "resources", "alignments", "grade_bands", "tags", "subject_areas")
DEFAULT_LEVELS = (("not-yet", "Not yet", 0), ("proficient", "Proficient", 2), ("exemplary", "Exemplary", 3))


def blank_definition() -> dict:
    """A new micro-credential's starting point: the usual three parts and one criterion with three levels."""
    parts = [
        {
            "key": "overview",
            "title": "Overview questions",
            "instructions": "",
            "prompts": [_blank_prompt("overview-1")],
        },
        {
            "key": "artifacts",
            "title": "Classroom artifacts",
            "instructions": "",
            "prompts": [
                {**_blank_prompt("artifacts-1"), "kind": "file", "file_kinds": ["pdf", "image"], "max_files": 3}
            ],
        },
        {"key": "reflection", "title": "Reflection", "instructions": "", "prompts": [_blank_prompt("reflection-1")]},
    ]
    return {
        "slug": "",
        "title": "",
        "summary": "",
        "competency": "",
        "key_method": {"description": "", "components": []},
        "research": [],
        "resources": [],
        "tags": [],
        "subject_areas": [],
        "grade_bands": [],
        "alignments": [],
        "credit_hours": "",
        "validity_months": None,
        "reviewers_required": 1,
        "max_attempts": 3,
        "review_turnaround_days": 10,
        "template": {"parts": parts},
        "rubric": {
            "criteria": [_blank_criterion("criterion-1", "artifacts", None)],
            "decision_rule": {"kind": "every_criterion"},
        },
    }


def parse_form(form: MultiDict) -> dict:
    """The definition the form describes. Values that are not numbers stay text, so the schema can say so."""
    doc: dict = {}
    for name in form:
        tokens = _tokens(name)
        if not tokens:
            continue
        leaf = tokens[-1]
        value = form.getlist(name) if leaf in _CHOICES else _coerce(leaf, form.get(name, ""))
        if value is not _SKIP:
            _assign(doc, tokens, value)
    doc = _listify(doc)
    for name in _LIST_FIELDS:  # a list whose last row was removed sends no fields at all
        doc.setdefault(name, [])
    for part in doc.get("template", {}).get("parts", []):
        for prompt in part.get("prompts", []):
            prompt["required"] = prompt.get("required") == "yes"
            if prompt.get("kind") == "file":
                prompt.setdefault("file_kinds", [])
    return doc


def apply_action(doc: dict, action: str) -> tuple[dict, str]:
    """Add, remove or move one row; returns the new document and a sentence saying what happened."""
    verb, _, path = action.partition(":")
    tokens = _tokens(path)
    doc = copy.deepcopy(doc)
    if verb == "add" and tokens and isinstance(tokens[-1], str):
        items = _container(doc, tokens)
        if items is None:
            return doc, "Nothing was changed."
        items.append(_new_item(doc, tokens, items))
        return doc, "Added a row at the end. Nothing is saved until you choose “Save draft”."
    if verb in ("remove", "up") and tokens and isinstance(tokens[-1], int):
        items = _container(doc, tokens[:-1])
        index = tokens[-1]
        if items is None or index >= len(items):
            return doc, "Nothing was changed."
        if verb == "remove":
            items.pop(index)
            return doc, "Removed the row. Nothing is saved until you choose “Save draft”."
        if index > 0:
            items[index - 1], items[index] = items[index], items[index - 1]
        return doc, "Moved the row up. Nothing is saved until you choose “Save draft”."
    return doc, "Nothing was changed."


def _blank_prompt(key: str) -> dict:
    return {"key": key, "kind": "text", "label": "", "help": "", "required": True, "word_limit": 300}


def _blank_criterion(key: str, part: str, like: dict | None) -> dict:
    levels = (
        [{**level, "description": ""} for level in like["levels"]]
        if like
        else [{"key": k, "name": n, "description": "", "points": p} for k, n, p in DEFAULT_LEVELS]
    )
    required = like["required_level"] if like else "proficient"
    return {"key": key, "name": "", "description": "", "part": part, "levels": levels, "required_level": required}


def _new_item(doc: dict, tokens: list, items: list) -> dict:
    field = tokens[-1]
    if field == "research":
        return {"citation": "", "summary": "", "url": ""}
    if field == "resources":
        return {"title": "", "url": ""}
    if field == "alignments":
        return {"name": "", "url": "", "code": "", "framework": ""}
    if field == "parts":
        key = _fresh(doc, "part")
        return {"key": key, "title": "", "instructions": "", "prompts": [_blank_prompt(_fresh(doc, "prompt"))]}
    if field == "prompts":
        return _blank_prompt(_fresh(doc, "prompt"))
    if field == "criteria":
        parts = doc.get("template", {}).get("parts") or [{"key": ""}]
        return _blank_criterion(_fresh(doc, "criterion"), parts[0].get("key", ""), items[-1] if items else None)
    if field == "levels":
        top = max(
            (level.get("points", 0) for level in items if isinstance(level.get("points"), int | float)), default=-1
        )
        return {"key": _fresh(doc, "level"), "name": "", "description": "", "points": top + 1}
    return {}


def _fresh(doc: dict, prefix: str) -> str:
    used = set(_keys(doc))
    n = 1
    while f"{prefix}-{n}" in used:
        n += 1
    return f"{prefix}-{n}"


def _keys(node):
    if isinstance(node, dict):
        if isinstance(node.get("key"), str):
            yield node["key"]
        for value in node.values():
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def _tokens(name: str) -> list | None:
    tokens, position = [], 0
    while position < len(name):
        match = _TOKEN.match(name, position)
        if not match or match.end() == position:
            return None
        tokens.append(match.group(1) if match.group(1) else int(match.group(2)))
        position = match.end()
    return tokens if tokens and isinstance(tokens[0], str) and name not in _NOT_FIELDS else None


def _coerce(leaf: str, raw: str):
    text = raw.strip()
    if leaf in _INTEGERS:
        if not text:
            return None if leaf == "validity_months" else _SKIP
        return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text
    if leaf in _NUMBERS:
        if not text:
            return _SKIP
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    if leaf in _LINES:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if leaf in _COMMAS:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def _assign(doc: dict, tokens: list, value) -> None:
    node = doc
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
        if not isinstance(node, dict):
            return
    node[tokens[-1]] = value


def _listify(node):
    if isinstance(node, dict):
        if node and all(isinstance(k, int) for k in node):
            return [_listify(node[k]) for k in sorted(node)]
        return {k: _listify(v) for k, v in node.items()}
    return node


def _container(doc: dict, tokens: list) -> list | None:
    node = doc
    for token in tokens:
        if isinstance(token, int):
            if not isinstance(node, list) or token >= len(node):
                return None
            node = node[token]
        else:
            if not isinstance(node, dict):
                return None
            node = node.setdefault(token, [])
    return node if isinstance(node, list) else None
