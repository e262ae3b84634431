"""Object permissions for support (S1, S2, S5, S8), checked with user.has_perm("ticket.<action>",
obj) after the site or ticket was looked up in the user's scope (A4: another tenant's is 404).

- Who sees a site's tickets: its primary contact and site administrators (they run the site,
  SPEC §1), its STCs and authorized callers (they "open and view tickets"), the
  account-managing reseller, and staff. A contact holding only PoE, billing or similar duties
  does not (403).
- Who opens a ticket (S2): the primary contact, STCs and authorized callers; a reseller that is
  a certified service partner, for its client sites; and staff on the customer's behalf. A site
  administrator sees tickets but does not open them: S2 names who may report problems, as the
  seed's STC keeps the list of those authorized to (seed 001 §1.1c). Refusals say why
  (support.eligibility).
- Internal notes, assignment, status and severity changes are staff work.

Django answers has_perm yes for superusers whatever the rule: where staff must be excluded
(escalation is the customer's request), views call the predicate itself."""

from __future__ import annotations

import rules

from accounts.selectors import Role, site_roles_for_user

TICKET_VIEWERS = frozenset(
    {Role.PRIMARY, Role.SITE_ADMIN, Role.STC, Role.CALLER, Role.RESELLER, Role.STAFF}
)
TICKET_OPENERS = frozenset({Role.PRIMARY, Role.STC, Role.CALLER})


def _roles(user, site) -> frozenset[Role]:
    if site is None:
        return frozenset()
    return site_roles_for_user(user=user, site=site)


def is_service_partner_for(user, site) -> bool:
    """S2/S8: the user works for the certified service partner managing this site."""
    if site is None or not user.reseller_id or user.reseller_id != site.reseller_id:
        return False
    return bool(site.reseller and site.reseller.is_certified_service_partner)


@rules.predicate
def can_view_site_tickets(user, site) -> bool:
    return bool(_roles(user, site) & TICKET_VIEWERS)


@rules.predicate
def can_open_ticket(user, site) -> bool:
    roles = _roles(user, site)
    if roles & TICKET_OPENERS or Role.STAFF in roles:
        return True
    return is_service_partner_for(user, site)


def _ticket_site(ticket):
    return None if ticket is None else ticket.site


@rules.predicate
def can_view_ticket(user, ticket) -> bool:
    return can_view_site_tickets(user, _ticket_site(ticket))


@rules.predicate
def can_follow_up_ticket(user, ticket) -> bool:
    """Comment, attach, ask for a replacement or a visit: the openers of the site's tickets,
    and the site's primary and administrators who see them (S1, S2)."""
    site = _ticket_site(ticket)
    if can_open_ticket(user, site):
        return True
    return Role.SITE_ADMIN in _roles(user, site)


@rules.predicate
def is_support_staff(user, _obj=None) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def can_escalate_ticket(user, ticket) -> bool:
    """S5: the customer (or its service partner) asks for escalation, not support itself."""
    return not user.is_staff and can_follow_up_ticket(user, ticket)


rules.add_perm("ticket.view_site", can_view_site_tickets)
rules.add_perm("ticket.open", can_open_ticket)
rules.add_perm("ticket.view", can_view_ticket)
rules.add_perm("ticket.follow_up", can_follow_up_ticket)
rules.add_perm("ticket.escalate", can_escalate_ticket)
rules.add_perm("ticket.staff", is_support_staff)
