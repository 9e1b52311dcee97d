"""Signing in and out, changing a password, password reset and accepting an invitation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..domain.errors import InvalidInput, TooManyAttempts
from ..domain.people import invitations, sign_in
from ..domain.people.one_time_tokens import INVITATION, PASSWORD_RESET
from ..domain.people.passwords import MAX_LENGTH, MIN_LENGTH
from .forms import safe_next, show_domain_errors
from .sessions import authenticate, client_address, end_session, start_session
from .transaction import db, now, services

bp = Blueprint("auth", __name__)

PASSWORD_HINT = f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password."


class SignInForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter your e-mail address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter your e-mail address."), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=PASSWORD_HINT,
        validators=[DataRequired("Choose a password."), Length(max=MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Repeat the password."), EqualTo("password", "The two passwords differ.")],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password."), Length(max=MAX_LENGTH)]
    )
    new_password = PasswordField(
        "New password",
        description=PASSWORD_HINT,
        validators=[DataRequired("Choose a new password."), Length(max=MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("new_password", "The two passwords differ.")],
    )


def link_for(purpose: str, token: str) -> str:
    """The absolute link put in an e-mail, on the configured public URL."""
    endpoint = "auth.reset_password" if purpose == PASSWORD_RESET else "auth.accept_invitation"
    return services().settings.public_url + url_for(endpoint, token=token)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("home.index")))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    try:
        user = authenticate(form.email.data, form.password.data)
    except TooManyAttempts as exc:
        form.form_errors.append(exc.message)
        return render_template("auth/login.html", form=form), 429, {"Retry-After": str(exc.retry_after)}
    except sign_in.SignInFailed as exc:
        form.form_errors.append(exc.message)
        return render_template("auth/login.html", form=form), 401
    start_session(user)
    flash(f"Welcome, {user.name}.", "success")
    return redirect(safe_next(url_for("home.index")))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sign_in.sign_out(db(), current_user, client_address=client_address(), now=now())
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            sign_in.change_password(
                db(),
                services().passwords,
                current_user,
                now=now(),
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            start_session(current_user._get_current_object())
            flash("Your password is changed. Other devices signed in to your account are signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        sign_in.request_password_reset(db(), email=form.email.data, link_for=link_for, now=now())
        # The same words whether or not the address has an account.
        flash(
            "If that address belongs to an account, we have e-mailed it a link to choose a new password. "
            "The link works once, for one hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = sign_in.check_one_time_link(db(), purpose=PASSWORD_RESET, token=token, now=now())
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            sign_in.reset_password(db(), services().passwords, token=token, new_password=form.password.data, now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            start_session(user)
            flash("Your new password is set and you are signed in.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/reset_password.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    user = sign_in.check_one_time_link(db(), purpose=INVITATION, token=token, now=now())
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept_invitation(
                db(), services().passwords, token=token, new_password=form.password.data, now=now()
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            start_session(user)
            flash("Welcome to microcred. Your password is set and you are signed in.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/accept_invitation.html", form=form, user=user), 422 if form.errors else 200


@bp.after_request
def _no_referrer_on_token_pages(response):
    # The token is in the path: never let it leak to another site through the Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
