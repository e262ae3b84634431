"""Reads for renewals, always scoped to a user (A4)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from renewals.models import Quote


def quotes_for_user(*, user: User) -> QuerySet[Quote]:
    """A4: the quotes with a line at a site the user may see (a reseller: its own quotes)."""
    return Quote.objects.for_user(user)
