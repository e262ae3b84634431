"""Demo renewals for `manage.py demo_data` (after the licensing demo): the renewal notices due
today are issued (N1, N3), so `make run` shows quotes.

The licensing demo's dates follow today, but whether one of its coverage ends falls in a
notice window depends on the day of the year; one more order makes sure there always is one:
a line at Warsaw (PA, anniversary in March) whose coverage ends 60 days from today, outside
the anniversary month, so its monthly notice is due today (N3)."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.models import Site
from licensing.models import Order, Product
from licensing.services import LineRequest, order_place
from portal.core.batch import JobSummary
from portal.core.dates import add_years
from renewals.notices import renewal_notices_send

DEMO_RENEWAL_ORDER = "DEMO-1000001-R"


def _coverage_end_in_a_notice_window(today: date, anniversary_month: int) -> date:
    end = today + timedelta(days=60)
    if end.month == anniversary_month:  # the anniversary quote's month: a month earlier
        end = today + timedelta(days=30)
    return end


def renewals_demo_load(*, as_of: date) -> JobSummary:
    """Make sure a monthly notice is due, then issue what is due today (idempotent: the
    order by its number, the notices by their series keys)."""
    warsaw = Site.objects.select_related("agreement").get(number="1000001")
    if not Order.objects.filter(number=DEMO_RENEWAL_ORDER).exists():
        end = _coverage_end_in_a_notice_window(as_of, warsaw.agreement.anniversary_month)
        ordered_on = add_years(end, -1) + timedelta(days=1)
        order_place(
            site=warsaw,
            ordered_on=ordered_on,
            lines=[LineRequest(Product.objects.get(part_number="ATL-DB-DEV"), 5)],
            actor=None,
            source=Order.Source.ADMIN,
            number=DEMO_RENEWAL_ORDER,
            as_of=ordered_on,
        )
    # The job itself, not its command: the demo records no job run (running demo_data twice
    # changes nothing).
    return renewal_notices_send(as_of=as_of)
