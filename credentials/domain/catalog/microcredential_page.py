"""What the page of one micro-credential version shows, as plain data: facts, the submission template and the
rubric laid out as a table. Public pages and the admin's draft previews both render a ``MicroCredentialPage``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ...storage.models import MicroCredentialVersion
from ...storage.models.catalog import PUBLISHED, RETIRED
from .definitions import FILE_KINDS, GRADE_BANDS, PROMPT_KINDS


@dataclass(frozen=True)
class VersionRef:
    """A version as the history list shows it."""

    number: int
    status: str
    published_at: datetime | None
    retired_at: datetime | None


EARNED_STANDING = "earned"
IN_PROGRESS = "in_progress"
REVOKED_STANDING = "revoked"


@dataclass(frozen=True)
class Standing:
    """Where a teacher stands with a micro-credential: earned (with the page of the credential once it is issued),
    in progress (with the open attempt), or earned and then revoked (with that attempt)."""

    state: str
    attempt_id: int | None = None
    credential_uuid: str | None = None

    @property
    def label(self) -> str:
        """The words of the badge the catalog shows."""
        return {EARNED_STANDING: "Earned", IN_PROGRESS: "In progress", REVOKED_STANDING: "Revoked"}[self.state]


@dataclass(frozen=True)
class TemplatePrompt:
    """One prompt of the submission template, with its kind and limits in words."""

    label: str
    help: str
    kind: str
    kind_label: str
    required: bool
    limits: str


@dataclass(frozen=True)
class TemplatePart:
    """One part of the submission template and the rubric criteria that score it."""

    key: str
    title: str
    instructions: str
    prompts: tuple[TemplatePrompt, ...]
    scored_by: tuple[str, ...]


@dataclass(frozen=True)
class RubricCell:
    """One performance level of one criterion."""

    name: str
    description: str
    points: float
    required: bool
    meets: bool


@dataclass(frozen=True)
class RubricRow:
    """One criterion: its levels from lowest to highest, padded with None to the table's width."""

    name: str
    description: str
    part_title: str
    required_level: str
    cells: tuple[RubricCell | None, ...]


@dataclass(frozen=True)
class RubricTable:
    """The rubric with criteria as rows and levels as columns, and the decision rule in words.

    ``shared_levels`` is True when every criterion has the same level names, which then head the columns; otherwise
    the columns are numbered and each cell names its own level.
    """

    columns: tuple[str, ...]
    shared_levels: bool
    rows: tuple[RubricRow, ...]
    max_points: float
    decision_rule: str


@dataclass(frozen=True)
class MicroCredentialPage:
    """Everything the page of one version shows; ``definition`` is the stored document."""

    slug: str
    number: int
    status: str
    published_at: datetime | None
    retired_at: datetime | None
    definition: dict
    image_sha256: str | None
    parts: tuple[TemplatePart, ...]
    rubric: RubricTable
    grade_bands: tuple[str, ...]
    history: tuple[VersionRef, ...]
    replaced_by: VersionRef | None  # the next public version, when this one was replaced
    current: VersionRef | None  # the version offered for new attempts, if any
    mine: Standing | None = None  # the signed-in teacher's standing with it, when asked for

    @property
    def title(self) -> str:
        """The version's title."""
        return self.definition["title"]

    @property
    def is_current(self) -> bool:
        """True for the version offered for new attempts."""
        return self.status == PUBLISHED

    @property
    def is_retired(self) -> bool:
        """True for a version that takes no new attempts."""
        return self.status == RETIRED

    @property
    def newer_version_exists(self) -> bool:
        """True when a later public version replaced this one."""
        return self.replaced_by is not None


def describe_version(version: MicroCredentialVersion, history: Sequence[VersionRef] = ()) -> MicroCredentialPage:
    """The page of ``version`` (any status, drafts too for previews); ``history`` lists the public versions."""
    doc = version.definition
    history = tuple(sorted(history, key=lambda ref: ref.number))
    later = [ref for ref in history if ref.number > version.number]
    return MicroCredentialPage(
        slug=version.microcredential.slug,
        number=version.number,
        status=version.status,
        published_at=version.published_at,
        retired_at=version.retired_at,
        definition=doc,
        image_sha256=version.image_sha256,
        parts=_template_parts(doc),
        rubric=rubric_table(doc),
        grade_bands=tuple(sorted(doc["grade_bands"], key=grade_band_order)),
        history=history,
        replaced_by=later[0] if later and version.status == RETIRED else None,
        current=next((ref for ref in history if ref.status == PUBLISHED), None),
    )


def rubric_table(doc: dict) -> RubricTable:
    """The rubric of a definition as a table, with the decision rule in a sentence."""
    criteria = doc["rubric"]["criteria"]
    width = max(len(c["levels"]) for c in criteria)
    names = {tuple(level["name"].casefold() for level in c["levels"]) for c in criteria}
    shared = len(names) == 1
    columns = (
        tuple(level["name"] for level in criteria[0]["levels"])
        if shared
        else tuple(f"Level {n}" for n in range(1, width + 1))
    )
    part_titles = {part["key"]: part["title"] for part in doc["template"]["parts"]}
    rows = []
    for criterion in criteria:
        keys = [level["key"] for level in criterion["levels"]]
        required_at = keys.index(criterion["required_level"])
        cells: list[RubricCell | None] = [
            RubricCell(
                name=level["name"],
                description=level["description"],
                points=level["points"],
                required=i == required_at,
                meets=i >= required_at,
            )
            for i, level in enumerate(criterion["levels"])
        ]
        rows.append(
            RubricRow(
                name=criterion["name"],
                description=criterion["description"],
                part_title=part_titles.get(criterion["part"], criterion["part"]),
                required_level=criterion["levels"][required_at]["name"],
                cells=tuple(cells + [None] * (width - len(cells))),
            )
        )
    top = sum(max(level["points"] for level in c["levels"]) for c in criteria)
    return RubricTable(
        columns=columns,
        shared_levels=shared,
        rows=tuple(rows),
        max_points=top,
        decision_rule=_decision_rule(doc["rubric"]["decision_rule"], top),
    )


def _decision_rule(rule: dict, top: float) -> str:
    every = "every criterion reaches its required level (marked “Required level”)"
    if rule["kind"] == "every_criterion_or_points":
        return (
            f"A submission earns the micro-credential when {every}, or when its points add up to at least "
            f"{rule['min_points']:g} of the {top:g} available."
        )
    return f"A submission earns the micro-credential only when {every}; points alone are not enough."


def _template_parts(doc: dict) -> tuple[TemplatePart, ...]:
    criteria = doc["rubric"]["criteria"]
    return tuple(
        TemplatePart(
            key=part["key"],
            title=part["title"],
            instructions=part.get("instructions", ""),
            prompts=tuple(_prompt(p) for p in part["prompts"]),
            scored_by=tuple(c["name"] for c in criteria if c["part"] == part["key"]),
        )
        for part in doc["template"]["parts"]
    )


def _prompt(prompt: dict) -> TemplatePrompt:
    kind = prompt["kind"]
    if kind == "text":
        limits = f"Up to {prompt['word_limit']:,} words"
    elif kind == "file":
        count = prompt["max_files"]
        kinds = ", ".join(FILE_KINDS.get(k, k) for k in prompt["file_kinds"])
        limits = f"Up to {count} file{'s' if count != 1 else ''}: {kinds}"
    else:
        limits = "One web address"
    return TemplatePrompt(
        label=prompt["label"],
        help=prompt.get("help", ""),
        kind=kind,
        kind_label=PROMPT_KINDS.get(kind, kind),
        required=bool(prompt["required"]),
        limits=limits,
    )


def grade_band_order(band: str) -> int:
    """Where a grade band sorts: youngest first, unknown bands last."""
    return GRADE_BANDS.index(band) if band in GRADE_BANDS else len(GRADE_BANDS)
