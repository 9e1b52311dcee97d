"""Teachers build, submit, withdraw and resubmit their evidence; their dashboard lists every attempt."""

from __future__ import annotations

import re

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from ..domain.errors import Conflict, NotFound, TooManyAttempts
from ..domain.people import sign_in
from ..domain.people.roles import TEACHER
from ..domain.portfolio import attempt_page as portfolio
from ..domain.portfolio import attempts, dashboard_page
from ..domain.portfolio.attempts import StaleAttempt
from ..domain.portfolio.evidence import UploadLimits
from ..text import dates
from .errors import error_response
from .evidence_files import evidence_response
from .formatting import district
from .forms import whole_number
from .sessions import authenticate, role_required, start_session
from .transaction import db, now, services

bp = Blueprint("attempts", __name__)
PROMPT_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

# What a save after signing in again keeps: the typed answers and links only (files cannot cross an expired sign-in).
TYPED_ONLY = {"uploads": [], "remove": None, "submit": False, "attested": False, "note": "", "expected_revision": None}


def _limits() -> UploadLimits:
    settings = services().settings
    return UploadLimits(per_file=settings.max_upload_bytes, per_attempt=settings.max_attempt_bytes)


def posted_evidence() -> dict:
    """The draft page's text answers and links, keyed by prompt."""
    texts = {k.removeprefix("answer-"): v for k, v in request.form.items() if k.startswith("answer-")}
    links = {k.removeprefix("link-"): v for k, v in request.form.items() if k.startswith("link-")}
    return {"texts": texts, "links": links}


def _render(attempt, *, outcome=None, posted=None, message=None, status=200):
    page = portfolio.attempt_page(db(), attempt)
    return render_template(
        "attempts/attempt.html",
        page=page,
        outcome=outcome,
        posted=posted,
        message=message,
        form=FlaskForm(),
        limits=_limits(),
    ), status


@bp.get("/my/microcredentials")
@role_required(TEACHER)
def dashboard():
    page = dashboard_page.teacher_dashboard(db(), current_user, now=now(), dismissed=request.args.get("dismissed"))
    return render_template(
        "attempts/dashboard.html",
        rows=page.rows,
        credentials=page.credentials,
        suggestions=page.suggestions,
        public_url=services().settings.public_url,
    )


@bp.post("/microcredentials/<slug>/start")
@role_required(TEACHER)
def start(slug: str):
    """Begin an attempt; one in progress opens instead, and one already earned leads to its credential."""
    outcome = portfolio.start_or_continue(db(), current_user, slug, now=now())
    if outcome.message:
        flash(outcome.message, "info")
    if outcome.attempt_id is not None:
        return redirect(url_for("attempts.show", attempt_id=outcome.attempt_id))
    if outcome.credential_uuid is not None:
        return redirect(url_for("credential_pages.show", credential_uuid=outcome.credential_uuid))
    return redirect(url_for("attempts.dashboard"))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def show(attempt_id: int):
    return _render(attempts.get_attempt(db(), attempt_id, current_user))


@bp.post("/attempts/<int:attempt_id>")
@login_required
def save(attempt_id: int):
    attempt = attempts.get_attempt(db(), attempt_id, current_user)
    try:
        outcome = portfolio.save_draft_page(
            db(), services().evidence, attempt, current_user, **_posted_draft(), limits=_limits(), now=now()
        )
    except StaleAttempt as exc:
        return _render(attempt, posted=posted_evidence(), message=exc.message, status=409)
    return _saved(attempt, outcome)


def _posted_draft() -> dict:
    """Everything the draft page sent: answers, links, files, the button pressed and the submission's ticks."""
    action = request.form.get("action", "save")
    uploads = [
        portfolio.Upload(name.removeprefix("files-"), storage.stream, storage.filename or "file")
        for name, storage in request.files.items(multi=True)
        if name.startswith("files-") and storage.filename
    ]
    return {
        **posted_evidence(),
        "uploads": uploads,
        "remove": _removed_file(action),
        "submit": action == "submit",
        "attested": request.form.get("attest") == "yes",
        "share_reflection": request.form.get("share_reflection") == "yes",
        "share_evidence": request.form.get("share_evidence") == "yes",
        "note": request.form.get("note", ""),
        "expected_revision": whole_number(request.form.get("revision")),
    }


def _saved(attempt, outcome: portfolio.DraftOutcome):
    """Where a save leads: the locked attempt after a submission, the page with what needs attention, or the draft."""
    if outcome.submitted:
        flash("Submitted. Your evidence is locked; you will hear by e-mail when it has been reviewed.", "success")
        return redirect(url_for("attempts.show", attempt_id=attempt.id))
    if outcome.report.refused or outcome.report.warnings or outcome.submit_problems:
        return _render(attempt, outcome=outcome, posted=posted_evidence())
    flash(
        "Draft saved." + (f" Added {', '.join(outcome.report.uploaded)}." if outcome.report.uploaded else ""), "success"
    )
    # Back to where the teacher was working, not the top of a long page (autosave.js names the field last used, for
    # a save whose text the script had already kept).
    section = outcome.section or _prompt_key(request.form.get("return_to", ""))
    anchor = f"prompt-{section}" if section else None
    return redirect(url_for("attempts.show", attempt_id=attempt.id, _anchor=anchor))


@bp.post("/attempts/<int:attempt_id>/autosave")
@login_required
def autosave(attempt_id: int):
    """Keep the text answers in the background (static/js/autosave.js); JSON, and never a page."""
    try:
        attempt = attempts.get_attempt(db(), attempt_id, current_user)
        saved = portfolio.autosave_answers(
            db(),
            attempt,
            current_user,
            texts=posted_evidence()["texts"],
            expected_revision=whole_number(request.form.get("revision")),
            now=now(),
        )
    except StaleAttempt:
        return jsonify(saved=False, message=portfolio.AUTOSAVE_CONFLICT), 409
    except (Conflict, NotFound) as exc:
        return jsonify(saved=False, message=exc.message), exc.status
    zone = district().time_zone
    return jsonify(
        saved=True,
        revision=saved.revision,
        saved_at=dates.us_time(saved.saved_at, zone),
        saved_on=dates.us_date_time(saved.saved_at, zone),
    )


def _prompt_key(value: str) -> str | None:
    """A prompt key as the page sent it, or None for anything that could not be one."""
    return value if PROMPT_KEY.fullmatch(value) else None


def _removed_file(action: str) -> int | None:
    """The artifact id of a "remove:<id>" button, or None (a malformed value removes nothing)."""
    value = action.removeprefix("remove:") if action.startswith("remove:") else ""
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.post("/attempts/<int:attempt_id>/withdraw")
@login_required
def withdraw(attempt_id: int):
    attempt = attempts.get_attempt(db(), attempt_id, current_user)
    attempts.withdraw_attempt(
        db(), attempt, current_user, expected_revision=whole_number(request.form.get("revision")), now=now()
    )
    flash("Withdrawn. Your evidence is kept: start again from your dashboard when you are ready.", "success")
    return redirect(url_for("attempts.dashboard"))


@bp.get("/attempts/<int:attempt_id>/files/<int:artifact_id>")
@login_required
def download(attempt_id: int, artifact_id: int):
    attempt = attempts.get_attempt(db(), attempt_id, current_user)
    artifact = next((a for a in attempt.artifacts if a.id == artifact_id), None)
    if artifact is None:
        return Response("Not found", status=404)
    return evidence_response(artifact)


@bp.post("/attempts/<int:attempt_id>/resume")
def resume(attempt_id: int):
    """Sign in again from the "your session expired" page and save what was typed before it expired."""
    try:
        user = authenticate(request.form.get("email", ""), request.form.get("password", ""))
    except (sign_in.SignInFailed, TooManyAttempts) as exc:
        return expired_page(attempt_id, error=exc.message, status=exc.status)
    start_session(user)
    attempt = attempts.get_attempt(db(), attempt_id, user)
    portfolio.save_draft_page(
        db(), services().evidence, attempt, user, **posted_evidence(), **TYPED_ONLY, limits=_limits(), now=now()
    )
    flash("You are signed in again and your draft is saved.", "success")
    return redirect(url_for("attempts.show", attempt_id=attempt.id))


@bp.errorhandler(CSRFError)
def _form_expired(_exc):
    """Signed out, or the page was open too long: keep what was typed and offer to save it."""
    if request.endpoint == "attempts.save":
        return expired_page(request.view_args["attempt_id"])
    if request.endpoint == "attempts.autosave":
        message = (
            "Not saved automatically: you were signed out. Choose “Save draft” to sign in again and keep your text."
        )
        return jsonify(saved=False, message=message), 400
    return error_response(400, "This form has expired, so nothing was saved. Go back, reload and try again.")


@bp.errorhandler(413)
def _too_large(_exc):
    if request.endpoint == "attempts.save":
        limit = services().settings.max_attempt_bytes // (1024 * 1024)
        return error_response(
            413,
            f"What you sent is larger than the {limit} MB an attempt may hold, so nothing "
            "from this save was stored. Your draft is as you last saved it: go back and "
            "add smaller files, one at a time.",
        )
    return error_response(413)


def expired_page(attempt_id: int, *, error: str | None = None, status: int = 200):
    """The page that carries typed answers across an expired sign-in (files cannot be carried)."""
    return render_template(
        "attempts/expired.html", attempt_id=attempt_id, posted=posted_evidence(), error=error, form=FlaskForm()
    ), status
