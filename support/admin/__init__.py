"""Support's admin: one module per feature."""

from support.admin import calendar, services, tickets  # noqa: F401
