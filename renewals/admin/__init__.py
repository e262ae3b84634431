"""Django admin for renewals: quotes and their PDFs (N6). Importing the modules registers
their admins."""

from renewals.admin import quotes

__all__ = ["quotes"]
