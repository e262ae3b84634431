"""The production settings the fault tests run (portal.settings.production, from the
environment) with one change: static files are served by WhiteNoise from the source folders
instead of a collected, hashed copy (collectstatic compresses the CJK fonts: 85 s on CI's
machine, for pages whose static files these tests do not examine)."""

from portal.settings.production import *  # noqa: F403
from portal.settings.production import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
