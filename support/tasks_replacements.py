"""Celery task for advance replacement (S6): the daily overdue-return job (N10), a thin
wrapper recorded as a JobRun. support/tasks.py imports it so the worker registers it."""

from celery import shared_task

from portal.core.batch import beat_job
from support.services.replacements import replacements_overdue_flag


@shared_task
def replacements_overdue_flag_task():
    """S6: flag overdue returns and quote the unreturned units, for today."""
    return beat_job("replacements_overdue_flag", replacements_overdue_flag).counts
