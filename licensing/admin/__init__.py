"""Django admin for licensing: the catalogue (L1), orders entered by staff (L2), entitlements
and the CSV import (L3, L6), PoE documents (L4), transfer approval (L7), move confirmation (L8)
and update notices (L10). Importing the modules registers their admins."""

from licensing.admin import catalogue, entitlements, requests, updates

__all__ = ["catalogue", "entitlements", "requests", "updates"]
