"""Celery tasks for support: thin wrappers that run a job (recorded as a JobRun, N10) or call
a service. Tasks import services, never the reverse. One section per feature."""

from celery import shared_task

from support.services.sla_monitor import sla_monitor_run

# --- the SLA monitor (S4) ------------------------------------------------------------------


@shared_task
def sla_monitor_task():
    """S4: beat, every 5 minutes: mark at-risk and breached tickets, tell staff once each."""
    return sla_monitor_run(trigger="beat").counts
