"""Issuer admins design the district's certificates (colours, border, default paper, signatory) with a live preview.

The preview is a PNG of a sample certificate at ``/admin/certificate/preview.png`` with the design in the query
string; the page's script refreshes it as the form changes, and without JavaScript the "Preview" button does the same
through the form.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..domain.audit import Actor
from ..domain.credentials import certificate_design
from ..domain.errors import InvalidInput
from ..domain.people.roles import ISSUER_ADMIN
from .errors import error_response
from .forms import show_domain_errors
from .sessions import role_required
from .transaction import db, now, services

bp = Blueprint("certificate_settings", __name__, url_prefix="/admin/certificate")

DESIGN_FIELDS = ("primary", "accent", "border", "paper", "signatory_name", "signatory_title")


class ColourField(StringField):
    """``<input type="color">``: a colour picker that submits ``#rrggbb``."""

    def __call__(self, **kwargs):
        kwargs.setdefault("type", "color")
        return super().__call__(**kwargs)


class DesignForm(FlaskForm):
    primary = ColourField("Main colour", description="Titles and the earner's name. Must be dark enough to read.")
    accent = ColourField("Accent colour", description="Rules, the border and ornaments.")
    border = SelectField("Border", choices=[SelectChoice(k, v) for k, v in certificate_design.BORDER_LABELS.items()])
    paper = SelectField(
        "Default paper size",
        choices=[SelectChoice(k, v) for k, v in certificate_design.PAPER_LABELS.items()],
        description="Anyone can still download the other size.",
    )
    signatory_name = StringField("Signed by", validators=[Length(max=80)])
    signatory_title = StringField("Signatory's title", validators=[Length(max=120)])
    signature = FileField(
        "Signature image", description="PNG or SVG on a transparent or white background, at most 512 KB."
    )
    remove_signature = BooleanField("Remove the current signature image")


def _design_values(source) -> dict[str, str]:
    return {name: (source.get(name) or "")[:200] for name in DESIGN_FIELDS}


@bp.route("", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN)
def edit():
    design = certificate_design.certificate_design(db())
    form = _design_form(design)
    if form.validate_on_submit():
        try:
            if _check_or_save(form):
                flash("Saved. Certificates use the new design from their next download.", "success")
                return redirect(url_for("certificate_settings.edit"))
        except InvalidInput as exc:
            show_domain_errors(form, exc)
    preview = url_for("certificate_settings.preview", **{n: getattr(form, n).data or "" for n in DESIGN_FIELDS})
    status = 422 if form.errors else 200
    return render_template("certificate_settings/edit.html", form=form, design=design, preview=preview), status


def _design_form(design) -> DesignForm:
    """The design form: filled from the saved design on GET, from what was posted otherwise."""
    form = DesignForm()
    if request.method == "GET":
        theme = design.theme
        form.primary.data, form.accent.data, form.border.data, form.paper.data = (
            theme.primary, theme.accent, theme.border, theme.paper,
        )  # fmt: skip
        form.signatory_name.data, form.signatory_title.data = design.signatory_name, design.signatory_title
    return form


def _check_or_save(form: DesignForm) -> bool:
    """Check the posted design (the Preview button) or save it; True when it was saved."""
    values = {name: getattr(form, name).data for name in DESIGN_FIELDS}
    if request.form.get("action") == "preview":
        certificate_design.checked_design(**values)
        return False
    signature = form.signature.data.read() if form.signature.data else None
    certificate_design.save_certificate_design(
        db(), **values, signature=signature, remove_signature=form.remove_signature.data,
        actor=Actor.user(current_user), now=now(),
    )  # fmt: skip
    return True


@bp.get("/preview.png")
@role_required(ISSUER_ADMIN)
def preview():
    try:
        png = certificate_design.preview_png(
            db(), **_design_values(request.args), public_url=services().settings.public_url, today=now().date()
        )
    except InvalidInput as exc:
        return error_response(422, " ".join(exc.errors.values()))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
