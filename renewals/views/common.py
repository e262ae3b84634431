"""What every renewals page shares: the quote lookup in the user's scope (A4)."""

from django.shortcuts import get_object_or_404

from renewals.models import Quote
from renewals.selectors import quotes_for_user


def scope_quote(request, *, number: str, **_kwargs) -> Quote:
    """A4: a quote of another tenant is a 404, the same answer as a missing one."""
    return get_object_or_404(quotes_for_user(user=request.user), number=number)
