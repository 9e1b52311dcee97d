"""Issuer admins watch e-mail delivery; in development without SMTP they read the messages here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..domain import outbox
from ..domain.audit import Actor
from ..domain.outbox import FAILED, LOGGED, PENDING, SENT
from ..domain.people.roles import ISSUER_ADMIN
from .forms import page_number
from .sessions import role_required
from .transaction import db, now, services

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")


@bp.get("")
@role_required(ISSUER_ADMIN)
def list_messages():
    status = request.args.get("status", "")
    status = status if status in (PENDING, SENT, LOGGED, FAILED) else ""
    result = outbox.list_messages(db(), status=status, page=page_number())
    return render_template(
        "outbox/list.html",
        result=result,
        status=status,
        action=FlaskForm(),
        smtp_configured=bool(services().settings.smtp_url),
        statuses=(PENDING, SENT, LOGGED, FAILED),
    )


@bp.post("/<int:message_id>/requeue")
@role_required(ISSUER_ADMIN)
def requeue(message_id: int):
    message = outbox.requeue_message(db(), message_id, actor=Actor.user(current_user), now=now())
    flash(f"The message to {message.recipient} is queued again.", "success")
    return redirect(url_for("outbox.list_messages"))
