"""Celery tasks for renewals: thin wrappers that run a job for today (recorded as a JobRun,
N10) or take ids and call a service. Tasks import services, never the reverse. One section
per feature."""

from celery import shared_task

# --- notices and quote expiry (N1, N3, N4) -------------------------------------------------
from portal.core.batch import beat_job
from renewals.notices import quotes_expire_job, renewal_notices_send, revised_quotes_send


@shared_task
def renewal_notices_send_task():
    """N1/N3: today's anniversary quotes and monthly notices (recorded as a JobRun)."""
    beat_job("renewal_notices_send", renewal_notices_send)


@shared_task
def revised_quotes_send_task():
    """N4: today's revised anniversary quotes."""
    beat_job("revised_quotes_send", revised_quotes_send)


@shared_task
def quotes_expire_task():
    """N6: expire the quotes whose validity ended."""
    beat_job("quotes_expire", quotes_expire_job)


# --- levels and commitments (N8, N9) -------------------------------------------------------

# --- quote PDFs (E3) -------------------------------------------------------------------------
