"""Object permissions by role (SPEC §1), checked with user.has_perm("site.<action>", site).

The names are not Django model permissions ("accounts.view_site"), so ModelBackend never
answers for them and group permissions cannot widen a tenant's reach.

Visibility is handled before these run: views load the site through a scoped selector, so a
site of another tenant is already a 404. These rules decide what a visible site allows.
"""

import rules

from accounts.selectors import Role, site_roles_for_user


def _has_any_role(*wanted: Role):
    wanted_roles = frozenset(wanted)

    @rules.predicate
    def predicate(user, site) -> bool:
        if site is None:
            return False
        return bool(site_roles_for_user(user=user, site=site) & wanted_roles)

    predicate.name = "has_role_" + "_or_".join(sorted(wanted_roles))
    return predicate


can_view_site = _has_any_role(*Role)
# Primary contacts, site admins, the account-managing reseller and staff run the site (A5).
can_manage_site = _has_any_role(Role.PRIMARY, Role.SITE_ADMIN, Role.RESELLER, Role.STAFF)
# Prices (unit prices, order totals, the priced statement) are for those who run the site
# (SPEC §1: STCs and authorized callers have a read-only inventory *without prices*; L5).
can_view_prices = can_manage_site
# Handing over the primary-contact role is the primary's, the reseller's or staff's call:
# a site admin may do everything a primary may except remove the primary contact.
can_change_primary = _has_any_role(Role.PRIMARY, Role.RESELLER, Role.STAFF)
# STCs maintain the site's authorized technical callers (A3).
can_manage_callers = _has_any_role(
    Role.PRIMARY, Role.SITE_ADMIN, Role.STC, Role.RESELLER, Role.STAFF
)

rules.add_perm("site.view", can_view_site)
rules.add_perm("site.manage", can_manage_site)
rules.add_perm("site.view_prices", can_view_prices)
rules.add_perm("site.change_primary", can_change_primary)
rules.add_perm("site.manage_callers", can_manage_callers)
