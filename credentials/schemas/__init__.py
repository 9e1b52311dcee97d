"""The JSON Schemas of the documents that cross microcred's boundary, shipped inside the package (so an installed
wheel has them), and the one place code finds them: ``load_schema(VERIFICATION_REPORT)``. A leaf: it imports nothing
of credentials/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MICROCREDENTIAL = "microcredential.schema.json"
# 1EdTech's schema for an OB 3.0 AchievementCredential, unchanged.
OB_ACHIEVEMENT_CREDENTIAL = "ob_v3p0_achievementcredential_schema.json"
VERIFICATION_REPORT = "verification-report.schema.json"
SCHEMAS = (MICROCREDENTIAL, OB_ACHIEVEMENT_CREDENTIAL, VERIFICATION_REPORT)

DIRECTORY = Path(__file__).resolve().parent


def schema_path(name: str) -> Path:
    """Where the schema ``name`` (one of ``SCHEMAS``) is; LookupError for any other name."""
    if name not in SCHEMAS:
        raise LookupError(f"{name!r} is not one of microcred's schemas: {', '.join(SCHEMAS)}")
    return DIRECTORY / name


def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (a new copy on each call: callers cache what they build from it)."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))
