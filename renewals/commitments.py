"""Three-year commitments (N9): the term's dates as pure rules, and the reads the services
and the quote builder share.

A commitment accepted on day d runs to the third anniversary after d. The committed
quantity is renewed twice, at the first and second anniversaries of the term (seed 004: "Ta
stała liczba licencji zostanie odnowiona dwukrotnie"), so those two are checked; the third
ends the term (completed). Reminders go out before each anniversary that is checked."""

from __future__ import annotations

from datetime import date, timedelta

from renewals.models import CommitmentPrice
from renewals.pricing import anniversary_in, next_anniversary

MIN_COMMITMENT = 10  # N9: at least ten licences (and at least the current count)
TERM_ANNIVERSARIES = 3  # N9: three years: the term ends at the third anniversary
REMINDER_DAYS = (60, 30)  # N9: reminders this many days before each checked anniversary


def term_anniversaries(accepted_on: date, anniversary_month: int) -> list[date]:
    """The three anniversaries after the acceptance day; the last ends the term."""
    first = next_anniversary(accepted_on + timedelta(days=1), anniversary_month)
    return [anniversary_in(first.year + n, anniversary_month) for n in range(TERM_ANNIVERSARIES)]


def checked_anniversaries(accepted_on: date, anniversary_month: int) -> list[date]:
    """The anniversaries by which the committed quantity must be renewed (the first two)."""
    return term_anniversaries(accepted_on, anniversary_month)[:-1]


def term_end(accepted_on: date, anniversary_month: int) -> date:
    return term_anniversaries(accepted_on, anniversary_month)[-1]


def due_reminder(
    *, as_of: date, anniversaries: list[date], days: tuple[int, ...] = REMINDER_DAYS
) -> tuple[date, int] | None:
    """N9: the reminder due on `as_of`: (anniversary, days before) for the nearest checked
    anniversary still ahead (on or after `as_of`) whose reminder window has opened; of the
    windows open, the latest (30 days before, not a late 60-day one as well)."""
    for anniversary in sorted(anniversaries):
        if anniversary < as_of:
            continue
        opened = [d for d in days if anniversary - timedelta(days=d) <= as_of]
        if opened:
            return anniversary, min(opened)
        return None
    return None


def commitment_check_due(
    *, as_of: date, anniversaries: list[date], checked_through: date | None
) -> date | None:
    """N9: the earliest checked anniversary that has passed (before `as_of`) and was not
    checked yet; None when nothing is due."""
    for anniversary in sorted(anniversaries):
        if anniversary < as_of and (checked_through is None or anniversary > checked_through):
            return anniversary
    return None


def fixed_prices(commitment_id: int) -> dict[int, tuple]:
    """N9: product id -> (list price, annual S&S price) fixed for the term."""
    return {
        row.product_id: (row.list_price, row.annual_ss_price)
        for row in CommitmentPrice.objects.filter(commitment_id=commitment_id)
    }
