"""How deeply the JSON a verifier reads may nest: one limit for every credential, token part and fetched document.

Python's JSON parser, the JSON Schema validator, the JSON-LD canonicalizer and ``copy.deepcopy`` all recurse once
(or several times) per level, so a document nested a thousand levels deep raises ``RecursionError`` somewhere down
the line, or parses in one place and breaks in the next. Refusing it where it is read keeps every later step safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable

# A credential nests about eight levels (credentialSubject.achievement.resultDescription[].rubricCriterionLevel[]...);
# 32 leaves room for any sound document, and the steps after reading stay far from Python's recursion limit.
MAX_JSON_DEPTH = 32


class JsonTooDeep(ValueError):
    """JSON nested more than ``MAX_JSON_DEPTH`` levels; the message completes a sentence about the document."""

    def __init__(self) -> None:
        super().__init__(f"is nested more than {MAX_JSON_DEPTH} levels deep, which this verifier does not read")


def load_json(data: str | bytes, *, parse: Callable[[str | bytes], object] = json.loads) -> object:
    """``parse(data)`` (``json.loads`` unless given), refused with ``JsonTooDeep`` when nested too deeply; the
    parser's own errors (``ValueError`` for ``json.loads``) pass through."""
    try:
        value = parse(data)
    except RecursionError:
        raise JsonTooDeep() from None
    check_depth(value)
    return value


def check_depth(value: object) -> None:
    """``JsonTooDeep`` when the parsed JSON ``value`` nests more than ``MAX_JSON_DEPTH`` arrays and objects."""
    # Iterative on purpose: a recursive walk would fail on exactly the values it is meant to refuse.
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth == MAX_JSON_DEPTH:
            raise JsonTooDeep()
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list | tuple))
