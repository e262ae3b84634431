"""E-mail backends for the stack tests, loaded by real worker processes."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class HandOffThenHangBackend(EmailBackend):
    """Writes the message (the mail server has it), leaves a marker, then hangs before the
    worker can mark the row sent: the moment a crash makes the outcome unknown (E1)."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        Path(os.environ["ENTITLE_TEST_HANDOFF_MARKER"]).touch()
        time.sleep(600)
        return sent
