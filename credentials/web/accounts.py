"""Issuer admins manage people: list, invite, change roles and school, deactivate and reactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..domain.audit import Actor
from ..domain.errors import InvalidInput
from ..domain.people import accounts, invitations
from ..domain.people.organizations import require_issuer, school_choices
from ..domain.people.roles import ISSUER_ADMIN, ROLE_LABELS, ROLES
from .auth import link_for
from .forms import page_number, show_domain_errors, whole_number
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("accounts", __name__, url_prefix="/admin/people")

STATUS_CHOICES = [
    ("", "Any status"),
    ("active", "Active"),
    ("invited", "Invited, not yet joined"),
    ("inactive", "Deactivated"),
]


class RolesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PersonForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's name."), Length(max=200)])
    roles = RolesField(
        "Roles",
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        validators=[DataRequired("Choose at least one role.")],
    )
    school = SelectField("School", coerce=int, description="Reviewers never review teachers of their own school.")


class InviteForm(PersonForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter an e-mail address."), Length(max=254)])


def _school_options(keep=None) -> list[SelectChoice]:
    """Open schools for a select; a person's current school stays listed even when it has closed."""
    options = [SelectChoice(school_id, name) for school_id, name in school_choices(db())]
    if keep is not None and not keep.is_active:
        options.append(SelectChoice(keep.id, f"{keep.name} (closed)"))
    return options


def _actor() -> Actor:
    return Actor.user(current_user)


@bp.get("")
@role_required(ISSUER_ADMIN)
def list_people():
    criteria = accounts.UserFilter(
        query=request.args.get("q", "")[:200],
        role=request.args.get("role", "") if request.args.get("role") in ROLES else "",
        school_id=whole_number(request.args.get("school")),
        status=request.args.get("status", "")
        if request.args.get("status") in ("active", "inactive", "invited")
        else "",
    )
    result = accounts.find_users(db(), criteria, page=page_number())
    return render_template(
        "accounts/list.html", result=result, criteria=criteria, schools=school_choices(db()), statuses=STATUS_CHOICES
    )


@bp.route("/invite", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def invite():
    form = InviteForm()
    form.school.choices = _school_options()
    if form.validate_on_submit():
        try:
            user = invitations.invite_user(
                db(),
                email=form.email.data,
                name=form.name.data,
                roles=form.roles.data,
                school_id=form.school.data,
                actor=_actor(),
                issuer_name=require_issuer(db()).name,
                link_for=link_for,
                now=now(),
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Invitation sent to {user.email}. The link works for 7 days.", "success")
            return redirect(url_for("accounts.show_person", user_id=user.id))
    return render_template("accounts/invite.html", form=form), 422 if form.errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def show_person(user_id: int):
    user = accounts.get_user(db(), user_id)
    form = _person_form(user)
    if form.validate_on_submit():
        try:
            changes = {"name": form.name.data, "roles": form.roles.data, "school_id": form.school.data}
            accounts.update_user(db(), user, **changes, actor=_actor(), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Saved the changes to {user.name}.", "success")
            return redirect(url_for("accounts.show_person", user_id=user.id))
    return render_template(
        "accounts/person.html", user=user, form=form, action=FlaskForm()
    ), 422 if form.errors else 200


def _person_form(user) -> PersonForm:
    """The person's form: filled from their account on GET, from what was posted otherwise."""
    form = PersonForm(obj=user if request.method == "GET" else None)
    form.school.choices = _school_options(keep=user.school)
    if request.method == "GET":
        form.roles.data, form.school.data = sorted(user.roles), user.school_id
    return form


@bp.post("/<int:user_id>/deactivate")
@role_required(ISSUER_ADMIN)
def deactivate(user_id: int):
    user = accounts.get_user(db(), user_id)
    accounts.deactivate_user(db(), user, actor=_actor(), now=now())
    flash(f"{user.name} is deactivated: they cannot sign in or be assigned work. Nothing was deleted.", "success")
    return redirect(url_for("accounts.show_person", user_id=user.id))


@bp.post("/<int:user_id>/reactivate")
@role_required(ISSUER_ADMIN)
def reactivate(user_id: int):
    user = accounts.get_user(db(), user_id)
    accounts.reactivate_user(db(), user, actor=_actor(), now=now())
    flash(f"{user.name} is active again.", "success")
    return redirect(url_for("accounts.show_person", user_id=user.id))


@bp.post("/<int:user_id>/resend-invitation")
@role_required(ISSUER_ADMIN)
def resend_invitation(user_id: int):
    user = accounts.get_user(db(), user_id)
    invitations.resend_invitation(
        db(), user, actor=_actor(), issuer_name=require_issuer(db()).name, link_for=link_for, now=now()
    )
    flash(f"A new invitation is on its way to {user.email}; earlier links no longer work.", "success")
    return redirect(url_for("accounts.show_person", user_id=user.id))
