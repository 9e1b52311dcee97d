"""Reviewers: their queue, one submission's evidence beside the rubric, scoring, recusal, files and conflicts.

Every route needs the reviewer role and, for one submission, that it is assigned to the signed-in reviewer; files are
served only from that submission. Teachers' names, addresses and schools never reach these pages.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..domain.errors import InvalidInput
from ..domain.people.roles import REVIEWER
from ..domain.review import reviewer_page, scoring
from ..domain.review.routing import anonymous_code
from ..domain.review.scoring import Scores
from .evidence_files import evidence_response
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

# Inline images: sandboxed, framed only by our own review page, so nothing in a file can run.
VIEW_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
# Inline PDFs: browsers refuse to start their PDF viewer under a CSP sandbox, so PDFs get no sandbox but may load
# nothing at all. Their bytes were checked at upload to be a PDF with no web page code anywhere in them and no
# JavaScript, actions, attached files or media (domain/portfolio/pdf_files.py refuses those, so every PDF kept can be
# shown here), and nosniff keeps the browser from reading them as anything else.
PDF_VIEW_CSP = "default-src 'none'; frame-ancestors 'self'"
NOT_SUBMITTED = (
    "Not submitted, and nothing was saved: correct the marked fields, then save or submit again. "
    "What you typed is kept below."
)
NOT_YET_SUBMITTED = (
    "Not submitted yet. Everything you entered is saved as your draft: complete what is marked, then submit again."
)


def _queue(*, errors=None, status=200):
    rows = reviewer_page.reviewer_queue(db(), current_user, now=now())
    roles = reviewer_page.ROLE_LEGEND
    return render_template(
        "reviews/queue.html", rows=rows, roles=roles, errors=errors or {}, posted=request.form
    ), status


def _review(assignment, *, errors=None, scores=None, message=None, status=200, page=None):
    page = page or reviewer_page.review_page(db(), assignment, scores)
    return render_template(
        "reviews/review.html", page=page, errors=errors or {}, posted=scores, message=message, form_data=request.form
    ), status


def _posted_scores() -> Scores:
    form = request.form
    return Scores(
        levels={k.removeprefix("level-"): v for k, v in form.items() if k.startswith("level-")},
        feedback={k.removeprefix("feedback-"): v for k, v in form.items() if k.startswith("feedback-")},
        overall=form.get("overall", ""),
    )


@bp.get("")
@role_required(REVIEWER)
def queue():
    return _queue()


@bp.get("/<int:assignment_id>")
@role_required(REVIEWER)
def show(assignment_id: int):
    return _review(reviewer_page.reviewer_assignment(db(), assignment_id, current_user))


@bp.post("/<int:assignment_id>")
@role_required(REVIEWER)
def score(assignment_id: int):
    """Save the draft; "submit" saves it too and goes on to the confirmation step (nothing is locked yet)."""
    assignment = reviewer_page.reviewer_assignment(db(), assignment_id, current_user)
    scores, submit = _posted_scores(), request.form.get("action") == "submit"
    try:
        scoring.save_scores(db(), assignment, current_user, scores, now=now())
    except InvalidInput as exc:
        message = NOT_SUBMITTED if submit else exc.message
        return _review(assignment, errors=exc.errors, scores=scores, message=message, status=422)
    if submit:
        return redirect(url_for("reviews.confirm", assignment_id=assignment_id))
    flash("Draft saved. Nothing is sent until you submit the review.", "success")
    return redirect(url_for("reviews.show", assignment_id=assignment_id))


@bp.get("/<int:assignment_id>/confirm")
@role_required(REVIEWER)
def confirm(assignment_id: int):
    """The summary of the saved draft to confirm, or the form with what still stops it being submitted."""
    assignment = reviewer_page.reviewer_assignment(db(), assignment_id, current_user)
    check = reviewer_page.submission_check(db(), assignment)
    if not check.page.editable:
        return redirect(url_for("reviews.show", assignment_id=assignment_id))
    if check.problems:
        return _review(assignment, errors=check.problems, message=NOT_YET_SUBMITTED, page=check.page)
    return render_template("reviews/confirm.html", page=check.page, fingerprint=check.fingerprint)


@bp.post("/<int:assignment_id>/confirm")
@role_required(REVIEWER)
def submit(assignment_id: int):
    assignment = reviewer_page.reviewer_assignment(db(), assignment_id, current_user)
    try:
        scoring.submit_draft(db(), assignment, current_user, fingerprint=request.form.get("fingerprint", ""), now=now())
    except scoring.DraftChanged as exc:  # nothing was changed: show the summary of the draft as it is now
        flash(exc.message, "warning")
        return redirect(url_for("reviews.confirm", assignment_id=assignment_id))
    except InvalidInput:  # nothing was changed: the confirmation step shows the form with what is missing
        return redirect(url_for("reviews.confirm", assignment_id=assignment_id))
    flash(f"Review of {anonymous_code(assignment.attempt_id)} submitted. Thank you.", "success")
    return redirect(url_for("reviews.queue"))


@bp.post("/<int:assignment_id>/recuse")
@role_required(REVIEWER)
def recuse(assignment_id: int):
    assignment = reviewer_page.reviewer_assignment(db(), assignment_id, current_user)
    try:
        scoring.recuse(db(), assignment, current_user, reason=request.form.get("reason", ""), now=now())
    except InvalidInput as exc:
        return _review(assignment, errors=exc.errors, status=422)
    flash("You have stepped back from this review; it goes to another reviewer.", "success")
    return redirect(url_for("reviews.queue"))


@bp.get("/<int:assignment_id>/files/<int:artifact_id>")
@role_required(REVIEWER)
def download(assignment_id: int, artifact_id: int):
    assignment = reviewer_page.reviewer_assignment(db(), assignment_id, current_user)
    artifact = reviewer_page.review_artifact(assignment, artifact_id)
    return evidence_response(artifact)


@bp.get("/<int:assignment_id>/files/<int:artifact_id>/view")
@role_required(REVIEWER)
def view(assignment_id: int, artifact_id: int):
    assignment = reviewer_page.reviewer_assignment(db(), assignment_id, current_user)
    artifact = reviewer_page.review_artifact(assignment, artifact_id, inline=True)
    csp = PDF_VIEW_CSP if artifact.kind == "pdf" else VIEW_CSP
    response = evidence_response(artifact, inline=True, csp=csp)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"  # the review page frames PDFs; nobody else may
    return response


@bp.post("/conflicts")
@role_required(REVIEWER)
def declare_conflict():
    try:
        reviewer_page.declare_conflict_by_email(
            db(), current_user, email=request.form.get("email", ""), reason=request.form.get("reason", ""), now=now()
        )
    except InvalidInput as exc:
        return _queue(errors=exc.errors, status=422)
    flash("Recorded. You will not be asked to review work from the teacher with that address.", "success")
    return redirect(url_for("reviews.queue"))
