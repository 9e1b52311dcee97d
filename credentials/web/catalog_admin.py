"""Issuer admins define micro-credentials: drafts, preview, publish, retire, history and differences."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..domain.audit import Actor
from ..domain.catalog import admin_page, definitions, microcredentials, preview_page, publish_page, transfer
from ..domain.catalog.diff import diff_versions
from ..domain.catalog.field_names import labelled
from ..domain.errors import InvalidInput
from ..domain.people.roles import ISSUER_ADMIN
from .catalog import BADGE_CSP
from .catalog_form import apply_action, blank_definition, parse_form
from .forms import whole_number
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("catalog_admin", __name__, url_prefix="/admin/microcredentials")


@bp.app_template_filter("field_id")
def field_id(path: str) -> str:
    """An HTML id for the input of a field path: ``rubric.criteria[0].name`` -> ``f-rubric-criteria-0-name``."""
    return "f-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "document")


def _actor() -> Actor:
    return Actor.user(current_user)


def _editor(doc: dict, *, version=None, errors=None, note=None, status=200):
    return render_template(
        "catalog_admin/edit.html",
        doc=doc,
        version=version,
        errors=errors or {},
        error_list=labelled(errors or {}),
        note=note,
        labels=definitions,
        grade_band_options=[(band, band) for band in definitions.GRADE_BANDS],
        action=FlaskForm(),
    ), status


def _posted() -> tuple[dict, str, microcredentials.ImageChange]:
    """The posted definition, the button pressed, and what to do with the badge image."""
    upload = request.files.get("image")
    data = upload.read() if upload and upload.filename else None
    image = microcredentials.ImageChange(data=data, remove=request.form.get("remove_image") == "yes")
    return parse_form(request.form), request.form.get("action", "save"), image


@bp.get("")
@role_required(ISSUER_ADMIN)
def list_microcredentials():
    return render_template("catalog_admin/list.html", rows=admin_page.admin_overview(db()))


@bp.route("/new", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def new_microcredential():
    if request.method == "GET":
        return _editor(blank_definition())
    doc, action, image = _posted()
    if action != "save":
        changed, note = apply_action(doc, action)
        return _editor(changed, note=note)
    try:
        version = microcredentials.create_microcredential(db(), doc, image=image, actor=_actor(), now=now())
    except InvalidInput as exc:
        return _editor(doc, errors=exc.errors, note=_image_note(image), status=422)
    title = version.title or "an untitled micro-credential"
    flash(f"Saved “{title}” as a draft (version 1). Preview it, then publish it when it is ready.", "success")
    return redirect(url_for("catalog_admin.show_microcredential", slug=version.microcredential.slug))


@bp.get("/<slug>")
@role_required(ISSUER_ADMIN)
def show_microcredential(slug: str):
    history = microcredentials.version_history(db(), slug)
    return render_template("catalog_admin/show.html", slug=slug, history=history, action=FlaskForm())


@bp.post("/<slug>/new-version")
@role_required(ISSUER_ADMIN)
def new_version(slug: str):
    draft = microcredentials.start_new_version(db(), slug, actor=_actor(), now=now())
    flash(f"Version {draft.number} is a new draft, copied from the newest version.", "info")
    return redirect(url_for("catalog_admin.edit_draft", slug=slug))


@bp.route("/<slug>/draft", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def edit_draft(slug: str):
    draft = next((v for v in microcredentials.version_history(db(), slug) if v.status == "draft"), None)
    if draft is None:
        flash("There is no draft to edit. Start a new version first.", "info")
        return redirect(url_for("catalog_admin.show_microcredential", slug=slug))
    if request.method == "GET":
        return _editor(draft.definition, version=draft)
    doc, action, image = _posted()
    if action != "save":
        changed, note = apply_action(doc, action)
        return _editor(changed, version=draft, note=note)
    try:
        microcredentials.save_draft(db(), draft, doc, image=image, actor=_actor(), now=now())
    except InvalidInput as exc:
        return _editor(doc, version=draft, errors=exc.errors, note=_image_note(image), status=422)
    flash(f"Saved the draft (version {draft.number}). Publishing checks that nothing is missing.", "success")
    return redirect(url_for("catalog_admin.show_microcredential", slug=draft.microcredential.slug))


@bp.get("/<slug>/versions/<int:number>/publish")
@role_required(ISSUER_ADMIN)
def confirm_publish(slug: str, number: int):
    return _publish_page(slug, number)


def _publish_page(slug: str, number: int, status: int = 200):
    check = publish_page.publish_check(db(), slug, number)
    return render_template("catalog_admin/publish.html", check=check, action=FlaskForm()), status


@bp.post("/<slug>/versions/<int:number>/publish")
@role_required(ISSUER_ADMIN)
def publish(slug: str, number: int):
    version = microcredentials.get_version(db(), slug, number)
    try:
        microcredentials.publish_version(db(), version, actor=_actor(), now=now())
    except InvalidInput:
        return _publish_page(slug, number, status=422)
    flash(
        f"Version {number} is published: new attempts start on it; attempts begun earlier keep their version.",
        "success",
    )
    return redirect(url_for("catalog_admin.show_microcredential", slug=slug))


@bp.post("/<slug>/retire")
@role_required(ISSUER_ADMIN)
def retire(slug: str):
    version = microcredentials.retire_microcredential(db(), slug, actor=_actor(), now=now())
    flash(f"Retired version {version.number}: it has left the catalog and takes no new attempts.", "success")
    return redirect(url_for("catalog_admin.show_microcredential", slug=slug))


@bp.post("/<slug>/versions/<int:number>/discard")
@role_required(ISSUER_ADMIN)
def discard(slug: str, number: int):
    removed_all = microcredentials.discard_draft(
        db(), microcredentials.get_version(db(), slug, number), actor=_actor(), now=now()
    )
    flash(f"Discarded the draft (version {number}).", "success")
    if removed_all:
        return redirect(url_for("catalog_admin.list_microcredentials"))
    return redirect(url_for("catalog_admin.show_microcredential", slug=slug))


@bp.get("/<slug>/versions/<int:number>")
@role_required(ISSUER_ADMIN)
def preview(slug: str, number: int):
    preview = preview_page.preview_page(db(), slug, number)
    return render_template(
        "catalog_admin/preview.html",
        page=preview.page,
        missing=preview.missing,
        badge_url=url_for("catalog_admin.badge", slug=slug, number=number),
        action=FlaskForm(),
    )


@bp.get("/<slug>/versions/<int:number>/badge")
@role_required(ISSUER_ADMIN)
def badge(slug: str, number: int):
    image = preview_page.version_badge(db(), slug, number)
    response = Response(image.data, mimetype=image.media_type)
    response.headers["Content-Security-Policy"] = BADGE_CSP
    response.set_etag(image.etag)
    return response.make_conditional(request)


@bp.get("/<slug>/versions/<int:number>/export.json")
@role_required(ISSUER_ADMIN)
def export(slug: str, number: int):
    document = transfer.export_definition(db(), slug, number)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{slug}-v{number}.json"'},
    )


@bp.get("/<slug>/compare")
@role_required(ISSUER_ADMIN)
def compare(slug: str):
    older = microcredentials.get_version(db(), slug, whole_number(request.args.get("from")) or abort(400))
    newer = microcredentials.get_version(db(), slug, whole_number(request.args.get("to")) or abort(400))
    return render_template(
        "catalog_admin/compare.html",
        slug=slug,
        older=older,
        newer=newer,
        changes=diff_versions(older, newer),
        history=microcredentials.version_history(db(), slug),
    )


def _image_note(image: microcredentials.ImageChange) -> str | None:
    if image.data:
        return "Browsers do not resend files: choose the badge image again before saving."
    return None
