"""Plan templates: written by admins and coaches, applied to a school or a group of teachers.

The template form works without JavaScript: three goal blocks, each with a few rows of suggested actions, named by
where they sit (``goals-2-actions-1-kind``), so the domain's sentences land beside the fields they are about."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..domain.errors import InvalidInput
from ..domain.people.roles import COACH, ISSUER_ADMIN
from ..domain.plans import template_application, template_pages, templates
from ..domain.plans.plans import MAX_ACTIONS, focus_options
from ..domain.plans.templates import ACTION_ROWS, TemplateActionInput, TemplateGoalInput, TemplateInput
from ..domain.plans.vocabulary import ACTION_KIND_LABELS, ACTION_KINDS, MAX_GOALS
from .forms import whole_number
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("plan_templates", __name__)


@bp.get("/plan-templates")
@role_required(ISSUER_ADMIN, COACH)
def list_templates():
    return render_template("plan_templates/list.html", listing=template_pages.template_list(db()))


@bp.route("/plan-templates/new", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN, COACH)
def new_template():
    form, data, errors = FlaskForm(), TemplateInput(), {}
    if form.validate_on_submit():
        data = _typed_template()
        try:
            template = templates.create_template(db(), current_user, data, now=now())
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(f"The template “{template.title}” is saved. Apply it to a school or to teachers.", "success")
            return redirect(url_for("plan_templates.show_template", template_id=template.id))
    return _template_form(form, data, errors, template_id=None)


@bp.get("/plan-templates/<int:template_id>")
@role_required(ISSUER_ADMIN, COACH)
def show_template(template_id: int):
    page = template_pages.template_page(db(), template_id, current_user)
    return render_template("plan_templates/show.html", page=page, action=FlaskForm())


@bp.route("/plan-templates/<int:template_id>/edit", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN, COACH)
def edit_template(template_id: int):
    form, errors = FlaskForm(), {}
    data = templates.template_for_editing(db(), template_id, current_user)
    if form.validate_on_submit():
        data = _typed_template()
        try:
            templates.edit_template(db(), template_id, current_user, data, now=now())
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash("The template is saved. Plans started from it show its goals as they are now.", "success")
            return redirect(url_for("plan_templates.show_template", template_id=template_id))
    return _template_form(form, data, errors, template_id=template_id)


@bp.post("/plan-templates/<int:template_id>/archive")
@role_required(ISSUER_ADMIN, COACH)
def archive_template(template_id: int):
    template = templates.archive_template(db(), template_id, current_user, now=now())
    flash(f"“{template.title}” is archived. Plans started from it keep its goal ideas.", "success")
    return redirect(url_for("plan_templates.list_templates"))


@bp.route("/plan-templates/<int:template_id>/apply", methods=["GET", "POST"])
@role_required(ISSUER_ADMIN, COACH)
def apply_template(template_id: int):
    form, errors, chosen = FlaskForm(), {}, _chosen()
    if form.validate_on_submit():
        try:
            outcome = template_application.apply_template(
                db(), template_id, current_user, school_id=chosen["school_id"], teacher_ids=chosen["teacher_ids"],
                now=now(),
            )  # fmt: skip
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(outcome.sentence, "success")
            return redirect(url_for("plan_templates.show_template", template_id=template_id))
    page = template_pages.apply_page(db(), template_id, current_user, now=now())
    return render_template(
        "plan_templates/apply.html", page=page, form=form, errors=errors, chosen=chosen
    ), 422 if errors else 200


def _clean(value: str | None) -> str:
    # PostgreSQL refuses NUL in text; nobody types one on purpose.
    return (value or "").replace("\x00", "")


def _typed_template() -> TemplateInput:
    """The template form as typed, block by block and row by row (blank ones included, to be drawn again)."""
    form = request.form
    goals = []
    for n in range(1, MAX_GOALS + 1):
        at = f"goals-{n}-"
        actions = [
            TemplateActionInput(
                kind=_clean(form.get(f"{at}actions-{k}-kind")),
                slug=_clean(form.get(f"{at}actions-{k}-slug")),
                description=_clean(form.get(f"{at}actions-{k}-description")),
            )
            for k in range(1, MAX_ACTIONS + 1)
        ]
        while actions and actions[-1].is_blank:
            actions.pop()
        goals.append(
            TemplateGoalInput(
                statement=_clean(form.get(f"{at}statement")),
                focus=[_clean(key) for key in form.getlist(f"{at}focus")],
                measure_what=_clean(form.get(f"{at}measure_what")),
                measure_unit=_clean(form.get(f"{at}measure_unit")),
                how_measured=_clean(form.get(f"{at}how_measured")),
                actions=actions,
            )
        )
    return TemplateInput(title=_clean(form.get("title")), description=_clean(form.get("description")), goals=goals)


def _template_form(form: FlaskForm, data: TemplateInput, errors: dict, *, template_id: int | None):
    blocks = [*data.goals, *(TemplateGoalInput() for _ in range(MAX_GOALS - len(data.goals)))][:MAX_GOALS]
    rows = [min(MAX_ACTIONS, max(ACTION_ROWS, len(goal.actions) + 1)) for goal in blocks]
    return render_template(
        "plan_templates/form.html",
        form=form,
        data=data,
        blocks=blocks,
        rows=rows,
        errors=errors,
        template_id=template_id,
        focus=focus_options(db()),
        microcredentials=templates.published_microcredentials(db()),
        kinds=[(kind, ACTION_KIND_LABELS[kind]) for kind in ACTION_KINDS],
    ), 422 if errors else 200


def _chosen() -> dict:
    """The apply form's choice as typed: a whole school, or teachers from the list (ids that are not numbers are
    dropped, and then refused as "choose ...")."""
    if request.method != "POST":
        return {"target": "", "school_id": None, "teacher_ids": None, "school": "", "teachers": set()}
    target = request.form.get("target", "")
    school = request.form.get("school", "")
    teachers = request.form.getlist("teachers")
    ids = [number for number in (whole_number(t) for t in teachers) if number is not None]
    return {
        "target": target,
        # A school that is not a number becomes 0, which no school has: "choose a school" rather than no choice.
        "school_id": (whole_number(school) or 0) if target == "school" else None,
        "teacher_ids": ids if target == "teachers" else None,
        "school": school,
        "teachers": set(teachers),
    }
