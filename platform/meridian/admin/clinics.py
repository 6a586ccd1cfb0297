"""One clinic in the admin console: its domains (add, verify by DNS, make primary, remove)
and its state (suspend with a reason, resume); its export and deletion are in leaving.py.
Every action is in the audit log, under the clinic, so its owner sees what the platform
did to it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import domains
from ..auth import audit
from ..auth.access import platform_admin_required
from ..auth.forms import EmptyForm
from ..auth.sessions import end_clinic_sessions
from ..extensions import db
from ..models import AuditEvent, Domain, Tenant, User
from . import bp, removal


class DomainForm(FlaskForm):
    hostname = StringField(
        "Domain",
        validators=[
            DataRequired("Enter the domain, like harbour-physio.co.nz."),
            Length(max=253, message="A domain has at most 253 characters."),
        ],
    )


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Reason (shown in the audit log, not to visitors)",
        validators=[
            DataRequired("Say why the clinic is suspended."),
            Length(max=500, message="Please keep the reason under 500 characters."),
        ],
    )


class DeleteForm(FlaskForm):
    confirm_name = StringField(
        "Type the clinic's name to confirm",
        validators=[
            DataRequired("Type the clinic's name, exactly as shown, to confirm."),
            Length(max=200, message="That is longer than any clinic's name."),
        ],
    )


def _tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def _domain(tenant: Tenant, domain_id: int) -> Domain:
    domain = db.session.scalars(
        select(Domain).where(Domain.id == domain_id, Domain.tenant_id == tenant.id)
    ).first()
    if domain is None:
        abort(404)
    return domain


def _admin() -> User:
    return db.session.get(User, current_user.id)


def _page(tenant: Tenant, status: int = 200, **forms):
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(30)
    ).all()
    context = {
        "tenant": tenant,
        "domain_form": DomainForm(),
        "suspend_form": SuspendForm(),
        "action_form": EmptyForm(),
        "delete_form": DeleteForm(),
        "last_export": removal.last_export(tenant),
        "export_fresh": removal.fresh_export(tenant) is not None,
        "events": events,
        "challenge_name": domains.challenge_name,
        "challenge_value": domains.challenge_value,
    }
    context.update(forms)
    return render_template("admin/clinic.html", **context), status


def _done(tenant: Tenant, message: str):
    flash(message)
    return redirect(url_for("admin.clinic", tenant_id=tenant.id))


@bp.get("/clinics/<int:tenant_id>")
@platform_admin_required
def clinic(tenant_id: int):
    return _page(_tenant(tenant_id))


@bp.post("/clinics/<int:tenant_id>/domains")
@platform_admin_required
def domain_add(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = DomainForm()
    if form.validate_on_submit():
        try:
            domain = domains.add_pending(tenant, form.hostname.data)
        except domains.DomainError as problem:
            form.hostname.errors.append(str(problem))
        else:
            audit.record("domain.added", actor=_admin(), target=domain.hostname, tenant=tenant)
            db.session.commit()
            return _done(
                tenant, f"{domain.hostname} is added. Publish its DNS record, then verify."
            )
    return _page(tenant, 400, domain_form=form)


@bp.post("/clinics/<int:tenant_id>/domains/<int:domain_id>/verify")
@platform_admin_required
def domain_verify(tenant_id: int, domain_id: int):
    tenant = _tenant(tenant_id)
    domain = _domain(tenant, domain_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ok = domains.verify(domain)
    except domains.DomainError as problem:
        return _done(tenant, str(problem))
    audit.record(
        "domain.verified" if ok else "domain.verify_failed",
        actor=_admin(),
        target=domain.hostname,
        tenant=tenant,
    )
    db.session.commit()
    if ok:
        return _done(tenant, f"{domain.hostname} is verified and now serves the clinic.")
    return _done(
        tenant,
        f"The TXT record for {domain.hostname} was not found yet. DNS changes can take a "
        "while to appear; try again later.",
    )


@bp.post("/clinics/<int:tenant_id>/domains/<int:domain_id>/primary")
@platform_admin_required
def domain_primary(tenant_id: int, domain_id: int):
    tenant = _tenant(tenant_id)
    domain = _domain(tenant, domain_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    before = tenant.primary_host
    try:
        domains.make_primary(domain)
    except domains.DomainError as problem:
        return _done(tenant, str(problem))
    audit.record(
        "domain.primary", actor=_admin(), target=domain.hostname, tenant=tenant, before=before
    )
    db.session.commit()
    return _done(tenant, f"{domain.hostname} is now the primary domain.")


@bp.post("/clinics/<int:tenant_id>/domains/<int:domain_id>/remove")
@platform_admin_required
def domain_remove(tenant_id: int, domain_id: int):
    tenant = _tenant(tenant_id)
    domain = _domain(tenant, domain_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    hostname = domain.hostname
    try:
        domains.remove(domain)
    except domains.DomainError as problem:
        return _done(tenant, str(problem))
    audit.record("domain.removed", actor=_admin(), target=hostname, tenant=tenant)
    db.session.commit()
    return _done(tenant, f"{hostname} is removed.")


@bp.post("/clinics/<int:tenant_id>/suspend")
@platform_admin_required
def suspend(tenant_id: int):
    """The site answers 503, staff cannot sign in, e-mails wait; nothing is deleted."""
    tenant = _tenant(tenant_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        return _page(tenant, 400, suspend_form=form)
    if tenant.status != "suspended":
        tenant.status = "suspended"
        end_clinic_sessions(tenant.id)  # every copy of its staff's session cookies ends
        audit.record(
            "clinic.suspended",
            actor=_admin(),
            target=tenant.slug,
            tenant=tenant,
            reason=form.reason.data.strip(),
        )
        db.session.commit()
    return _done(tenant, f"{tenant.name} is suspended. Its data, bookings and e-mails are kept.")


@bp.post("/clinics/<int:tenant_id>/resume")
@platform_admin_required
def resume(tenant_id: int):
    tenant = _tenant(tenant_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if tenant.status != "active":
        tenant.status = "active"
        audit.record("clinic.resumed", actor=_admin(), target=tenant.slug, tenant=tenant)
        db.session.commit()
    return _done(tenant, f"{tenant.name} is live again; held e-mails go out now.")
