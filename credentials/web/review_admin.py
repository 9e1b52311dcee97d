"""Issuer admins run review: the unassigned queue and reviewer loads, manual reassignment, reviewers' capacity,
away dates and qualifications, conflicts of interest, holidays, returning incomplete evidence, overriding a
decision, and inter-rater agreement."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..domain.audit import Actor
from ..domain.errors import InvalidInput
from ..domain.people.roles import ISSUER_ADMIN
from ..domain.review import admin, admin_page, history_page, inter_rater, reports
from ..text.dates import us_date
from .forms import show_domain_errors
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("review_admin", __name__, url_prefix="/admin/reviews")


def _chosen_id(value):
    """Coerce a select's value to an id; the empty placeholder becomes None (and fails DataRequired)."""
    return int(value) if value not in (None, "") else None


class ReassignForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired("Say why the assignment moves."), Length(max=2000)])


class ProfileForm(FlaskForm):
    capacity = IntegerField(
        "Capacity",
        description="The most open assignments this reviewer holds at once (0 to 100).",
        validators=[InputRequired("Enter a number of open assignments.")],
    )
    away_from = DateField("First day away", validators=[Optional()])
    away_until = DateField(
        "Last day away", description="Leave both dates empty when the reviewer is not away.", validators=[Optional()]
    )


class QualificationForm(FlaskForm):
    microcredential = SelectField("Micro-credential", default="")
    tag = StringField(
        "Or every micro-credential with this tag",
        description="Choose a micro-credential or type a tag, not both.",
        validators=[Length(max=60)],
    )


class ConflictForm(FlaskForm):
    reviewer = SelectField("Reviewer", coerce=_chosen_id, validators=[DataRequired("Choose a reviewer.")])
    teacher = SelectField("Teacher", coerce=_chosen_id, validators=[DataRequired("Choose a teacher.")])
    reason = TextAreaField(
        "Reason",
        description="For example: relative, direct supervisor, co-teacher.",
        validators=[DataRequired("Say what the conflict is."), Length(max=2000)],
    )


class HolidayForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired("Enter the date.")])
    name = StringField("Name", validators=[DataRequired("Name the holiday."), Length(max=120)])


class IncompleteForm(FlaskForm):
    reason = TextAreaField(
        "What is incomplete",
        id="incomplete-reason",
        description="The teacher reads this. The submission becomes a draft again and does not count as an attempt.",
        validators=[DataRequired("Tell the teacher what is incomplete."), Length(max=5000)],
    )


class OverrideForm(FlaskForm):
    outcome = SelectField(
        "New decision",
        id="override-outcome",
        choices=[
            SelectChoice("", "Choose the decision"),
            SelectChoice("earned", "Earned"),
            SelectChoice("not_yet", "Not yet"),
        ],
        validators=[DataRequired("Choose earned or not yet.")],
    )
    reason = TextAreaField(
        "Reason",
        id="override-reason",
        description="Kept in the audit trail.",
        validators=[DataRequired("An override needs a reason; it is kept in the audit trail."), Length(max=5000)],
    )


def _actor() -> Actor:
    return Actor.user(current_user)


def _today():
    return now().date()


@bp.get("")
@role_required(ISSUER_ADMIN)
def overview():
    return _overview_page(ReassignForm())


@bp.post("/assignments/<int:assignment_id>/reassign")
@role_required(ISSUER_ADMIN)
def reassign(assignment_id: int):
    form = ReassignForm()
    if form.validate_on_submit():
        try:
            admin.reassign(db(), assignment_id, reason=form.reason.data, actor=_actor(), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(
                "The assignment was taken back. The submission went to the next eligible reviewer, or waits "
                "in the unassigned queue.",
                "success",
            )
            return redirect(url_for("review_admin.overview"))
    return _overview_page(form, failed=assignment_id)


def _overview_page(form: ReassignForm, failed: int | None = None):
    data = admin_page.overview(db(), _today())
    return render_template("review_admin/overview.html", data=data, form=form, failed=failed), 422 if failed else 200


@bp.route("/reviewers/<int:user_id>", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def reviewer(user_id: int):
    detail = admin_page.reviewer_detail(db(), user_id, _today())
    load = detail.load
    form = ProfileForm(data=_profile_data(load))
    if form.validate_on_submit():
        try:
            admin.set_reviewer_profile(
                db(),
                user_id,
                capacity=form.capacity.data,
                away_from=form.away_from.data,
                away_until=form.away_until.data,
                actor=_actor(),
                now=now(),
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Saved {load.name}'s capacity and away dates.", "success")
            return redirect(url_for("review_admin.reviewer", user_id=user_id))
    return _reviewer_page(detail, profile=form)


@bp.post("/reviewers/<int:user_id>/qualifications")
@role_required(ISSUER_ADMIN)
def grant(user_id: int):
    detail = admin_page.reviewer_detail(db(), user_id, _today())
    form = _qualification_form(detail)
    if form.validate_on_submit():
        try:
            admin.grant_qualification(
                db(),
                user_id,
                slug=form.microcredential.data or None,
                tag=form.tag.data or None,
                actor=_actor(),
                now=now(),
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"{detail.load.name} is qualified; waiting submissions they may take were routed.", "success")
            return redirect(url_for("review_admin.reviewer", user_id=user_id))
    return _reviewer_page(detail, grant=form)


@bp.post("/reviewers/<int:user_id>/qualifications/<int:qualification_id>/revoke")
@role_required(ISSUER_ADMIN)
def revoke(user_id: int, qualification_id: int):
    admin.revoke_qualification(db(), qualification_id, reviewer_id=user_id, actor=_actor(), now=now())
    flash("The qualification is withdrawn. Assignments already made stay with the reviewer.", "success")
    return redirect(url_for("review_admin.reviewer", user_id=user_id))


def _profile_data(load) -> dict:
    return {"capacity": load.capacity, "away_from": load.away_from, "away_until": load.away_until}


def _qualification_form(detail: admin_page.ReviewerDetail, *, submitted: bool = True) -> QualificationForm:
    form = QualificationForm() if submitted else QualificationForm(formdata=None)
    form.microcredential.choices = [
        SelectChoice("", "No single micro-credential"),
        *(SelectChoice(slug, title) for slug, title in detail.microcredential_choices),
    ]
    return form


def _reviewer_page(detail, *, profile: ProfileForm | None = None, grant: QualificationForm | None = None):
    profile = profile or ProfileForm(formdata=None, data=_profile_data(detail.load))
    grant = grant or _qualification_form(detail, submitted=False)
    status = 422 if profile.errors or grant.errors else 200
    return render_template("review_admin/reviewer.html", detail=detail, profile=profile, grant=grant), status


@bp.route("/conflicts", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def conflicts():
    page = admin_page.conflicts_page(db())
    form = ConflictForm()
    form.reviewer.choices = [SelectChoice("", "Choose a reviewer"), *(SelectChoice(*c) for c in page.reviewers)]
    form.teacher.choices = [SelectChoice("", "Choose a teacher"), *(SelectChoice(*c) for c in page.teachers)]
    if form.validate_on_submit():
        try:
            admin.declare_conflict(
                db(), form.reviewer.data, form.teacher.data, reason=form.reason.data, actor=_actor(), now=now()
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("The conflict is recorded; any open assignment between them was moved.", "success")
            return redirect(url_for("review_admin.conflicts"))
    return render_template("review_admin/conflicts.html", page=page, form=form), 422 if form.errors else 200


@bp.route("/holidays", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def holidays():
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            holiday = admin.add_holiday(db(), form.day.data, form.name.data, actor=_actor(), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"{holiday.name} ({us_date(holiday.day)}) is a holiday; new deadlines skip it.", "success")
            return redirect(url_for("review_admin.holidays"))
    rows = reports.holidays(db())
    return render_template("review_admin/holidays.html", rows=rows, form=form), 422 if form.errors else 200


@bp.get("/attempts/<int:attempt_id>")
@role_required(ISSUER_ADMIN)
def attempt(attempt_id: int):
    return _attempt_page(attempt_id)


@bp.post("/attempts/<int:attempt_id>/incomplete")
@role_required(ISSUER_ADMIN)
def return_incomplete(attempt_id: int):
    form = IncompleteForm()
    if form.validate_on_submit():
        try:
            admin.return_incomplete(db(), attempt_id, reason=form.reason.data, actor=_actor(), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("The evidence went back to the teacher as a draft, with your note.", "success")
            return redirect(url_for("review_admin.attempt", attempt_id=attempt_id))
    return _attempt_page(attempt_id, incomplete=form)


@bp.post("/attempts/<int:attempt_id>/override")
@role_required(ISSUER_ADMIN)
def override(attempt_id: int):
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            admin.override_decision(
                db(), attempt_id, outcome=form.outcome.data, reason=form.reason.data, actor=_actor(), now=now()
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("The decision is changed and the reason is in the audit trail; the teacher was told.", "success")
            return redirect(url_for("review_admin.attempt", attempt_id=attempt_id))
    return _attempt_page(attempt_id, override=form)


def _attempt_page(attempt_id: int, *, incomplete=None, override=None):
    review = history_page.attempt_review(db(), attempt_id)
    incomplete = incomplete or IncompleteForm(formdata=None)
    override = override or OverrideForm(formdata=None)
    status = 422 if incomplete.errors or override.errors else 200
    return render_template("review_admin/attempt.html", review=review, incomplete=incomplete, override=override), status


@bp.get("/inter-rater")
@role_required(ISSUER_ADMIN)
def agreement():
    report = inter_rater.inter_rater_report(db())
    return render_template("review_admin/inter_rater.html", report=report)
