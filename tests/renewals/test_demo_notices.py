"""SPEC §6: the demo shows renewal quotes — `demo_data` issues the notices due today (N1, N3)
whatever the day of the year, and running it again issues nothing more."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import demo_data_load
from licensing.demo import licensing_demo_load
from renewals.demo import renewals_demo_load
from renewals.models import Quote

pytestmark = pytest.mark.django_db


def test_demo_data_issues_the_renewal_notices_due_today():
    call_command("demo_data", stdout=StringIO())
    quotes = list(Quote.objects.values_list("notice", flat=True))
    assert "monthly" in quotes
    call_command("demo_data", stdout=StringIO())
    assert len(Quote.objects.all()) == len(quotes)


@pytest.mark.parametrize(
    "today", [date(2027, 1, 15), date(2027, 2, 1), date(2026, 12, 31), date(2027, 7, 4)]
)
def test_a_monthly_notice_is_due_on_any_day_of_the_year(today):
    """The demo order ends 60 days on (30 in January, when 60 days on is the anniversary
    month): a monthly notice is always due on the demo day."""
    demo_data_load()
    licensing_demo_load(as_of=today)
    summary = renewals_demo_load(as_of=today)
    assert summary.counts.get("monthly", 0) >= 1
