from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear() -> None:
    """Daily housekeeping: drop expired sessions (the idle and absolute limits of A6)."""
    call_command("clearsessions")
