"""L8/L9 as the entitlement page shows them: whether a licence can be moved from the portal,
and the read-only edition-change and upgrade quotes. Facts come from the database; the prices
come from the pure rule modules (licensing/fees.py, licensing/pricing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from licensing import selectors, services
from licensing.models import Entitlement, LicenceMove, Product, Version
from licensing.pricing import EditionChangeFacts, PriceQuote, edition_change_quote, upgrade_quote


def move_blocker(entitlement: Entitlement) -> str:
    """Why this licence cannot be moved from the portal now ("" when it can). Reads the
    entitlement's prefetched activations and moves."""
    if entitlement.product.delivery != Product.Delivery.ONLINE:
        return _(
            "Offline-activated licences are moved by ordering keys for the new computer "
            "(50 percent of the current list price)."
        )
    if entitlement.quantity < 1:
        return _("No licences of this entitlement are left at this site.")
    if not any(a.is_active for a in entitlement.activations.all()):
        return _("This licence is not activated on any machine yet: there is nothing to move.")
    if any(m.state == LicenceMove.State.PENDING for m in entitlement.moves.all()):
        return _("A move of this licence is already waiting for confirmation.")
    return ""


@dataclass(frozen=True)
class PriceOffer:
    """One read-only quote on the entitlement page (L9)."""

    title: str
    quote: PriceQuote
    # What the offer changes to, so the page can ask for it as a quote (N6; by URL name).
    target_edition_id: int | None = None
    target_version_id: int | None = None


def entitlement_price_offers(
    *, entitlement: Entitlement, as_of: date, versions: list[Version]
) -> list[PriceOffer]:
    """L9: the upgrade to the newest version, and each richer edition (alone, and together
    with the upgrade), priced per licence by licensing/pricing.py."""
    if entitlement.quantity < 1:
        return []
    offers = []
    newest = services.upgrade_target(entitlement=entitlement, versions=versions)
    if newest is not None:
        offers.append(
            PriceOffer(
                _("Upgrade to %(version)s") % {"version": newest.version},
                upgrade_quote(newest_version=newest.version, upgrade_price=newest.upgrade_price),
                target_version_id=newest.pk,
            )
        )
    current = entitlement.edition
    for edition in selectors.richer_editions(entitlement=entitlement):
        facts = EditionChangeFacts(
            as_of=as_of,
            current_edition=current.name,
            current_price=current.price,
            target_edition=edition.name,
            target_price=edition.price,
            target_is_richer=True,
            ss_active=entitlement.is_covered_on(as_of),
            purchased_on=entitlement.purchased_on,
            list_price=entitlement.product.list_price,
        )
        offers.append(
            PriceOffer(
                _("Change to %(edition)s") % {"edition": edition.name},
                edition_change_quote(facts),
                target_edition_id=edition.pk,
            )
        )
        if newest is not None:
            with_upgrade = EditionChangeFacts(
                **{
                    **facts.__dict__,
                    "with_upgrade_to_newest": True,
                    "newest_upgrade_price": newest.upgrade_price,
                    "newest_version": newest.version,
                }
            )
            offers.append(
                PriceOffer(
                    _("Change to %(edition)s with the upgrade to %(version)s")
                    % {"edition": edition.name, "version": newest.version},
                    edition_change_quote(with_upgrade),
                    target_edition_id=edition.pk,
                    target_version_id=newest.pk,
                )
            )
    return offers
