"""Issuer admins manage issued credentials: find them, issue one for a named person, revoke, suspend and reinstate.

Each change flips the public status at once (the credential page reads status live) and e-mails the earner after the
request's transaction commits.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..domain.audit import Actor
from ..domain.credentials import admin, admin_page, revocation
from ..domain.errors import Conflict, InvalidInput
from ..domain.people.roles import ISSUER_ADMIN
from .forms import page_number, show_domain_errors
from .sessions import role_required
from .transaction import db, now, services

bp = Blueprint("credential_admin", __name__, url_prefix="/admin/credentials")


class RevokeForm(FlaskForm):
    category = SelectField(
        "Why it is revoked",
        choices=[
            SelectChoice("", "Choose a reason category"),
            *(SelectChoice(*c) for c in revocation.CATEGORIES.items()),
        ],
        validators=[InputRequired("Choose why the credential is revoked.")],
        description="The public sees this category on the credential's page.",
    )
    reason = TextAreaField(
        "Details",
        id="revoke-reason",
        validators=[DataRequired("Give the reason."), Length(max=2000)],
        description="Kept privately in the audit trail; the earner is told the category.",
    )


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the suspension",
        id="suspend-reason",
        validators=[DataRequired("Give the reason for the suspension."), Length(max=2000)],
        description="Kept privately. A suspension can be lifted; the page says Suspended meanwhile.",
    )


class IssueForm(FlaskForm):
    name = StringField("Earner's full name", validators=[DataRequired("Enter the earner's name."), Length(max=200)])
    email = EmailField(
        "Earner's e-mail address", validators=[DataRequired("Enter an e-mail address."), Length(max=254)]
    )
    microcredential = SelectField("Micro-credential", validators=[InputRequired("Choose a micro-credential.")])
    awarded_on = DateField(
        "Awarded on",
        validators=[InputRequired("Enter the date it was awarded.")],
        description="The date on the earner's record, for example from a paper certificate.",
    )


class CsvForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file.")],
        description="Columns: name, email, microcredential (its address, e.g. exit-tickets), awarded_on "
        f"(YYYY-MM-DD), optionally version. At most {admin.WEB_CSV_ROWS} rows.",
    )


def _issue_form(**kwargs) -> IssueForm:
    form = IssueForm(**kwargs)
    choices = admin_page.version_choices(db())
    form.microcredential.choices = [SelectChoice("", "Choose a micro-credential"), *(SelectChoice(*c) for c in choices)]
    return form


def _day(text: str) -> date | None:
    """A YYYY-MM-DD day from the query string; None for anything else (the filter is then left out). Years far off
    are left out too: a day at the edge of the calendar cannot be moved into UTC."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2999 else None


def _actor() -> Actor:
    return Actor.user(current_user)


@bp.get("")
@role_required(ISSUER_ADMIN)
def list_credentials():
    status = request.args.get("status", "")
    criteria = admin_page.CredentialFilter(
        query=request.args.get("q", "")[:200],
        status=status if status in admin_page.STATUSES else "",
        issued_since=_day(request.args.get("since", "")),
    )
    result = admin_page.find_credentials(db(), criteria, now=now(), page=page_number())
    return render_template(
        "credential_admin/list.html",
        result=result,
        criteria=criteria,
        statuses=admin_page.STATUSES,
        csv_rows=admin.WEB_CSV_ROWS,
    )


@bp.route("/issue", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def issue():
    form = _issue_form()
    if form.validate_on_submit():
        try:
            credential, created = admin.issue_to_person(
                db(), services().signing, name=form.name.data, email=form.email.data,
                microcredential=form.microcredential.data, awarded_on=form.awarded_on.data, actor=_actor(), now=now(),
            )  # fmt: skip
        except InvalidInput as exc:
            show_domain_errors(form, exc)
        else:
            message = "Issued and e-mailed to the earner." if created else "This record was already issued; here it is."
            flash(message, "success" if created else "info")
            return redirect(url_for("credential_admin.show_credential", uuid=credential.uuid))
    return render_template("credential_admin/issue.html", form=form, csv_form=CsvForm(formdata=None), outcome=None), (
        422 if form.errors else 200
    )


@bp.post("/issue-csv")
@role_required(ISSUER_ADMIN)
def issue_csv():
    form = CsvForm()
    outcome = None
    if form.validate_on_submit():
        outcome = admin.issue_from_csv(
            db(), services().signing, form.file.data.read(), check_only=request.form.get("action") != "issue",
            actor=_actor(), now=now(),
        )  # fmt: skip
        if not outcome.checked_only:
            flash(
                f"Issued {outcome.issued} credential(s); {outcome.already_issued} row(s) were already issued.",
                "success",
            )
            return redirect(url_for("credential_admin.list_credentials"))
    failed = form.errors or (outcome is not None and outcome.problems)
    html = render_template(
        "credential_admin/issue.html", form=_issue_form(formdata=None), csv_form=form, outcome=outcome
    )
    return html, 422 if failed else 200


@bp.get("/<uuid:uuid>")
@role_required(ISSUER_ADMIN)
def show_credential(uuid):
    return _detail_page(uuid)


def _detail_page(uuid, revoke_form: RevokeForm | None = None, suspend_form: SuspendForm | None = None) -> str:
    detail = admin_page.credential_detail(db(), str(uuid), now=now())
    return render_template(
        "credential_admin/credential.html",
        detail=detail,
        revoke_form=revoke_form or RevokeForm(formdata=None),
        suspend_form=suspend_form or SuspendForm(formdata=None),
        action=FlaskForm(),
        statuses=admin_page.STATUSES,
    )


@bp.post("/<uuid:uuid>/revoke")
@role_required(ISSUER_ADMIN)
def revoke(uuid):
    """Checks the form and asks "Revoke this credential?"; the answer (``confirmed=yes``) revokes."""
    form = RevokeForm()
    if not form.validate():
        return _detail_page(uuid, revoke_form=form), 422
    if request.form.get("confirmed") != "yes":
        return _confirmation(uuid, form, "revoke", category=revocation.CATEGORIES[form.category.data])
    return _change(uuid, "Revoked. The public page now says Revoked and the earner is being told.",
                   revocation.revoke_credential, category=form.category.data, reason=form.reason.data)  # fmt: skip


@bp.post("/<uuid:uuid>/suspend")
@role_required(ISSUER_ADMIN)
def suspend(uuid):
    """Checks the form and asks "Suspend this credential?"; the answer (``confirmed=yes``) suspends."""
    form = SuspendForm()
    if not form.validate():
        return _detail_page(uuid, suspend_form=form), 422
    if request.form.get("confirmed") != "yes":
        return _confirmation(uuid, form, "suspend")
    return _change(uuid, "Suspended. The public page now says Suspended and the earner is being told.",
                   revocation.suspend_credential, reason=form.reason.data)  # fmt: skip


def _confirmation(uuid, form: FlaskForm, change: str, category: str = ""):
    """The page that says what revoking or suspending will do, with the final button; nothing changes yet."""
    detail = admin_page.credential_detail(db(), str(uuid), now=now())
    if not (detail.can_revoke if change == "revoke" else detail.can_suspend):
        flash(
            f"This credential is already {admin_page.STATUSES[detail.row.status].lower()}; nothing changed.", "warning"
        )
        return redirect(url_for("credential_admin.show_credential", uuid=uuid))
    return render_template("credential_admin/confirm.html", detail=detail, form=form, change=change, category=category)


@bp.post("/<uuid:uuid>/unsuspend")
@role_required(ISSUER_ADMIN)
def unsuspend(uuid):
    if not FlaskForm().validate():
        flash("The form expired; try again.", "warning")
        return redirect(url_for("credential_admin.show_credential", uuid=uuid))
    return _change(uuid, "Suspension lifted. The credential verifies again.", revocation.unsuspend_credential)


def _change(uuid, done: str, operation, **fields):
    try:
        operation(db(), services().signing, str(uuid), actor=_actor(), now=now(), **fields)
    except Conflict as exc:
        flash(exc.message, "warning")
    else:
        flash(done, "success")
    return redirect(url_for("credential_admin.show_credential", uuid=uuid))
