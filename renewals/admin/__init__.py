"""Django admin for renewals: quotes and their PDFs (N6), levels and commitments (N7–N9).
Importing the modules registers their admins; one module per feature."""

from renewals.admin import levels, quotes

__all__ = ["levels", "quotes"]
