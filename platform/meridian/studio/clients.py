"""Clients (owners and front desk): the list built from bookings, a search that keeps
names out of URLs (a POST), each client's bookings and no-shows. Owners export
everything held about a client, or erase them, in one action each. Every view of a
client and every export and erasure is audited."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SearchField
from wtforms.validators import DataRequired, Length

from ..auth.access import role_required
from ..auth.audit import record
from ..auth.forms import EmptyForm
from ..booking.messages import when_at
from ..desk import clients as client_book
from ..extensions import db
from ..tenancy import current_tenant
from . import bp, nav
from .bookings import ATTENDANCE, DESK, STATUS

nav.add("Clients", "studio.clients", order=12)
SHOWN = 200


class SearchForm(FlaskForm):
    q = SearchField(
        "Name, e-mail or phone",
        validators=[DataRequired("Please type something to search for."), Length(max=100)],
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        "Yes, erase this client's details, reasons for visit and e-mails for good",
        validators=[DataRequired("Please tick the box to confirm.")],
    )


def _actor():
    return current_user._get_current_object()


def _client_or_404(client_id: int) -> client_book.Client:
    client = client_book.find(client_id)
    if client is None:
        abort(404)
    return client


@bp.route("/clients", methods=["GET", "POST"])
@role_required(*DESK)
def clients():
    form = SearchForm()
    everyone = client_book.all_clients()
    query = None
    if request.method == "POST" and form.validate_on_submit():
        query = form.q.data
        everyone = [c for c in everyone if c.matches(query)]
    status = 400 if form.errors else 200
    return render_template(
        "studio/clients.html",
        form=form,
        clients=everyone[:SHOWN],
        total=len(everyone),
        query=query,
    ), status


@bp.get("/clients/<int:client_id>")
@role_required(*DESK)
def client(client_id: int):
    found = _client_or_404(client_id)
    if found.id != client_id:
        return redirect(url_for("studio.client", client_id=found.id))
    record("client.view", actor=_actor(), target=f"client:{found.id}")
    db.session.commit()
    tenant = current_tenant()
    return render_template(
        "studio/client.html",
        client=found,
        when=lambda b: when_at(b.starts_at, b.location, tenant.locale),
        status=STATUS,
        attendance=ATTENDANCE,
        form=EmptyForm(),
    )


@bp.post("/clients/<int:client_id>/export")
@role_required("owner")
def client_export(client_id: int):
    """A ZIP of JSON and CSV: every booking (with reasons) and every e-mail."""
    found = _client_or_404(client_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    data = client_book.export(found)
    record(
        "client.export",
        actor=_actor(),
        target=f"client:{found.id}",
        bookings=len(found.bookings),
    )
    db.session.commit()
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="client-{found.id}.zip"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/clients/<int:client_id>/erase", methods=["GET", "POST"])
@role_required("owner")
def client_erase(client_id: int):
    found = _client_or_404(client_id)
    form = EraseForm()
    if form.validate_on_submit():
        counts = client_book.erase(found)
        record("client.erase", actor=_actor(), target=f"client:{found.id}", **counts)
        db.session.commit()
        flash(
            f"Erased: {counts['bookings']} booking(s) keep only their time, service and "
            f"practitioner; {counts['emails']} e-mail(s) deleted"
            + (
                f"; {counts['cancelled']} future booking(s) cancelled."
                if counts["cancelled"]
                else "."
            ),
            "success",
        )
        return redirect(url_for("studio.clients"), 303)
    return render_template("studio/client_erase.html", client=found, form=form), (
        400 if form.errors else 200
    )
