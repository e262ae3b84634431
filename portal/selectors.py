"""Reads for the home dashboard (review #7 item 21) that span the apps below it. Each is
scoped to the user through the apps' own visibility rule (A4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from accounts.models import Agreement, Contact, Invitation, User, site_visibility
from accounts.selectors import sites_for_user


def invitations_pending_for_user(*, user: User, now: datetime) -> QuerySet[Invitation]:
    """A5: invitations still usable at `now` on the sites the user runs (primary contacts and
    site administrators of their sites, the account-managing reseller, staff: the roles that
    may invite and withdraw, accounts/rules.py `site.manage`)."""
    visible = site_visibility(user, via="contact__site__")
    if visible is None:
        return Invitation.objects.none()
    pending = Invitation.objects.filter(
        visible, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    if not user.is_staff and not user.reseller_id:
        runs = Contact.objects.filter(user=user).filter(Q(is_primary=True) | Q(is_site_admin=True))
        pending = pending.filter(contact__site_id__in=runs.values("site_id"))
    return pending.select_related("contact__site").order_by("expires_at", "pk")


@dataclass(frozen=True)
class NextAnniversary:
    """The soonest anniversary among the agreements of the user's sites (A1)."""

    on: date
    agreement_numbers: list[str]
    agreement_count: int

    @property
    def more(self) -> int:
        return self.agreement_count - len(self.agreement_numbers)


def next_anniversary_for_user(*, user: User, as_of: date, shown: int = 3) -> NextAnniversary | None:
    """A1: the anniversary date is the last day of the agreement's anniversary month; the next
    one is the soonest on or after `as_of` among the agreements of the sites the user sees.
    Two queries whatever the number of sites: the distinct months, then that month's
    agreements."""
    sites = sites_for_user(user).order_by()
    months = set(sites.values_list("agreement__anniversary_month", flat=True).distinct())
    if not months:
        return None
    by_date = {
        Agreement(anniversary_month=month).next_anniversary(as_of): month for month in months
    }
    soonest = min(by_date)
    month = by_date[soonest]
    agreements = (
        Agreement.objects.filter(anniversary_month=month, sites__in=sites.values("pk"))
        .distinct()
        .order_by("number")
    )
    numbers = list(agreements.values_list("number", flat=True)[: shown + 1])
    count = agreements.count() if len(numbers) > shown else len(numbers)
    return NextAnniversary(on=soonest, agreement_numbers=numbers[:shown], agreement_count=count)
