"""N5: a reinstatement quote on request, from the inventory or the renewals page.

Lapsed S&S is not renewed: it is reinstated at the product's reinstatement price, which
includes twelve months of S&S from the reinstatement date. One quote covers every lapsed line
of the product at the site (S&S covers all licences of a product at a site, or none), and a
request while that quote is live hands back the same quote instead of issuing a second."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from licensing import services as licensing_services
from licensing.models import Entitlement
from portal.core.formatting import format_day
from renewals.builders import pricing_for, reinstatement_draft
from renewals.models import Quote
from renewals.selectors import lapsed_lines, reinstatement_series_key
from renewals.services.quotes import quote_issue


def reinstatement_refusal(entitlement: Entitlement, *, as_of: date) -> str:
    """Why `entitlement` cannot be reinstated on `as_of` ("" when it can)."""
    if entitlement.quantity < 1:
        return _("No licences of %(poe)s are left at this site.") % {"poe": entitlement.poe_number}
    if entitlement.coverage_end >= as_of:
        return _(
            "%(product)s (%(poe)s) is covered to %(day)s: only lapsed S&S is reinstated. "
            "Renew it instead, before its coverage ends."
        ) % {
            "product": entitlement.product.name,
            "poe": entitlement.poe_number,
            "day": format_day(entitlement.coverage_end),
        }
    return ""


def _is_current(quote: Quote, lines: list[Entitlement], as_of: date) -> bool:
    """A live quote answers the request while it is still valid and covers exactly the lapsed
    lines of today (a line that lapsed since asks for a revision)."""
    if quote.valid_until < as_of:
        return False
    quoted = set(quote.lines.values_list("entitlement_id", flat=True))
    return quoted == {line.pk for line in lines}


@transaction.atomic(durable=True)
def reinstatement_quote_request(
    *, entitlement_id: int, actor: User, as_of: date, now: datetime
) -> tuple[Quote, bool]:
    """N5: the live reinstatement quote for the product of `entitlement_id` at its site, issued
    now (True) or the one already live (False). The lapsed lines are locked in primary-key
    order first (as accepting does), so two requests at once issue one quote."""
    entitlement = Entitlement.objects.select_related("site__agreement", "product").get(
        pk=entitlement_id
    )
    refusal = reinstatement_refusal(entitlement, as_of=as_of)
    if refusal:
        raise ValidationError(refusal)
    site = entitlement.site
    candidates = list(lapsed_lines(site_id=site.pk, product_id=entitlement.product_id, as_of=as_of))
    locked = licensing_services.lock_entitlements(line.pk for line in candidates)
    # Re-checked under the lock: a line renewed or reinstated meanwhile is no longer lapsed.
    lines = [
        line
        for line in candidates
        if line.pk in locked
        and locked[line.pk].coverage_end < as_of
        and locked[line.pk].quantity > 0
    ]
    if not lines:
        raise ValidationError(
            _("%(product)s at site %(site)s has no lapsed licences left to reinstate.")
            % {"product": entitlement.product.name, "site": site.number}
        )
    key = reinstatement_series_key(site_id=site.pk, product_id=entitlement.product_id)
    live = Quote.objects.live().filter(series_key=key).first()
    if live is not None and _is_current(live, lines, as_of):
        return live, False
    draft = reinstatement_draft(
        entitlements=lines,
        agreement=site.agreement,
        as_of=as_of,
        pricing=pricing_for(site.agreement, as_of=as_of),
    )
    # A stale live quote (expired today, or a line lapsed since) is superseded: a revision.
    return quote_issue(draft=draft, as_of=as_of, now=now, actor=actor), True
