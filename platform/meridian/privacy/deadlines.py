"""When a confirmed data request must be answered, by the clinic's country.

* UK (UK GDPR Art. 12(3), ICO guidance): one calendar month from receipt — the same
  date next month, or that month's last day if it has none — moved to the next working
  day when it falls on a weekend or a bank holiday of the clinic's nation.
* New Zealand (Privacy Act 2020 s 44 and s 7 "working day"): 20 working days after the
  day of receipt, skipping weekends, national public holidays (Waitangi Day, Anzac Day
  and Matariki included, Mondayised as the law says) and 25 December to 15 January.
* Elsewhere: one month, as in the UK (the strictest common rule).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..booking.slots import public_holidays


def _summer_break(day: date) -> bool:
    """25 December to 15 January: no working days under the Privacy Act 2020 (s 7)."""
    return (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day <= 15)


def _working(day: date, country: str, subdivision: str) -> bool:
    if day.weekday() >= 5 or day in public_holidays(country, subdivision, day.year):
        return False
    return not (country == "NZ" and _summer_break(day))


def one_month_after(day: date) -> date:
    year, month = divmod(day.year * 12 + day.month, 12)  # the next month (0-based)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def due_on(received: date, country: str, subdivision: str = "") -> date:
    """The last day to answer a request received (confirmed) on `received`, local date."""
    country = (country or "").upper()
    if country == "NZ":
        day, counted = received, 0
        while counted < 20:
            day += timedelta(days=1)
            if _working(day, "NZ", ""):  # national holidays only (s 7)
                counted += 1
        return day
    due = one_month_after(received)
    while not _working(due, "GB" if country in ("GB", "") else country, subdivision):
        due += timedelta(days=1)
    return due
