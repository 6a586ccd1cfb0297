"""What every drill checks in the database after its load: nothing lost, half-made or
doubled."""

from __future__ import annotations


def bookings_intact(sql, references: list[str]) -> dict[str, int]:
    """Every confirmed answer has exactly one booking, each booking made by a drill
    visitor has its slot claims and its e-mails, and no visitor was booked twice."""
    found = dict(
        sql(
            "SELECT reference, count(*) FROM booking WHERE reference = ANY(%s) GROUP BY reference",
            (references,),
        )
    )
    lost = [r for r in references if r not in found]
    doubled_refs = [r for r, n in found.items() if n > 1]
    half_made = sql(
        """SELECT b.reference FROM booking b
           WHERE b.client_email LIKE 'drill%%@example.com' AND (
             NOT EXISTS (SELECT 1 FROM slot_claim c WHERE c.booking_id = b.id)
             OR (SELECT count(*) FROM outbox_message m WHERE m.booking_id = b.id) < 2)"""
    )
    doubled_visitors = sql(
        """SELECT client_email FROM booking WHERE client_email LIKE 'drill%%@example.com'
           GROUP BY client_email HAVING count(*) > 1"""
    )
    return {
        "lost": len(lost),
        "doubled": len(doubled_refs) + len(doubled_visitors),
        "half_made": len(half_made),
    }
