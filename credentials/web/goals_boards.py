"""Goals boards: the goals teachers declared to their school and the district, by focus; and where a teacher says
what they teach, so the boards can be filtered by grade band and subject."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..domain.audit import Actor
from ..domain.errors import InvalidInput
from ..domain.people import teaching
from ..domain.plans import goals_board
from .forms import page_number, show_domain_errors, whole_number
from .transaction import db, now

bp = Blueprint("goals_boards", __name__)


class TeachingForm(FlaskForm):
    """What a person teaches; the domain checks the values, so a forged one gets a sentence, not a crash."""

    grade_band = SelectField(
        "Grade band",
        choices=[SelectChoice("", "Not set"), *(SelectChoice(k, v) for k, v in teaching.GRADE_BAND_LABELS.items())],
        validate_choice=False,
    )
    subject = SelectField(
        "Subject",
        choices=[SelectChoice("", "Not set"), *(SelectChoice(k, v) for k, v in teaching.SUBJECT_LABELS.items())],
        validate_choice=False,
    )


def teaching_form(user, *, posted: bool) -> TeachingForm:
    """The form filled from what was posted, or else from what the person has said before."""
    if posted:
        return TeachingForm()
    return TeachingForm(formdata=None, data={"grade_band": user.grade_band or "", "subject": user.subject or ""})


@bp.route("/my/teaching", methods=["GET", "POST"])
@login_required
def my_teaching():
    form = teaching_form(current_user, posted=request.method == "POST")
    if form.validate_on_submit():
        try:
            teaching.set_teaching(
                db(), current_user._get_current_object(), grade_band=form.grade_band.data,
                subject=form.subject.data, actor=Actor.user(current_user), now=now(),
            )  # fmt: skip
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("Saved. Colleagues can now find your goals by what you teach.", "success")
            return redirect(url_for("goals_boards.my_teaching"))
    return render_template("goals_boards/teaching.html", form=form), 422 if form.errors else 200


def _asked() -> goals_board.BoardFilter:
    """The filters as the address gives them (the domain leaves out, and names, any value that names nothing)."""
    args = request.args
    school, number = args.get("school", "").strip(), whole_number(args.get("school"))
    return goals_board.BoardFilter(
        focus=args.get("focus", "").strip()[:300],
        grade_band=args.get("grade_band", "").strip()[:20],
        subject=args.get("subject", "").strip()[:40],
        # A malformed or huge number becomes -1: no school has it, so the domain says it was left out.
        school_id=None if not school else (number if number is not None else -1),
    )


@bp.get("/goals")
@login_required
def district_board():
    board = goals_board.district_board(db(), current_user, _asked(), page=page_number(), now=now())
    return render_template("goals_boards/board.html", board=board, endpoint="goals_boards.district_board", args={})


@bp.get("/schools/<int:school_id>/goals")
@login_required
def school_board(school_id: int):
    board = goals_board.school_board(db(), current_user, school_id, _asked(), page=page_number(), now=now())
    args = {"school_id": school_id}
    return render_template("goals_boards/board.html", board=board, endpoint="goals_boards.school_board", args=args)
