"""Django admin for renewals. Importing the modules registers their admins; one module per
feature (others add theirs here)."""

from renewals.admin import levels  # noqa: F401
