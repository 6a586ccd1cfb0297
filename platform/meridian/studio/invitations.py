"""Accepting a staff invitation: from the e-mailed link, once, before it expires.

A new person chooses their name and password; someone who already has a Meridian
account (at another clinic) proves it with their password. Either way the sign-in then
goes through the usual pipeline (so a required second factor still applies).
"""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ..auth import audit, links, passwords
from ..auth.access import anonymous_allowed
from ..auth.forms import AcceptNewAccountForm
from ..auth.ratelimit import attempts_limited
from ..auth.signin import password_verified
from ..extensions import db
from ..models import Invitation, Membership, User, utcnow
from ..tenancy import current_tenant, tenant_select
from . import bp


class AcceptExistingForm(FlaskForm):
    password = PasswordField(
        "Your Meridian password",
        validators=[DataRequired("Please enter your password."), Length(max=1024)],
    )


def _invitation_from(token: str) -> Invitation:
    data = links.loads("invitation", token, int(current_app.config["INVITATION_MAX_AGE"]))
    if data.get("t") != current_tenant().id or not isinstance(data.get("i"), int):
        raise links.LinkError("invalid")
    invitation = db.session.scalars(tenant_select(Invitation, Invitation.id == data["i"])).first()
    if invitation is None or invitation.secret_hash != links.secret_hash(str(data.get("s"))):
        raise links.LinkError("invalid")  # revoked, or not this invitation's secret
    if invitation.accepted_at is not None:
        raise links.LinkError("used")
    if invitation.expires_at <= utcnow():
        raise links.LinkError("expired")
    return invitation


def _token_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return "invitation:" + hashlib.sha256(token.encode()).hexdigest()[:16]


def _problem(reason: str):
    page = render_template(
        "auth/link_problem.html", reason=reason, area="studio", invitation_link=True
    )
    return page, 400, {"Referrer-Policy": "no-referrer"}


def _claim(invitation: Invitation) -> bool:
    """Mark the invitation used; False if another request got there first."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@attempts_limited("sign_in", _token_key)
@anonymous_allowed
def accept_invitation(token: str):
    try:
        invitation = _invitation_from(token)
    except links.LinkError as error:
        return _problem(error.reason)
    user = db.session.scalars(select(User).where(User.email == invitation.email)).first()
    if user is not None and not user.is_active:
        return _problem("invalid")
    form = AcceptExistingForm() if user is not None else AcceptNewAccountForm()
    form.account_email = invitation.email
    if form.validate_on_submit():
        if user is not None and not passwords.verify_password(user, form.password.data):
            form.password.errors.append(f"That is not the password of {invitation.email}.")
        else:
            if not _claim(invitation):
                db.session.rollback()
                return _problem("used")
            if user is None:
                user = User(
                    email=invitation.email,
                    display_name=form.display_name.data.strip(),
                    password_hash=passwords.hash_password(form.new_password.data),
                    password_changed_at=utcnow(),
                )
                db.session.add(user)
                db.session.flush()
            db.session.add(
                Membership(tenant_id=invitation.tenant_id, user_id=user.id, role=invitation.role)
            )
            audit.record(
                "invitation.accepted", actor=user, target=invitation.email, role=invitation.role
            )
            db.session.commit()
            return password_verified(user, "")
    page = render_template(
        "studio/accept_invitation.html", form=form, invitation=invitation, existing=user is not None
    )
    return page, (422 if form.errors else 200), {"Referrer-Policy": "no-referrer"}
