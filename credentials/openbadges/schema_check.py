"""Checks a credential against the official OB 3.0 AchievementCredential JSON Schema (Draft 2019-09).

The schema (``credentials/schemas/``) is 1EdTech's, unchanged. Every credential we build is checked before it is signed;
verification runs the same check on credentials from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jsonschema import Draft201909Validator

from ..schemas import OB_ACHIEVEMENT_CREDENTIAL, load_schema

MAX_PROBLEMS = 20


@dataclass(frozen=True)
class SchemaProblem:
    """One way a document breaks the schema: where (a JSON path such as ``credentialSubject.result[0]``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CredentialSchemaError(ValueError):
    """A credential does not follow the OB 3.0 schema; ``problems`` lists each place."""

    def __init__(self, problems: list[SchemaProblem]):
        self.problems = problems
        super().__init__("credential does not follow the OB 3.0 schema: " + "; ".join(map(str, problems[:5])))


@cache
def _validator() -> Draft201909Validator:
    schema = load_schema(OB_ACHIEVEMENT_CREDENTIAL)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_problems(document: object) -> list[SchemaProblem]:
    """Every schema violation in ``document`` (at most MAX_PROBLEMS), most specific first."""
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: (list(e.absolute_path), e.message)):
        problems.append(SchemaProblem(_json_path(error.absolute_path), _short(error.message)))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def require_valid(document: object) -> None:
    """Raise ``CredentialSchemaError`` unless ``document`` follows the OB 3.0 AchievementCredential schema."""
    problems = schema_problems(document)
    if problems:
        raise CredentialSchemaError(problems)


def _json_path(parts) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(document)"


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."
