"""The embedded default for `make run`: SQLite, a filesystem broker, e-mails as files."""

from portal.settings.base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405

# The filesystem broker, file e-mail backend and file cache need their folders.
for _folder in ("mail", "broker/queue", "broker/processed", "broker/control", "cache", "media"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)  # noqa: F405
DEMO_DATA_ALLOWED = True  # the demo users' password is public (README)
