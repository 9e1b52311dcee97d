"""The district's details and logo, and its schools."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..domain.audit import Actor
from ..domain.errors import InvalidInput
from ..domain.people import organizations
from ..domain.people.roles import ISSUER_ADMIN
from ..domain.plans import school_years
from .forms import show_domain_errors
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("organizations", __name__)


# The zones of the United States and its territories, as districts name them; any other IANA zone set through the
# CLI stays selectable because the form adds the current one.
US_TIME_ZONES = [
    SelectChoice("America/New_York", "Eastern (New York)"),
    SelectChoice("America/Chicago", "Central (Chicago)"),
    SelectChoice("America/Denver", "Mountain (Denver)"),
    SelectChoice("America/Phoenix", "Mountain, no daylight saving (Phoenix)"),
    SelectChoice("America/Los_Angeles", "Pacific (Los Angeles)"),
    SelectChoice("America/Anchorage", "Alaska (Anchorage)"),
    SelectChoice("Pacific/Honolulu", "Hawaii (Honolulu)"),
    SelectChoice("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
    SelectChoice("Pacific/Guam", "Chamorro (Guam)"),
]


class IssuerForm(FlaskForm):
    name = StringField("District name", validators=[DataRequired("Enter the district's name."), Length(max=200)])
    url = URLField("Web address", validators=[DataRequired("Enter the district's web address."), Length(max=500)])
    email = EmailField(
        "Contact e-mail",
        description="Shown on credentials as the issuer's contact.",
        validators=[DataRequired("Enter a contact e-mail address."), Length(max=254)],
    )
    time_zone = SelectField(
        "Time zone",
        description="Dates on every page, e-mail and certificate are the day in this zone.",
        choices=US_TIME_ZONES,
        validate_choice=False,  # the domain checks any IANA zone; an unknown one gets a sentence, not a crash
    )
    logo = FileField("Logo", description="PNG or JPEG, at most 1 MB. A square image works best on badges.")
    remove_logo = BooleanField("Remove the current logo")


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired("Enter the school's name."), Length(max=200)])


@bp.route("/admin/district", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def edit_issuer():
    issuer = organizations.require_issuer(db())
    form = IssuerForm(obj=issuer)
    if issuer.time_zone not in {choice.value for choice in US_TIME_ZONES}:
        form.time_zone.choices = [*US_TIME_ZONES, SelectChoice(issuer.time_zone, issuer.time_zone)]
    if form.validate_on_submit():
        try:
            details = organizations.clean_issuer_details(
                form.name.data, form.url.data, form.email.data, form.time_zone.data or issuer.time_zone
            )
            logo = form.logo.data.read() if form.logo.data else None
            organizations.update_issuer(
                db(), details, logo=logo, remove_logo=form.remove_logo.data, actor=Actor.user(current_user), now=now()
            )
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("The district's details are saved.", "success")
            return redirect(url_for("organizations.edit_issuer"))
    return render_template("organizations/issuer.html", form=form, issuer=issuer), 422 if form.errors else 200


@bp.get("/issuer/logo")
def issuer_logo():
    issuer = organizations.get_issuer(db())
    if issuer is None or not issuer.logo_sha256:
        abort(404)
    etag = issuer.logo_sha256
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    return Response(
        issuer.logo,
        mimetype=issuer.logo_media_type,
        headers={"ETag": f'"{etag}"', "Cache-Control": "public, max-age=3600"},
    )


@bp.route("/admin/schools", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def list_schools():
    form = SchoolForm()
    if form.validate_on_submit():
        try:
            school = organizations.create_school(db(), name=form.name.data, actor=Actor.user(current_user), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"{school.name} is added.", "success")
            return redirect(url_for("organizations.list_schools"))
    return render_template(
        "organizations/schools.html", form=form, rows=organizations.list_schools(db()), action=FlaskForm()
    ), 422 if form.errors else 200


@bp.route("/admin/schools/<int:school_id>", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def edit_school(school_id: int):
    school = organizations.find_school(db(), str(school_id))
    form = SchoolForm(obj=school)
    if form.validate_on_submit():
        try:
            organizations.rename_school(db(), school_id, name=form.name.data, actor=Actor.user(current_user), now=now())
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash("The school's name is saved.", "success")
            return redirect(url_for("organizations.list_schools"))
    return render_template("organizations/school.html", form=form, school=school), 422 if form.errors else 200


@bp.post("/admin/schools/<int:school_id>/<any(close, reopen):change>")
@role_required(ISSUER_ADMIN)
def set_school_active(school_id: int, change: str):
    school = organizations.set_school_active(
        db(), school_id, active=change == "reopen", actor=Actor.user(current_user), now=now()
    )
    flash(
        f"{school.name} is {'reopened' if school.is_active else 'closed; its people and history are kept'}.", "success"
    )
    return redirect(url_for("organizations.list_schools"))


class SchoolYearForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=40)], description="As teachers know it, such as 2027–28.")
    starts_on = DateField("First day", validators=[Optional()])
    ends_on = DateField("Last day", validators=[Optional()], description="Both days belong to the year.")


@bp.route("/admin/school-years", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def list_school_years():
    page = school_years.school_years_page(db(), now())
    name, starts_on, ends_on = page.suggested
    form = SchoolYearForm(data={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    if form.validate_on_submit():
        try:
            year = school_years.create_school_year(
                db(), name=form.name.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                actor=Actor.user(current_user), now=now(),
            )  # fmt: skip
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"The {year.name} school year is set up: teachers can start their plans for it.", "success")
            return redirect(url_for("organizations.list_school_years"))
    return render_template("organizations/school_years.html", form=form, page=page), 422 if form.errors else 200
