"""Line builders of the quote kinds licensing's own price rules feed (N6): the edition change
and upgrade (L9) and the licence-move fee (L8). Licensing prices (licensing/pricing.py and
licensing/fees.py, through licensing.quotes and the fee fixed on the move); these builders only
turn those prices into quote lines, so a quote always shows what the entitlement page showed.

How accepting moves things (renewals/kinds.py appliers):
- "upgrade" / "edition" lines move the entitlement's version / edition and set its "last
  upgraded" date to the acceptance date, so a later L8 move quote sees the upgrade (L8.2).
- L9 with S&S not active adds "support per L8.4": that support is a purchase of S&S, so its
  line is a "reinstate" line: twelve months of S&S from the acceptance date, nothing
  back-dated (as N5), at the L8.4 price (30 / 40 / 50 % of the list price by age).
- A move fee is a "fee" line: it changes no entitlement; renewals.receivers_licensing records
  on the move that its fee is paid. The upgrade some L8 rules include (L8.1 with an upgrade,
  L8.5, L8.6) is not applied by the fee quote: the entitlement holds every licence of the line,
  and a move is about one of them.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from licensing import quotes as licensing_quotes
from licensing import selectors as licensing_selectors
from licensing.models import Entitlement, LicenceMove
from licensing.pricing import PriceQuote
from renewals.builders import line_label
from renewals.kinds import (
    LineDraft,
    QuoteDraft,
    default_valid_until,
    one_line_draft,
    register_builder,
    reinstatement_period,
)
from renewals.pricing import flat_line_price

EDITION_CHANGE = "edition_change"
MOVE_FEE = "move_fee"
NO_DISCOUNT = 0  # L8/L9 prices are the catalogue's; no level discount applies to them


# --- edition change and upgrade (L9) ----------------------------------------------------------


def edition_series_key(
    entitlement_id: int, target_edition_id: int | None, target_version_id: int | None
) -> str:
    """One live quote per entitlement and target (N6): `edition:<entitlement>:<target>`."""
    target = "+".join(
        part
        for part in (
            f"e{target_edition_id}" if target_edition_id else "",
            f"v{target_version_id}" if target_version_id else "",
        )
        if part
    )
    return f"edition:{entitlement_id}:{target}"


def _offer_for(
    entitlement: Entitlement,
    *,
    as_of: date,
    target_edition_id: int | None,
    target_version_id: int | None,
) -> licensing_quotes.PriceOffer:
    """The entitlement page's offer for this target (L9: only richer editions, only the newest
    version), or a clear refusal."""
    if not target_edition_id and not target_version_id:
        raise ValidationError(_("Choose an edition or the upgrade to quote."))
    versions = licensing_selectors.versions_released(product=entitlement.product, as_of=as_of)
    for offer in licensing_quotes.entitlement_price_offers(
        entitlement=entitlement, as_of=as_of, versions=versions
    ):
        if (offer.target_edition_id, offer.target_version_id) == (
            target_edition_id or None,
            target_version_id or None,
        ):
            return offer
    raise ValidationError(
        _(
            "%(poe)s cannot change to that edition or version: only a richer edition and the "
            "newest version are offered."
        )
        % {"poe": entitlement.poe_number}
    )


def _actions(offer: licensing_quotes.PriceOffer, *, ss_active: bool) -> tuple[str, ...]:
    """The line action of each price line, in licensing.pricing's order: upgrade alone; upgrade
    and edition difference; the difference alone (S&S active); the difference and support."""
    if offer.target_edition_id is None:
        return ("upgrade",)
    if offer.target_version_id is not None:
        return ("upgrade", "edition")
    return ("edition",) if ss_active else ("edition", "reinstate")


def edition_change_lines(
    entitlement: Entitlement,
    *,
    quote: PriceQuote,
    actions: tuple[str, ...],
    as_of: date,
    target_edition_id: int | None,
    target_version_id: int | None,
) -> list[LineDraft]:
    """L9 per licence, for all the entitlement's licences (quantity)."""
    if len(actions) != len(quote.lines):
        raise ImproperlyConfigured("licensing.pricing's L9 lines changed shape")
    label = line_label(entitlement)
    lines = []
    for action, price_line in zip(actions, quote.lines, strict=True):
        price = flat_line_price(
            unit_price=price_line.amount,
            quantity=entitlement.quantity,
            discount_percent=NO_DISCOUNT,
        )
        covers_from = covers_to = months = None
        if action == "reinstate":
            covers_from, covers_to = reinstatement_period(as_of)
            months = 12
        lines.append(
            LineDraft(
                site_id=entitlement.site_id,
                product_id=entitlement.product_id,
                entitlement_id=entitlement.pk,
                edition_id=entitlement.edition_id,
                version_id=entitlement.version_id,
                # Every line names the targets, so the order lines say what the customer
                # holds after; the appliers of the upgrade and edition lines move both.
                target_edition_id=target_edition_id,
                target_version_id=target_version_id,
                action=action,
                description=f"{label} ({entitlement.poe_number}): {price_line.description}"[:300],
                quantity=entitlement.quantity,
                covers_from=covers_from,
                covers_to=covers_to,
                months=months,
                base_price=price_line.amount,
                unit_price=price.unit_price,
                amount=price.amount,
            )
        )
    return lines


def edition_change_draft(
    *,
    entitlement: Entitlement,
    as_of: date,
    target_edition_id: int | None = None,
    target_version_id: int | None = None,
) -> QuoteDraft:
    """L9/N6: a quote for an edition change and/or the upgrade to the newest version of one
    entitlement, priced as its page offers it."""
    if entitlement.quantity < 1:
        raise ValidationError(
            _("No licences of %(poe)s are left at this site.") % {"poe": entitlement.poe_number}
        )
    offer = _offer_for(
        entitlement,
        as_of=as_of,
        target_edition_id=target_edition_id,
        target_version_id=target_version_id,
    )
    actions = _actions(offer, ss_active=entitlement.is_covered_on(as_of))
    site = entitlement.site
    return QuoteDraft(
        kind=EDITION_CHANGE,
        agreement_id=site.agreement_id,
        reseller_id=site.reseller_id,
        site_id=site.pk,
        series_key=edition_series_key(
            entitlement.pk, offer.target_edition_id, offer.target_version_id
        ),
        valid_until=default_valid_until(as_of),
        lines=edition_change_lines(
            entitlement,
            quote=offer.quote,
            actions=actions,
            as_of=as_of,
            target_edition_id=offer.target_edition_id,
            target_version_id=offer.target_version_id,
        ),
        currency=entitlement.product.currency,
        subject={
            "entitlement": entitlement.pk,
            "target_edition": offer.target_edition_id,
            "target_version": offer.target_version_id,
        },
    )


register_builder(EDITION_CHANGE, edition_change_draft)


# --- the licence-move fee (L8) ----------------------------------------------------------------


def move_series_key(move_id: int) -> str:
    return f"move:{move_id}"


def move_fee_draft(*, move: LicenceMove, as_of: date) -> QuoteDraft:
    """L8.3–L8.7/N6: one fee line for the move's fee, fixed at the request date, with the rule's
    explanation; for the product of the entitlement the move is about."""
    if move.fee <= 0:
        raise ValidationError(_("This move is free: there is no fee to quote."))
    entitlement = move.entitlement
    site = entitlement.site
    description = _("Move %(poe)s from %(old)s to %(new)s: %(why)s") % {
        "poe": entitlement.poe_number,
        "old": move.old_activation.machine_id,
        "new": move.new_machine_id,
        "why": move.explanation,
    }
    return one_line_draft(
        site=site,
        kind=MOVE_FEE,
        entitlement=entitlement,
        action="fee",
        description=description,
        price=move.fee,
        currency=move.currency,
        series_key=move_series_key(move.pk),
        valid_until=default_valid_until(as_of),
        subject={"move": move.pk, "rule": move.rule},
    )


register_builder(MOVE_FEE, move_fee_draft)
