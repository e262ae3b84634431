"""N10: each renewal job is a management command with --as-of and --dry-run that prints a
summary and is recorded as a JobRun staff read in the admin; and a beat task."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.core.models import JobRun, OutgoingEmail
from renewals import tasks
from renewals.models import Quote
from tests.licensing.factories import ProductFactory
from tests.renewals.notice_world import bought, site_with_contacts

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_site():
    site = site_with_contacts(primary="p@example.test", agreement__anniversary_month=3)
    bought(site, ProductFactory(annual_ss_price=Decimal("120.00")), date(2026, 3, 11))
    return site


def _call(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_what_would_be_issued_and_writes_nothing(due_site):
    """N10: a rehearsal prints the quotes it would issue; no quote, e-mail or line is written
    (the run itself is recorded, marked as a dry run)."""
    printed = _call("send_renewal_notices", "--as-of=2026-12-31", "--dry-run")
    assert f"[dry run] would issue anniversary quote anniversary:{due_site.agreement_id}" in printed
    assert "[dry run] renewal_notices_send as of 2026-12-31: anniversary: 1, lines: 1" in printed
    assert not Quote.objects.exists()
    assert not OutgoingEmail.objects.exists()
    run = JobRun.objects.get()
    assert (run.dry_run, run.outcome, run.counts) == (
        True,
        JobRun.Outcome.FINISHED,
        {"anniversary": 1, "lines": 1},
    )


def test_a_run_is_recorded_with_its_counts(due_site):
    printed = _call("send_renewal_notices", "--as-of=2026-12-31")
    quote = Quote.objects.get()
    assert f"issued anniversary quote {quote.number}" in printed
    run = JobRun.objects.get()
    assert (run.job, run.as_of, run.dry_run, run.counts) == (
        "renewal_notices_send",
        date(2026, 12, 31),
        False,
        {"anniversary": 1, "emails": 1, "lines": 1},
    )


def test_a_second_run_prints_nothing_to_do(due_site):
    _call("send_renewal_notices", "--as-of=2026-12-31")
    assert _call("send_renewal_notices", "--as-of=2026-12-31").strip() == (
        "renewal_notices_send as of 2026-12-31: nothing to do"
    )


def test_expire_quotes_expires_and_its_dry_run_only_counts(due_site):
    _call("send_renewal_notices", "--as-of=2026-12-31")
    assert "quotes_expire as of 2027-03-11: expired: 1" in _call(
        "expire_quotes", "--as-of=2027-03-11", "--dry-run"
    )
    assert Quote.objects.get().state == "open"
    _call("expire_quotes", "--as-of=2027-03-11")
    assert Quote.objects.get().state == "expired"
    assert list(JobRun.objects.order_by("pk").values_list("job", "counts")) == [
        ("renewal_notices_send", {"anniversary": 1, "emails": 1, "lines": 1}),
        ("quotes_expire", {"expired": 1}),
        ("quotes_expire", {"expired": 1}),
    ]


def test_send_revised_quotes_is_a_command_too(due_site):
    printed = _call("send_revised_quotes", "--as-of=2027-01-05", "--dry-run")
    assert printed.strip() == "[dry run] revised_quotes_send as of 2027-01-05: nothing to do"


def test_a_bad_date_is_refused_with_a_clear_message():
    with pytest.raises(CommandError, match="as-of"):
        _call("send_renewal_notices", "--as-of=31/12/2026")


def test_the_beat_schedule_runs_the_three_jobs_daily():
    """N10: beat runs expiry, notices and revisions every morning, in that order."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = [
        schedule[name]
        for name in (
            "renewals-expire-quotes",
            "renewals-send-notices",
            "renewals-send-revised-quotes",
        )
    ]
    assert [entry["task"] for entry in entries] == [
        tasks.quotes_expire_task.name,
        tasks.renewal_notices_send_task.name,
        tasks.revised_quotes_send_task.name,
    ]
    assert [(sorted(e["schedule"].hour), sorted(e["schedule"].minute)) for e in entries] == [
        ([4], [10]),
        ([4], [20]),
        ([4], [30]),
    ]


def test_the_beat_task_runs_the_job_for_today_and_records_it():
    tasks.renewal_notices_send_task()
    assert JobRun.objects.get().trigger == "beat"
