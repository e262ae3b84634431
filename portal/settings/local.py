"""The embedded default for `make run`: SQLite, a filesystem broker, e-mails as files."""

from portal.settings.base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405
