"""A teacher's growth plan, its goals and check-ins, and the coach's review of it."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.people.roles import COACH, TEACHER
from ..domain.plans import checkins, goal_ideas, plan_page, plans, suggestions, workflow
from ..domain.plans.checkins import CheckInUpload, FileRoom
from ..domain.plans.coach_queue import coach_queue as build_coach_queue
from ..domain.plans.goal_form import goal_form
from ..domain.plans.goal_page import check_in_file as find_check_in_file
from ..domain.plans.goal_page import goal_chart as build_goal_chart
from ..domain.plans.goal_page import goal_page
from ..domain.plans.like_goals import like_goals
from ..domain.plans.workflow import GoalEnding
from .charts import svg_chart_response
from .errors import error_response
from .evidence_files import evidence_response
from .forms import safe_next, whole_number
from .plan_forms import goal_input, per_goal
from .sessions import login_manager, role_required
from .transaction import db, now, services

bp = Blueprint("plans", __name__)
REFUSED = (InvalidInput, Conflict)


def _seen() -> int | None:
    return whole_number(request.form.get("revision"))


def _render_plan(plan_id: int, *, errors=None, message=None, error_goal=None, status=200):
    page = plan_page.plan_page(db(), plan_id, current_user, now=now(), dismissed=request.args.get("dismissed"))
    return render_template(
        "plans/plan.html",
        page=page,
        errors=errors or {},
        message=message,
        error_goal=error_goal,
        posted=request.form,
    ), status


def _refused(plan_id: int, exc, *, error_goal=None):
    """The plan page again, with the domain's sentences and what was typed (409 or 422)."""
    errors = exc.errors if isinstance(exc, InvalidInput) else {}
    return _render_plan(plan_id, errors=errors, message=exc.message, error_goal=error_goal, status=exc.status)


def _to_plan(plan_id: int, message: str, goal_id: int | None = None):
    flash(message, "success")
    return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor=f"goal-{goal_id}" if goal_id else None))


# ---- the teacher's plan


@bp.get("/my/plan")
@role_required(TEACHER)
def my_plan():
    found = plan_page.my_plan(db(), current_user, now=now())
    if isinstance(found, int):
        return redirect(url_for("plans.show_plan", plan_id=found))
    return render_template("plans/start.html", page=found)


@bp.post("/my/plan/start")
@role_required(TEACHER)
def start_plan():
    try:
        plan = plans.start_plan(db(), current_user, now=now())
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("plans.my_plan"))
    return _to_plan(plan.id, f"Your plan for {plan.school_year.name} is started. Add your first goal.")


@bp.get("/plans/<int:plan_id>")
@login_required
def show_plan(plan_id: int):
    return _render_plan(plan_id)


@bp.route("/plans/<int:plan_id>/goals/new", methods=["GET", "POST"])
@role_required(TEACHER)
def new_goal(plan_id: int):
    idea_id = whole_number(request.values.get("idea"))
    if request.method == "GET":
        return _goal_form_page(goal_form(db(), current_user, plan_id=plan_id, idea_id=idea_id))
    data = goal_input()
    try:
        if idea_id is not None:
            goal = goal_ideas.add_goal_from_idea(db(), plan_id, current_user, idea_id, data, now=now())
        else:
            goal = plans.add_goal(db(), plan_id, current_user, data, now=now())
    except REFUSED as exc:
        return _goal_form_refused(exc, plan_id=plan_id, idea_id=idea_id, typed=data)
    return _to_plan(plan_id, f"Goal {goal.position} is added.", goal.id)


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@role_required(TEACHER)
def edit_goal(goal_id: int):
    if request.method == "GET":
        return _goal_form_page(goal_form(db(), current_user, goal_id=goal_id))
    data = goal_input()
    try:
        goal = plans.edit_goal(db(), goal_id, current_user, data, now=now())
    except REFUSED as exc:
        return _goal_form_refused(exc, goal_id=goal_id, typed=data)
    return _to_plan(goal.plan_id, f"Goal {goal.position} is saved.", goal.id)


def _goal_form_page(form, *, errors=None, message=None, status=200):
    return render_template("plans/goal_form.html", form=form, errors=errors or {}, message=message), status


def _goal_form_refused(exc, *, typed, **where):
    errors = exc.errors if isinstance(exc, InvalidInput) else {}
    try:
        form = goal_form(db(), current_user, typed=typed, **where)
    except Conflict:  # the plan went to review meanwhile: the sentence on the plan page, with nothing lost there
        return _refused(where.get("plan_id") or plans.find_goal(db(), where["goal_id"]).plan_id, exc)
    return _goal_form_page(form, errors=errors, message=exc.message, status=exc.status)


@bp.post("/goals/<int:goal_id>/remove")
@role_required(TEACHER)
def remove_goal(goal_id: int):
    plan_id = plans.find_goal(db(), goal_id).plan_id
    try:
        plans.remove_goal(db(), goal_id, current_user, now=now())
    except REFUSED as exc:
        return _refused(plan_id, exc)
    return _to_plan(plan_id, "The goal is removed.")


@bp.post("/goals/<int:goal_id>/sharing")
@role_required(TEACHER)
def share_goal(goal_id: int):
    share = request.form.get("share_progress") == "yes"
    visibility = request.form.get("visibility", "")
    try:
        goal = plans.set_sharing(db(), goal_id, current_user, visibility=visibility, share_progress=share, now=now())
    except REFUSED as exc:
        return _refused(plans.find_goal(db(), goal_id).plan_id, exc, error_goal=goal_id)
    return _to_plan(goal.plan_id, "Who may see this goal is saved.", goal.id)


@bp.post("/goals/<int:goal_id>/actions")
@role_required(TEACHER)
def add_action(goal_id: int):
    form = request.form
    try:
        action = plans.add_action(
            db(), goal_id, current_user, kind=form.get("kind", ""), slug=form.get("slug", ""),
            description=form.get("description", ""), now=now(),
        )  # fmt: skip
    except REFUSED as exc:
        return _refused(plans.find_goal(db(), goal_id).plan_id, exc, error_goal=goal_id)
    return _to_plan(action.goal.plan_id, "The learning action is added.", goal_id)


@bp.post("/goals/<int:goal_id>/actions/<int:action_id>/remove")
@role_required(TEACHER)
def remove_action(goal_id: int, action_id: int):
    plan_id = plans.find_goal(db(), goal_id).plan_id
    try:
        plans.remove_action(db(), action_id, current_user, now=now())
    except REFUSED as exc:
        return _refused(plan_id, exc, error_goal=goal_id)
    return _to_plan(plan_id, "The learning action is removed.", goal_id)


# ---- the workflow


@bp.post("/plans/<int:plan_id>/request-review")
@login_required
def request_review(plan_id: int):
    return _step(plan_id, workflow.request_review, "Your coaches are asked to review your plan.",
                 note=request.form.get("note", ""))  # fmt: skip


@bp.post("/plans/<int:plan_id>/cancel-request")
@login_required
def cancel_request(plan_id: int):
    return _step(plan_id, workflow.cancel_request, "The request is taken back: your plan is a draft again.")


@bp.post("/plans/<int:plan_id>/start-review")
@role_required(COACH)
def start_review(plan_id: int):
    return _step(plan_id, workflow.start_review, "You are reviewing this plan. The teacher is told by e-mail.")


@bp.post("/plans/<int:plan_id>/approve")
@role_required(COACH)
def approve(plan_id: int):
    return _step(plan_id, workflow.approve, "The plan is approved and under way. The teacher is told by e-mail.",
                 comments=per_goal("comment"))  # fmt: skip


@bp.post("/plans/<int:plan_id>/send-back")
@role_required(COACH)
def send_back(plan_id: int):
    done = "The plan is sent back with your comments. The teacher is told by e-mail."
    return _step(plan_id, workflow.send_back, done, comments=per_goal("comment"))


@bp.post("/plans/<int:plan_id>/reopen")
@role_required(COACH)
def reopen(plan_id: int):
    return _step(plan_id, workflow.reopen, "The plan is active again. The teacher is told by e-mail.",
                 comment=request.form.get("comment", ""))  # fmt: skip


def _step(plan_id: int, take, done: str, **words):
    """Take one workflow step on the revision the person saw; a refusal redraws the plan page with the sentence."""
    try:
        take(db(), plan_id, current_user, seen=_seen(), now=now(), **words)
    except REFUSED as exc:
        return _refused(plan_id, exc)
    return _to_plan(plan_id, done)


@bp.route("/plans/<int:plan_id>/complete", methods=["GET", "POST"])
@login_required
def complete_plan(plan_id: int):
    if request.method == "GET":
        return _complete_page(plan_id)
    values, reflections = per_goal("end_value"), per_goal("reflection")
    endings = {gid: GoalEnding(values.get(gid), reflections.get(gid, "")) for gid in values.keys() | reflections}
    try:
        workflow.complete(db(), plan_id, current_user, endings=endings, seen=_seen(), now=now())
    except REFUSED as exc:
        return _complete_page(plan_id, errors=getattr(exc, "errors", {}), message=exc.message, status=exc.status)
    return _to_plan(plan_id, "The plan is complete. Well done.")


def _complete_page(plan_id: int, *, errors=None, message=None, status=200):
    page = plan_page.plan_page(db(), plan_id, current_user, now=now())
    if not page.buttons.complete and status == 200:
        abort(409 if page.status != "active" else 403)
    context = {"page": page, "errors": errors or {}, "message": message, "posted": request.form}
    return render_template("plans/complete.html", **context), status


# ---- goals, their chart, check-ins and thread


@bp.get("/goals/<int:goal_id>")
def goal(goal_id: int):
    return _render_goal(goal_id)


def _render_goal(goal_id: int, *, errors=None, message=None, status=200):
    viewer = current_user if current_user.is_authenticated else None
    try:
        page = goal_page(db(), goal_id, viewer)
    except NotFound:
        if viewer is None:
            return login_manager.unauthorized()
        raise
    # A second domain call: the teachers with like goals, only for the teacher and their coaches (issue 18).
    like = like_goals(db(), goal_id, viewer, now=now()) if page.sight.whole_plan else None
    context = {"page": page, "like": like, "errors": errors or {}, "message": message, "posted": request.form}
    return render_template("plans/goal.html", **context), status


@bp.get("/goals/<int:goal_id>/chart.svg")
def goal_chart(goal_id: int):
    viewer = current_user if current_user.is_authenticated else None
    try:
        chart = build_goal_chart(db(), goal_id, viewer)
    except NotFound:
        if viewer is None:
            return login_manager.unauthorized()
        raise
    return svg_chart_response(chart.svg)


@bp.post("/goals/<int:goal_id>/comments")
@login_required
def comment(goal_id: int):
    try:
        workflow.add_comment(db(), goal_id, current_user, body=request.form.get("body", ""), now=now())
    except REFUSED as exc:
        return _render_goal(goal_id, errors=getattr(exc, "errors", {}), message=exc.message, status=exc.status)
    flash("Your comment is added.", "success")
    return redirect(url_for("plans.goal", goal_id=goal_id, _anchor="thread"))


@bp.route("/goals/<int:goal_id>/check-ins/new", methods=["GET", "POST"])
@login_required
def new_check_in(goal_id: int):
    if request.method == "GET":
        return _check_in_page(goal_id)
    form = request.form
    files = [CheckInUpload(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename]
    room = FileRoom(services().evidence, services().settings.max_upload_bytes)
    try:
        checkins.add_check_in(
            db(), goal_id, current_user, checked_on=form.get("checked_on"), value=form.get("value"),
            reflection=form.get("reflection", ""), links=form.getlist("links"), files=files, room=room, now=now(),
        )  # fmt: skip
    except REFUSED as exc:
        return _check_in_page(goal_id, errors=getattr(exc, "errors", {}), message=exc.message, status=exc.status)
    flash("Your check-in is added.", "success")
    return redirect(url_for("plans.goal", goal_id=goal_id, _anchor="check-ins"))


def _check_in_page(goal_id: int, *, errors=None, message=None, status=200):
    page = goal_page(db(), goal_id, current_user)
    if not page.viewer_is_teacher:
        abort(403)
    limit = services().settings.max_upload_bytes // (1024 * 1024)
    context = {"page": page, "errors": errors or {}, "message": message, "posted": request.form}
    return render_template("plans/check_in.html", today=now(), file_limit_mb=limit, **context), status


@bp.get("/goals/<int:goal_id>/check-ins/<int:check_in_id>/files/<int:file_id>")
def check_in_file(goal_id: int, check_in_id: int, file_id: int):
    viewer = current_user if current_user.is_authenticated else None
    try:
        found = find_check_in_file(db(), goal_id, check_in_id, file_id, viewer)
    except NotFound:
        if viewer is None:
            return login_manager.unauthorized()
        raise
    return evidence_response(found)


@bp.errorhandler(413)
def _too_large(_exc):
    if request.endpoint == "plans.new_check_in":
        limit = services().settings.max_upload_bytes // (1024 * 1024)
        return error_response(
            413,
            f"What you sent is larger than we accept (each file may be at most {limit} MB), so the check-in was not "
            "saved. Go back and add smaller files, or a link instead.",
        )
    return error_response(413)


# ---- suggestions and the coach's list


@bp.post("/suggestions/<slug>/dismiss")
@role_required(TEACHER)
def dismiss_suggestion(slug: str):
    suggestions.dismiss(db(), current_user, slug, now=now())
    flash("We will not suggest it again. Changed your mind? Choose “Undo” below.", "success")
    return redirect(_with_query(safe_next(url_for("attempts.dashboard")), dismissed=slug))


@bp.post("/suggestions/<slug>/undo")
@role_required(TEACHER)
def undo_dismiss(slug: str):
    suggestions.undo_dismiss(db(), current_user, slug, now=now())
    flash("It may be suggested again.", "success")
    return redirect(safe_next(url_for("attempts.dashboard")))


def _with_query(path: str, **values) -> str:
    parts = urlsplit(path)
    query = "&".join(q for q in (parts.query, urlencode(values)) if q)
    return urlunsplit(("", "", parts.path, query, "suggestions"))


@bp.get("/coaching/plans")
@role_required(COACH)
def coach_queue():
    return render_template("plans/coach_queue.html", queue=build_coach_queue(db(), current_user))
