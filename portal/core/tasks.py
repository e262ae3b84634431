from celery import shared_task
from django.core.management import call_command

# The outbox tasks live beside the service they wrap (pretix's base/services/mail.py);
# importing them here lets Celery's autodiscovery register them.
from portal.core.mail import email_send_task, email_sweep_task

__all__ = ("email_send_task", "email_sweep_task", "sessions_clear")


@shared_task
def sessions_clear() -> None:
    """Daily housekeeping: drop expired sessions (the idle and absolute limits of A6)."""
    call_command("clearsessions")
