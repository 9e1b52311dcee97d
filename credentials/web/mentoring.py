"""Mentoring (issue 18): volunteer as a mentor on a micro-credential you hold, ask a mentor for help, and answer
the requests made to you on "My mentoring". The micro-credential's page lists the mentors (catalog view)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from ..domain.errors import InvalidInput
from ..domain.mentoring import offers, pages, requests
from ..domain.mentoring.vocabulary import MAX_MESSAGE, MAX_NOTE
from .forms import show_domain_errors
from .transaction import db, now

bp = Blueprint("mentoring", __name__)


class VolunteerForm(FlaskForm):
    """The note of a mentor's offer (optional); the domain checks its length."""

    note = TextAreaField(
        "What you can help with (optional)",
        description=f"For example: planning the evidence, or the reflection. Up to {MAX_NOTE} characters.",
    )


class AskForm(FlaskForm):
    """The message to a mentor; the domain checks it, so nothing typed is lost to a refusal."""

    message = TextAreaField(
        "What would you like help with?",
        description=f"The mentor sees your name and this message, not your e-mail address. Up to {MAX_MESSAGE:,} "
        "characters.",
    )


@bp.route("/microcredentials/<slug>/mentor", methods=["GET", "POST"])
@login_required
def volunteer(slug: str):
    teacher = current_user._get_current_object()
    page = pages.volunteer_page(db(), slug, teacher, now())
    posted = request.method == "POST"
    form = VolunteerForm() if posted else VolunteerForm(formdata=None, data={"note": page.note})
    if form.validate_on_submit():
        try:
            offers.volunteer(db(), teacher, slug, note=form.note.data or "", now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("Thank you: colleagues can now ask you for help with this micro-credential.", "success")
            return redirect(url_for("catalog.show_microcredential", slug=slug, _anchor="mentors"))
    return render_template("mentoring/volunteer.html", page=page, form=form), 422 if form.errors else 200


@bp.post("/microcredentials/<slug>/mentor/stop")
@login_required
def stop(slug: str):
    if FlaskForm().validate_on_submit():
        offers.withdraw(db(), current_user._get_current_object(), slug, now=now())
        flash(
            "You no longer mentor on this micro-credential. Requests already made to you stay on your page.", "success"
        )
    else:
        flash("The form expired; try again.", "warning")
    return redirect(url_for("catalog.show_microcredential", slug=slug, _anchor="mentors"))


@bp.route("/microcredentials/<slug>/mentors/<int:mentor_id>/ask", methods=["GET", "POST"])
@login_required
def ask(slug: str, mentor_id: int):
    asker = current_user._get_current_object()
    page = pages.ask_page(db(), slug, mentor_id, asker, now())
    form = AskForm()
    if form.validate_on_submit():
        try:
            requests.ask(db(), asker, slug, mentor_id, message=form.message.data or "", now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Sent. {page.mentor_name} will answer on their mentoring page; we will e-mail you.", "success")
            return redirect(url_for("mentoring.my_mentoring"))
    return render_template("mentoring/ask.html", page=page, form=form), 422 if form.errors else 200


@bp.get("/my/mentoring")
@login_required
def my_mentoring():
    page = pages.my_mentoring(db(), current_user._get_current_object())
    return render_template("mentoring/my.html", page=page, action=FlaskForm())


@bp.post("/my/mentoring/requests/<int:request_id>/<any(accept, decline):answer>")
@login_required
def answer(request_id: int, answer: str):
    if FlaskForm().validate_on_submit():
        requests.answer(db(), current_user._get_current_object(), request_id, accept=answer == "accept", now=now())
        flash(
            "Accepted: you and your colleague have been sent each other's e-mail address."
            if answer == "accept"
            else "Declined. Your colleague has been told; nothing was shared.",
            "success",
        )
    else:
        flash("The form expired; try again.", "warning")
    return redirect(url_for("mentoring.my_mentoring"))
