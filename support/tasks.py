"""Celery tasks for support: thin wrappers that run a job (recorded as a JobRun, N10) or call
a service. Tasks import services, never the reverse. One section per feature."""

from celery import shared_task

from portal.core.batch import beat_job
from support.services.replacements import replacements_overdue_flag
from support.services.sla_monitor import sla_monitor_run

# --- the SLA monitor (S4) ------------------------------------------------------------------


@shared_task
def sla_monitor_task():
    """S4: beat, every 5 minutes: mark at-risk and breached tickets, tell staff once each."""
    return sla_monitor_run(trigger="beat").counts


# --- advance replacement (S6) ----------------------------------------------------------------


@shared_task
def replacements_overdue_flag_task():
    """S6: daily: flag overdue returns and quote the unreturned units, for today."""
    return beat_job("replacements_overdue_flag", replacements_overdue_flag).counts
