"""Celery tasks for renewals: thin wrappers that run a job for today (recorded as a JobRun,
N10) or take ids and call a service. Tasks import services, never the reverse. One section
per feature."""

from celery import shared_task

from portal.core.batch import JobSummary, beat_job
from renewals.documents import quote_pdf_render_task
from renewals.services import (
    commitment_invitations_send,
    commitment_reminders_send,
    commitments_enforce,
    levels_roll,
    vip_reconcile,
)

__all__ = ["quote_pdf_render_task"]  # registered where it is defined, re-exported here

# --- notices and quote expiry (N1, N3, N4) -------------------------------------------------

# --- levels and commitments (N8, N9) -------------------------------------------------------


def vip_reconciliation_job(*, as_of, dry_run=False):
    """N8 and N7 in one daily job: the VIP reconciliation 31 days before each anniversary,
    then the PA roll after each anniversary (both set-based, keyed, safe to run twice)."""
    summary = JobSummary()
    for name, job in (("vip", vip_reconcile), ("pa", levels_roll)):
        part = job(as_of=as_of, dry_run=dry_run)
        for key, value in part.counts.items():
            summary.add(f"{name} {key}", value)
        summary.lines += part.lines
    return summary


@shared_task
def vip_reconciliation_task():
    return beat_job("vip_reconciliation", vip_reconciliation_job).counts


@shared_task
def commitment_invitations_task():

    return beat_job("commitment_invitations", commitment_invitations_send).counts


@shared_task
def commitment_reminders_task():

    return beat_job("commitment_reminders", commitment_reminders_send).counts


@shared_task
def commitment_enforcement_task():

    return beat_job("commitment_enforcement", commitments_enforce).counts


# --- quote PDFs (E3) -------------------------------------------------------------------------
