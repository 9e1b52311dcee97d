"""The public catalog: search published micro-credentials, find the public version of one, and its badge image.

Drafts are never public. A search runs the same four statements whatever the size of the catalog: the count, the
page, the facets of the page's items, and the filter options; for a signed-in teacher two more say where they stand
with each micro-credential on the page (their attempts and their credentials).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...storage.models import Attempt, CatalogFacet, MicroCredential, MicroCredentialVersion
from ...storage.models.catalog import DRAFT, PUBLISHED
from ...storage.models.issuance import IssuedCredential
from ..errors import NotFound
from ..portfolio.statuses import EARNED, OPEN_STATUSES
from .microcredential_page import (
    EARNED_STANDING,
    IN_PROGRESS,
    REVOKED_STANDING,
    MicroCredentialPage,
    Standing,
    VersionRef,
    describe_version,
    grade_band_order,
)
from .microcredentials import BadgeFile, badge_file

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10


@dataclass(frozen=True)
class CreditBand:
    """A range of credit hours to filter on: more than ``above`` and at most ``up_to`` (no limit when None)."""

    key: str
    label: str
    above: float
    up_to: float | None


CREDIT_BANDS = (
    CreditBand("up-to-10", "Up to 10 hours", 0, 10),
    CreditBand("10-20", "Over 10, up to 20 hours", 10, 20),
    CreditBand("20-40", "Over 20, up to 40 hours", 20, 40),
    CreditBand("over-40", "Over 40 hours", 40, None),
)
_BANDS = {band.key: band for band in CREDIT_BANDS}


@dataclass(frozen=True)
class CatalogQuery:
    """What a visitor asked for. Empty strings mean "any"; an unknown credit band is ignored."""

    text: str = ""
    tag: str = ""
    subject: str = ""
    grade_band: str = ""
    credits: str = ""  # a CreditBand key
    page: int = 1
    per_page: int = 20

    @property
    def words(self) -> list[str]:
        """The lower-cased words that must all appear in a micro-credential's search text."""
        return self.text[:MAX_QUERY_LENGTH].lower().split()[:MAX_WORDS]

    @property
    def facets(self) -> list[tuple[str, str]]:
        """The (kind, value) facet filters asked for."""
        wanted = (("tag", self.tag), ("subject", self.subject), ("grade_band", self.grade_band))
        return [(kind, value) for kind, value in wanted if value]

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the catalog down."""
        return bool(self.words or self.facets or self.credits in _BANDS)


@dataclass(frozen=True)
class CatalogItem:
    """One published micro-credential in the results. ``image_sha256`` is None when its badge is drawn for it."""

    slug: str
    title: str
    summary: str
    credit_hours: float
    number: int
    published_at: datetime | None
    image_sha256: str | None
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    grade_bands: tuple[str, ...]
    mine: Standing | None = None  # the signed-in teacher's standing with it


@dataclass(frozen=True)
class FilterOption:
    """A value to filter on and how many results choosing it would give (with the other filters kept)."""

    value: str
    count: int


@dataclass(frozen=True)
class FilterOptions:
    """The tags, subjects and grade bands of the published micro-credentials, and the credit bands."""

    tags: list[FilterOption] = field(default_factory=list)
    subjects: list[FilterOption] = field(default_factory=list)
    grade_bands: list[FilterOption] = field(default_factory=list)
    credit_bands: tuple[CreditBand, ...] = CREDIT_BANDS


@dataclass(frozen=True)
class CatalogPage:
    """One page of results, the total, and the filter options."""

    items: list[CatalogItem]
    total: int
    page: int
    per_page: int
    options: FilterOptions
    query: CatalogQuery

    @property
    def pages(self) -> int:
        """How many pages the results fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def search_catalog(session: Session, query: CatalogQuery, teacher_id: int | None = None) -> CatalogPage:
    """One page of published micro-credentials matching ``query``, by title, in at most four statements (six when
    ``teacher_id`` asks where that teacher stands with each)."""
    v = MicroCredentialVersion
    per_page = min(max(1, query.per_page), 100)
    conditions = [*_version_conditions(query), *(_has_facet(kind, value) for kind, value in query.facets)]
    total = session.scalar(select(func.count()).select_from(v).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, query.page), pages)
    rows = session.execute(
        select(
            v.id,
            v.microcredential_id,
            MicroCredential.slug,
            v.title,
            v.summary,
            v.credit_hours,
            v.number,
            v.published_at,
            v.image_sha256,
        )
        .join(MicroCredential, MicroCredential.id == v.microcredential_id)
        .where(*conditions)
        .order_by(v.title, MicroCredential.slug)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    facets: dict[tuple[int, str], list[str]] = {}
    if rows:
        for version_id, kind, value in session.execute(
            select(CatalogFacet.version_id, CatalogFacet.kind, CatalogFacet.value)
            .where(CatalogFacet.version_id.in_([row.id for row in rows]))
            .order_by(CatalogFacet.value)
        ):
            facets.setdefault((version_id, kind), []).append(value)
    standings = teacher_standings(session, teacher_id, [row.microcredential_id for row in rows]) if teacher_id else {}
    items = [
        CatalogItem(
            slug=row.slug,
            title=row.title,
            summary=row.summary,
            credit_hours=row.credit_hours,
            number=row.number,
            published_at=row.published_at,
            image_sha256=row.image_sha256,
            tags=tuple(facets.get((row.id, "tag"), ())),
            subjects=tuple(facets.get((row.id, "subject"), ())),
            grade_bands=tuple(sorted(facets.get((row.id, "grade_band"), ()), key=grade_band_order)),
            mine=standings.get(row.microcredential_id),
        )
        for row in rows
    ]
    return CatalogPage(items, total, page, per_page, _filter_options(session, query), query)


def _version_conditions(query: CatalogQuery) -> list[ColumnElement[bool]]:
    """Published, containing every word, within the credit band."""
    v = MicroCredentialVersion
    conditions: list[ColumnElement[bool]] = [v.status == PUBLISHED]
    # search_text is stored lower-cased (by Python, as the words are), so a plain LIKE is case-insensitive.
    conditions += [v.search_text.contains(word, autoescape=True) for word in query.words]
    band = _BANDS.get(query.credits)
    if band is not None:
        conditions.append(v.credit_hours > band.above)
        if band.up_to is not None:
            conditions.append(v.credit_hours <= band.up_to)
    return conditions


def _has_facet(kind: str, value: str) -> ColumnElement[bool]:
    facet = aliased(CatalogFacet)
    return exists().where(facet.version_id == MicroCredentialVersion.id, facet.kind == kind, facet.value == value)


def _filter_options(session: Session, query: CatalogQuery) -> FilterOptions:
    """Every facet value of the matching versions, counted as if it were chosen instead of its kind's filter."""
    f, v = CatalogFacet, MicroCredentialVersion
    others = [or_(f.kind == kind, _has_facet(kind, value)) for kind, value in query.facets]
    counted = session.execute(
        select(f.kind, f.value, func.count())
        .join(v, v.id == f.version_id)
        .where(and_(*_version_conditions(query), *others))
        .group_by(f.kind, f.value)
    ).all()
    by_kind: dict[str, dict[str, int]] = {"tag": {}, "subject": {}, "grade_band": {}}
    for kind, value, count in counted:
        by_kind[kind][value] = count
    for kind, value in query.facets:  # a chosen value stays in its list even when nothing matches now
        by_kind[kind].setdefault(value, 0)

    def options(kind: str, key) -> list[FilterOption]:
        return [FilterOption(value, count) for value, count in sorted(by_kind[kind].items(), key=key)]

    return FilterOptions(
        tags=options("tag", lambda item: (item[0].casefold(), item[0])),
        subjects=options("subject", lambda item: (item[0].casefold(), item[0])),
        grade_bands=options("grade_band", lambda item: (grade_band_order(item[0]), item[0])),
    )


def catalog_page_for(
    session: Session, slug: str, version: int | None = None, teacher_id: int | None = None
) -> MicroCredentialPage:
    """The public page of a micro-credential: its current version, or version ``version``; never a draft. With
    ``teacher_id``, the page also says where that teacher stands with it."""
    history = _public_history(session, slug)
    chosen = _choose(history, slug, version)
    row = session.get(MicroCredentialVersion, chosen[0])
    page = describe_version(row, [ref for _, ref in history])
    if teacher_id is None:
        return page
    mine = teacher_standings(session, teacher_id, [row.microcredential_id]).get(row.microcredential_id)
    return dataclasses.replace(page, mine=mine)


def teacher_standings(session: Session, teacher_id: int, microcredential_ids: list[int]) -> dict[int, Standing]:
    """Where the teacher stands with each of these micro-credentials (by id), in two statements whatever their number:
    in progress with an open attempt; otherwise earned when they hold a credential that is not revoked or their latest
    attempt was earned (its credential may still be on its way). Micro-credentials they have not begun are left out."""
    if not microcredential_ids:
        return {}
    latest: dict[int, tuple[int, str]] = {}
    for attempt_id, microcredential_id, status in session.execute(
        select(Attempt.id, Attempt.microcredential_id, Attempt.status)
        .where(Attempt.teacher_id == teacher_id, Attempt.microcredential_id.in_(microcredential_ids))
        .order_by(Attempt.number)
    ):
        latest[microcredential_id] = (attempt_id, status)
    held: dict[int, str] = {}
    revoked: set[int] = set()  # micro-credentials whose latest attempt's credential was revoked
    for uuid, microcredential_id, attempt_id, revoked_at in session.execute(
        select(
            IssuedCredential.uuid,
            MicroCredentialVersion.microcredential_id,
            IssuedCredential.attempt_id,
            IssuedCredential.revoked_at,
        )
        .join(MicroCredentialVersion, MicroCredentialVersion.id == IssuedCredential.version_id)
        .where(
            IssuedCredential.recipient_id == teacher_id,
            MicroCredentialVersion.microcredential_id.in_(microcredential_ids),
        )
        .order_by(IssuedCredential.awarded_at, IssuedCredential.id)
    ):
        if revoked_at is None:
            held[microcredential_id] = uuid  # the newest wins
        elif attempt_id is not None and latest.get(microcredential_id, (None,))[0] == attempt_id:
            revoked.add(microcredential_id)
    standings = {}
    for microcredential_id in microcredential_ids:
        attempt_id, status = latest.get(microcredential_id, (None, None))
        if status in OPEN_STATUSES:
            standings[microcredential_id] = Standing(IN_PROGRESS, attempt_id=attempt_id)
        elif microcredential_id in held:
            standings[microcredential_id] = Standing(EARNED_STANDING, credential_uuid=held[microcredential_id])
        elif microcredential_id in revoked:
            # Earned, then revoked: starting again is not open to them (start_attempt refuses), so say why instead.
            standings[microcredential_id] = Standing(REVOKED_STANDING, attempt_id=attempt_id)
        elif status == EARNED:
            standings[microcredential_id] = Standing(EARNED_STANDING)  # its credential is on its way
    return standings


def public_badge(session: Session, slug: str, version: int | None = None) -> BadgeFile:
    """The badge of a public version: its uploaded image, or one drawn from its title."""
    v = MicroCredentialVersion
    version_id, _ = _choose(_public_history(session, slug), slug, version)
    title, credit_hours, sha = session.execute(
        select(v.title, v.credit_hours, v.image_sha256).where(v.id == version_id)
    ).one()
    return badge_file(session, slug=slug, title=title, credit_hours=credit_hours, image_sha256=sha)


def _public_history(session: Session, slug: str) -> list[tuple[int, VersionRef]]:
    v = MicroCredentialVersion
    rows = session.execute(
        select(v.id, v.number, v.status, v.published_at, v.retired_at)
        .join(MicroCredential, MicroCredential.id == v.microcredential_id)
        .where(MicroCredential.slug == slug, v.status != DRAFT)
        .order_by(v.number)
    ).all()
    if not rows:
        raise NotFound(f"There is no micro-credential at /microcredentials/{slug}.")
    return [(row.id, VersionRef(row.number, row.status, row.published_at, row.retired_at)) for row in rows]


def _choose(history: list[tuple[int, VersionRef]], slug: str, number: int | None) -> tuple[int, VersionRef]:
    """The asked-for version, else the published one, else (retired altogether) the newest."""
    if number is None:
        return next((item for item in history if item[1].status == PUBLISHED), history[-1])
    for item in history:
        if item[1].number == number:
            return item
    raise NotFound(f"{slug} has no public version {number}.")
