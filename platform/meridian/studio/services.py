"""Services (owners): what can be booked, for how long, at what price, how far ahead.

Saved through `content.clinic.save_service`; the booking page reads services on every
request, so a change shows in the free times at once.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import role_required
from ..content import clinic as clinic_content
from ..content.errors import ContentInvalid
from ..content.fields import slugify
from ..extensions import db
from ..models import Service
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav
from .clinic_forms import ServiceForm, minor_to_price, price_to_minor

nav.add("Services", "studio.services", order=70)
NUMBERS = ("duration_minutes", "buffer_minutes", "min_notice_minutes", "horizon_days")


@bp.get("/services")
@role_required("owner")
def services():
    rows = db.session.scalars(tenant_select(Service).order_by(Service.position, Service.id))
    return render_template("studio/services.html", services=rows.all())


def _filled(service: Service | None) -> ServiceForm:
    if service is None:
        return ServiceForm()
    currency = current_tenant().currency
    data = {key: getattr(service, key) for key in (*NUMBERS, "name", "slug", "description")}
    data |= {
        "price": minor_to_price(service.price_minor, currency),
        "online_bookable": service.online_bookable,
        "new_clients_only": service.new_clients_only,
    }
    return ServiceForm(data=data)


@bp.route("/services/new", methods=["GET", "POST"], endpoint="service_new")
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@role_required("owner")
def service_edit(service_id: int | None = None):
    tenant = current_tenant()
    service = get_for_tenant_or_404(Service, id=service_id) if service_id else None
    posted = request.method == "POST"
    form = ServiceForm() if posted else _filled(service)
    if posted and form.validate():
        errors: dict[str, str] = {}
        values = {key: form[key].data for key in NUMBERS}
        values |= {
            "name": (form.name.data or "").strip(),
            "description": (form.description.data or "").strip(),
            "online_bookable": bool(form.online_bookable.data),
            "new_clients_only": bool(form.new_clients_only.data),
        }
        try:
            values["price_minor"] = price_to_minor(form.price.data, tenant.currency)
        except ValueError as exc:
            errors["price"] = str(exc)
        slug = (form.slug.data or "").strip() or slugify(values["name"], 63)
        clash = db.session.scalars(
            tenant_select(Service).where(Service.slug == slug, Service.id != (service_id or 0))
        ).first()
        if clash is not None:
            errors["slug"] = f"Another service, “{clash.name}”, already uses “{slug}”."
        if not errors:
            try:
                saved, _ = clinic_content.save_service(
                    tenant, service, slug, values, actor=current_user.email
                )
            except ContentInvalid as exc:
                errors = exc.errors
            else:
                db.session.commit()
                flash(f"{saved.name} saved.", "success")
                return redirect(url_for("studio.service_edit", service_id=saved.id), 303)
        db.session.rollback()
        for name, message in errors.items():
            target = name if name in form else "name"
            form[target].errors = [*form[target].errors, message]
    return render_template(
        "studio/service.html", form=form, service=service, currency=tenant.currency
    ), (400 if form.errors else 200)
