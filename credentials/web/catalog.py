"""The public catalog: browse and search published micro-credentials, and read one in full."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from ..domain.catalog.definitions import GRADE_BANDS
from ..domain.catalog.search_page import CREDIT_BANDS, CatalogQuery, catalog_page_for, public_badge, search_catalog
from ..domain.mentoring.pages import mentors_section
from ..domain.people.roles import TEACHER
from .forms import page_number
from .transaction import db, now

bp = Blueprint("catalog", __name__)

# An image is data, never a document: no script, no outside fetches, sandboxed even when opened on its own.
BADGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
SEARCH_PARAMS = ("q", "tag", "subject", "grade", "credits")


@bp.get("/microcredentials")
def list_microcredentials():
    raw = {name: request.args.get(name, "").strip() for name in SEARCH_PARAMS}
    query = CatalogQuery(
        text=raw["q"][:200],
        tag=raw["tag"][:60],
        subject=raw["subject"][:60],
        grade_band=raw["grade"] if raw["grade"] in GRADE_BANDS else "",
        credits=raw["credits"] if raw["credits"] in {band.key for band in CREDIT_BANDS} else "",
        page=page_number(),
    )
    result = search_catalog(db(), query, teacher_id=_teacher_id())
    return render_template("catalog/list.html", result=result, query=query, args=_search_args(query))


@bp.get("/microcredentials/<slug>")
def show_microcredential(slug: str):
    page = catalog_page_for(db(), slug, _version_asked(), teacher_id=_teacher_id())
    # Issue 18: the mentors for a signed-in teacher (a second domain call, for a section of its own).
    mentors = mentors_section(db(), slug, current_user, now()) if _teacher_id() is not None else None
    return render_template("catalog/detail.html", page=page, is_teacher=_teacher_id() is not None, mentors=mentors)


@bp.get("/microcredentials/<slug>/badge")
def badge(slug: str):
    image = public_badge(db(), slug, _version_asked())
    response = Response(image.data, mimetype=image.media_type)
    response.headers["Content-Security-Policy"] = BADGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.set_etag(image.etag)
    return response.make_conditional(request)


def _teacher_id() -> int | None:
    """The signed-in teacher's id, for the pages to say where they stand; None for anyone else."""
    if current_user.is_authenticated and TEACHER in current_user.roles:
        return current_user.id
    return None


def _search_args(query: CatalogQuery) -> dict[str, str]:
    """The query string of a search, for links to its other pages."""
    pairs = zip(SEARCH_PARAMS, (query.text, query.tag, query.subject, query.grade_band, query.credits), strict=True)
    return {name: value for name, value in pairs if value}


def _version_asked() -> int | None:
    """The ``version`` query parameter; 404 when it is there but not a version number."""
    raw = request.args.get("version")
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        abort(404)
    return int(raw)
