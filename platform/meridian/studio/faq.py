"""The FAQ in the studio: add, edit, reorder, delete (asked first). Owners and editors."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..auth.access import role_required
from ..content import ContentInvalid, faqs
from ..extensions import db
from ..models import Comment, Faq
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav
from .posts import WRITERS, actor_name
from .rescue import AFTER_CSRF

nav.add("FAQ", "studio.faq", order=20)


class FaqForm(FlaskForm):
    question = StringField("Question")
    answer = TextAreaField("Answer")


class MoveForm(FlaskForm):
    direction = HiddenField()


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


@bp.get("/faq")
@role_required(*WRITERS)
def faq():
    tenant = current_tenant()
    return render_template("studio/faq.html", faqs=faqs.ordered(tenant), form=ConfirmForm())


@bp.get("/faq/new")
@role_required(*WRITERS)
def faq_new():
    return render_template("studio/faq_edit.html", form=FaqForm(), faq=None)


@bp.get("/comments/<int:comment_id>/faq")
@role_required(*WRITERS)
def comment_faq(comment_id: int):
    """A reader's question, turned into an FAQ entry: the form comes filled with their
    words (one line) and the clinic's reply, if any, as the answer; nothing is saved
    until the writer edits and saves it (the reader's name and e-mail never go across)."""
    comment = get_for_tenant_or_404(Comment, id=comment_id)
    reply = db.session.scalars(
        tenant_select(Comment)
        .where(Comment.parent_id == comment.id, Comment.by_clinic.is_(True))
        .order_by(Comment.id)
    ).first()
    question = " ".join(comment.body.split())[: faqs.QUESTION_LIMIT]
    form = FaqForm(question=question, answer=reply.body if reply is not None else "")
    return render_template("studio/faq_edit.html", form=form, faq=None, from_comment=comment)


@bp.get("/faq/<int:faq_id>/edit")
@role_required(*WRITERS)
def faq_edit(faq_id: int):
    item = get_for_tenant_or_404(Faq, id=faq_id)
    form = FaqForm(question=item.question, answer=item.answer_md)
    return render_template("studio/faq_edit.html", form=form, faq=item)


@bp.post("/faq/new")
@role_required(*WRITERS)
def faq_create():
    return _save(None)


@bp.post("/faq/<int:faq_id>/edit")
@role_required(*WRITERS)
def faq_save(faq_id: int):
    return _save(get_for_tenant_or_404(Faq, id=faq_id))


def _save(item: Faq | None):
    form = FaqForm()
    try:
        faqs.save_faq(
            current_tenant(),
            item,
            form.question.data or "",
            form.answer.data or "",
            actor=actor_name(),
        )
        db.session.commit()
    except ContentInvalid as refused:
        db.session.rollback()
        for name, message in refused.errors.items():
            field = getattr(form, "answer" if name == "answer" else "question")
            field.errors = [message]
        return render_template("studio/faq_edit.html", form=form, faq=item)
    flash("Question added." if item is None else "Question saved.", "success")
    return redirect(url_for("studio.faq"))


def _after_csrf(faq_id: int | None = None):
    """The question again, as posted, with a fresh token (see rescue.py)."""
    item = get_for_tenant_or_404(Faq, id=faq_id) if faq_id is not None else None
    page = render_template("studio/faq_edit.html", form=FaqForm(), faq=item, csrf_lost=True)
    return page, 400


AFTER_CSRF["studio.faq_create"] = _after_csrf
AFTER_CSRF["studio.faq_save"] = _after_csrf


@bp.post("/faq/<int:faq_id>/move")
@role_required(*WRITERS)
def faq_move(faq_id: int):
    item = get_for_tenant_or_404(Faq, id=faq_id)
    form = MoveForm()
    offset = {"up": -1, "down": 1}.get(form.direction.data or "")
    if offset is not None and faqs.move_faq(current_tenant(), item, offset, actor=actor_name()):
        db.session.commit()
        flash(f"Moved “{item.question}” {form.direction.data}.", "success")
    return redirect(url_for("studio.faq") + f"#faq-{item.id}")


@bp.get("/faq/<int:faq_id>/delete")
@role_required(*WRITERS)
def faq_delete_confirm(faq_id: int):
    item = get_for_tenant_or_404(Faq, id=faq_id)
    return render_template("studio/faq_delete.html", faq=item, form=ConfirmForm())


@bp.post("/faq/<int:faq_id>/delete")
@role_required(*WRITERS)
def faq_delete(faq_id: int):
    item = get_for_tenant_or_404(Faq, id=faq_id)
    question = item.question
    faqs.delete_faq(current_tenant(), item, actor=actor_name())
    db.session.commit()
    flash(f"Deleted “{question}”.", "success")
    return redirect(url_for("studio.faq"))
