"""The clinic's staff, for owners: list, invite by e-mail, change roles, remove.

The last owner can be neither removed nor demoted: the check runs with the clinic's row
locked (FOR UPDATE on PostgreSQL), so two owners demoting each other at once cannot
leave the clinic without one.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from .. import mail
from ..auth import audit, links
from ..auth.access import role_required
from ..auth.forms import EmptyForm
from ..extensions import db
from ..models import ROLE_LABELS, ROLES, Invitation, Membership, Tenant, User, utcnow
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Staff", "studio.staff", order=90)
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]
ROLE_HELP = {
    "owner": "everything, including staff, settings and client data",
    "editor": "posts, media, FAQ and comments",
    "front_desk": "bookings and clients",
}


class InviteForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Please enter an e-mail address."),
            Length(max=254),
            Email("Please enter a valid e-mail address.", check_deliverability=False),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default="editor")

    def validate_email(self, field) -> None:
        from wtforms.validators import ValidationError

        try:
            field.data = mail.address(field.data)
        except mail.AddressError as error:
            raise ValidationError(str(error)) from error


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


def send_invitation(tenant: Tenant, email: str, role: str, inviter: User) -> Invitation:
    """Queue an invitation e-mail whose link (on the clinic's primary domain) lets `email`
    join `tenant` with `role`, once, before it expires. The caller audits and commits."""
    secret = secrets.token_urlsafe(24)
    max_age = int(current_app.config["INVITATION_MAX_AGE"])
    invitation = Invitation(
        tenant_id=tenant.id,
        email=email.lower(),
        role=role,
        secret_hash=links.secret_hash(secret),
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(seconds=max_age),
    )
    db.session.add(invitation)
    db.session.flush()
    token = links.dumps("invitation", {"i": invitation.id, "s": secret, "t": tenant.id})
    mail.queue(
        tenant,
        "invitation",
        invitation.email,
        "staff_invitation",
        key=f"invitation:{invitation.id}",
        inviter=inviter,
        role_label=ROLE_LABELS[invitation.role],
        accept_url=links.area_url(tenant, "studio.accept_invitation", token=token),
        days=max_age // 86_400,
    )
    return invitation


def _members() -> list[Membership]:
    return list(
        db.session.scalars(
            tenant_select(Membership)
            .join(User, User.id == Membership.user_id)
            .options(joinedload(Membership.user))
            .order_by(User.display_name, User.email)
        )
    )


def _pending_invitations() -> list[Invitation]:
    return list(
        db.session.scalars(
            tenant_select(
                Invitation, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow()
            ).order_by(Invitation.created_at.desc())
        )
    )


def _page(invite_form: InviteForm | None = None, status: int = 200, **messages: str):
    page = render_template(
        "studio/staff.html",
        members=_members(),
        invitations=_pending_invitations(),
        invite_form=invite_form or InviteForm(),
        role_choices=ROLE_CHOICES,
        empty_form=EmptyForm(),
        role_help=ROLE_HELP,
        done=request.args.get("done"),
        **messages,
    )
    return page, status


@bp.get("/staff")
@role_required("owner")
def staff():
    return _page()


@bp.post("/staff/invite")
@role_required("owner")
def invite():
    """E-mail an invitation link (on the clinic's primary domain) to join with a role."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    tenant = current_tenant()
    already = db.session.scalars(
        tenant_select(Membership).join(User).where(User.email == form.email.data.lower())
    ).first()
    if already is not None:
        form.email.errors.append("This person is already on the staff.")
        return _page(form, 422)
    invitation = send_invitation(tenant, form.email.data, form.role.data, current_user)
    audit.record(
        "invitation.sent", actor=current_user, target=invitation.email, role=invitation.role
    )
    db.session.commit()
    return redirect(url_for("studio.staff", done="invited"))


@bp.post("/staff/invitations/<int:invitation_id>/revoke")
@role_required("owner")
def revoke_invitation(invitation_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        invitation = get_for_tenant_or_404(Invitation, id=invitation_id)
        audit.record("invitation.revoked", actor=current_user, target=invitation.email)
        db.session.delete(invitation)
        db.session.commit()
    return redirect(url_for("studio.staff", done="revoked"))


def _lock_clinic() -> None:
    """Serialise staff changes of this clinic (PostgreSQL row lock; SQLite has one writer)."""
    db.session.scalars(
        select(Tenant.id).where(Tenant.id == current_tenant().id).with_for_update()
    ).first()


def _owner_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(
            tenant_select(Membership, Membership.role == "owner").subquery()
        )
    )


@bp.post("/staff/<int:member_id>/role")
@role_required("owner")
def change_role(member_id: int):
    form = RoleForm()
    _lock_clinic()
    member = get_for_tenant_or_404(Membership, id=member_id)
    if not form.validate_on_submit():
        return _page(status=422, problem="Please choose one of the roles.")
    if member.role == form.role.data:
        return redirect(url_for("studio.staff"))
    if member.role == "owner" and _owner_count() <= 1:
        db.session.rollback()
        return _page(status=409, problem="The clinic's last owner cannot be given another role.")
    old, member.role = member.role, form.role.data
    audit.record(
        "member.role_changed",
        actor=current_user,
        target=member.user.email,
        old=old,
        new=member.role,
    )
    db.session.commit()
    return redirect(url_for("studio.staff", done="role"))


@bp.post("/staff/<int:member_id>/remove")
@role_required("owner")
def remove(member_id: int):
    """Their sessions here end at once (the user loader needs a membership)."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("studio.staff"))
    _lock_clinic()
    member = get_for_tenant_or_404(Membership, id=member_id)
    if member.role == "owner" and _owner_count() <= 1:
        db.session.rollback()
        return _page(status=409, problem="The clinic's last owner cannot be removed.")
    audit.record("member.removed", actor=current_user, target=member.user.email, role=member.role)
    db.session.delete(member)
    db.session.commit()
    return redirect(url_for("studio.staff", done="removed"))
