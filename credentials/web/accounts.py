"""Issuer admins manage people: list, invite, change roles and school, say where coaches coach, deactivate and
reactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..domain.audit import Actor
from ..domain.errors import InvalidInput
from ..domain.people import accounts, invitations, teaching
from ..domain.people.organizations import require_issuer, school_choices
from ..domain.people.person_page import WHOLE_DISTRICT_CHOICE, person_page
from ..domain.people.roles import COACH, ISSUER_ADMIN, ROLE_LABELS, ROLES
from .auth import link_for
from .forms import page_number, show_domain_errors, whole_number
from .goals_boards import teaching_form
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
    school = SelectField(
        "School",
        coerce=int,
        description="Where the person works. Reviewers never review teachers of their own school. Where a coach "
        "coaches is chosen on their page.",
    )


class InviteForm(PersonForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter an e-mail address."), Length(max=254)])


class CoachingForm(FlaskForm):
    """Assign a coach to one more place; the places offered come from the person's page, the domain checks them."""

    school = SelectField("Assign to", id="coaching-school", validate_choice=False)

    def validate_school(self, field) -> None:
        if field.data != WHOLE_DISTRICT_CHOICE and whole_number(field.data) is None:
            raise ValidationError("Choose a school or the whole district.")

    @property
    def school_id(self) -> int | None:
        return None if self.school.data == WHOLE_DISTRICT_CHOICE else whole_number(self.school.data)


@bp.context_processor
def _role_words() -> dict:
    return {"role_descriptions": accounts.ROLE_DESCRIPTIONS}


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
            return _to_person(user, new_coach=COACH in user.roles)
    return render_template("accounts/invite.html", form=form), 422 if form.errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def show_person(user_id: int):
    page = person_page(db(), user_id)
    user, was_coach = page.user, COACH in page.user.roles
    form = _person_form(user)
    if form.validate_on_submit():
        try:
            changes = {"name": form.name.data, "roles": form.roles.data, "school_id": form.school.data}
            accounts.update_user(db(), user, **changes, actor=_actor(), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Saved the changes to {user.name}.", "success")
            return _to_person(user, new_coach=COACH in user.roles and not was_coach)
    return _person_html(page, form=form)


@bp.post("/<int:user_id>/coaching")
@role_required(ISSUER_ADMIN)
def add_coaching(user_id: int):
    form = CoachingForm()
    if form.validate():
        try:
            done = accounts.add_coaching(db(), user_id, form.school_id, actor=_actor(), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"{done.coach_name} now coaches teachers {done.where}.", "success")
            return redirect(url_for("accounts.show_person", user_id=user_id, _anchor="coaching"))
    return _person_html(person_page(db(), user_id), coaching_form=form)


@bp.post("/<int:user_id>/teaching")
@role_required(ISSUER_ADMIN)
def set_teaching(user_id: int):
    user = accounts.get_user(db(), user_id)
    form = teaching_form(user, posted=True)
    if form.validate():
        try:
            teaching.set_teaching(
                db(), user, grade_band=form.grade_band.data, subject=form.subject.data, actor=_actor(), now=now()
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Saved what {user.name} teaches.", "success")
            return redirect(url_for("accounts.show_person", user_id=user_id, _anchor="teaching"))
    return _person_html(person_page(db(), user_id), teaching=form)


@bp.post("/<int:user_id>/coaching/<int:assignment_id>/end")
@role_required(ISSUER_ADMIN)
def end_coaching(user_id: int, assignment_id: int):
    done = accounts.end_coaching(db(), user_id, assignment_id, actor=_actor(), now=now())
    flash(f"{done.coach_name} no longer coaches teachers {done.where}.", "success")
    return redirect(url_for("accounts.show_person", user_id=user_id, _anchor="coaching"))


def _person_html(page, *, form=None, coaching_form=None, teaching=None):
    """The person's page, with whichever of its forms was posted holding what was typed and its errors."""
    form = form or _person_form(page.user, posted=False)
    coaching_form = coaching_form or CoachingForm(formdata=None)
    teaching = teaching or teaching_form(page.user, posted=False)
    if page.coaching:
        coaching_form.school.choices = [SelectChoice(value, label) for value, label in page.coaching.options]
    status = 422 if form.errors or coaching_form.errors or teaching.errors else 200
    return render_template(
        "accounts/person.html", user=page.user, page=page, form=form, coaching_form=coaching_form,
        teaching_form=teaching, action=FlaskForm(),
    ), status  # fmt: skip


def _to_person(user, *, new_coach: bool):
    """Back to the person's page; to its coaching section for a new coach, who coaches nobody until assigned."""
    if new_coach:
        flash(f"Now choose where {user.name} coaches: a school or the whole district.", "info")
        return redirect(url_for("accounts.show_person", user_id=user.id, _anchor="coaching"))
    return redirect(url_for("accounts.show_person", user_id=user.id))


def _person_form(user, *, posted: bool | None = None) -> PersonForm:
    """The person's form: filled from what was posted to it, otherwise (a GET, another form posted) from their
    account."""
    posted = request.method == "POST" if posted is None else posted
    form = PersonForm(formdata=None, obj=user) if not posted else PersonForm()
    form.school.choices = _school_options(keep=user.school)
    if not posted:
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
