"""Every CSV export writes through meridian.spreadsheet: a typed formula stays text, and
the desk's bookings export and the admin's clinic export share one booking table (never
the reason for visit; the post a booking came from only in the clinic's own export)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from meridian import spreadsheet
from meridian.models import utcnow

from .conftest import days_ago

FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_a_typed_formula_is_written_as_text():
    assert spreadsheet.cell(FORMULA) == "'" + FORMULA
    assert spreadsheet.cell("+44 20 7946 0018") == "'+44 20 7946 0018"
    assert spreadsheet.cell("Ada") == "Ada" and spreadsheet.cell(None) == ""
    rows = list(csv.reader(io.StringIO(spreadsheet.table(("a", "b"), [("@x", 3)]))))
    assert rows == [["a", "b"], ["'@x", "3"]]


def test_the_bookings_export_names_the_post_and_defuses_formulas(
    app, make_tenant, make_post, add_booking, signed_in_client, admin_client
):
    clinic = make_tenant("clinic-a")
    post = make_post(clinic, "sleep-and-stress")
    when = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    add_booking(clinic, when, reason="MARKER-knee", client_name=FORMULA, from_post_id=post.id)
    add_booking(clinic, days_ago(400), client_email="old@example.com")
    owner = signed_in_client(clinic, "owner")
    day = when.date().isoformat()
    response = owner.post(
        "/studio/bookings/export",
        data={"csrf_token": owner.csrf, "first": day, "last": day},
    )
    assert response.status_code == 200
    (row,) = csv.DictReader(io.StringIO(response.text))
    assert tuple(row) == (*spreadsheet.BOOKING_COLUMNS, "from_post")
    assert row["from_post"] == "sleep-and-stress" and row["client_name"] == "'" + FORMULA
    assert "MARKER-knee" not in response.text
    # The platform's export of the whole clinic: the same table, every booking.
    admin = admin_client()
    with admin.post(  # the download streams from a temporary file: close it
        f"/admin/clinics/{clinic.id}/export", data={"csrf_token": admin.csrf}
    ) as made:
        data = made.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read("data/bookings.csv").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == spreadsheet.BOOKING_COLUMNS and len(rows) == 2
    assert "sleep-and-stress" not in text  # which article brought a client: not the platform's
    assert "MARKER-knee" not in text
    assert "'" + FORMULA in {r["client_name"] for r in rows}
