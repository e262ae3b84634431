"""Site pages, one module per topic: sites, contacts (and callers), users, invitations,
profile and reseller pages. Views stay thin: selectors read, services write."""

from accounts.decorators import reseller_view

__all__ = ["reseller_view"]
