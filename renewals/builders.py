"""Line builders of the renewal and reinstatement kinds (N1, N2, N3, N5): entitlements in,
priced line drafts out. The pure rules price; this module reads the facts for them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Agreement
from licensing.models import Entitlement, Product
from renewals.kinds import (
    LineDraft,
    QuoteDraft,
    default_valid_until,
    register_builder,
    reinstatement_period,
)
from renewals.levels import agreement_level
from renewals.pricing import coterm_end, flat_line_price, renewal_line_price, renewal_months


class PriceBook:
    """The prices a quote uses: the catalogue's now. A three-year commitment (N9) substitutes
    the prices it fixed (renewals.commitments)."""

    def annual_ss_price(self, product: Product) -> tuple[Decimal, bool]:
        """(price, priced under a commitment)."""
        return product.annual_ss_price, False

    def reinstatement_price(self, product: Product) -> tuple[Decimal, bool]:
        return product.reinstatement_price or product.list_price, False


@dataclass(frozen=True)
class Pricing:
    """The level a quote is priced at and where prices come from."""

    level_code: str
    discount_percent: Decimal
    book: PriceBook


def line_label(entitlement: Entitlement) -> str:
    label = entitlement.product.name
    if entitlement.edition_id:
        label = f"{label} {entitlement.edition.name}"
    return label


def renewal_line(
    entitlement: Entitlement,
    *,
    anniversary_month: int,
    optional: bool,
    pricing: Pricing,
    renews_to: date | None = None,
) -> LineDraft:
    """N1/N2: renew from the day after the coverage end to the first anniversary after it
    (or to `renews_to`: N1, an anniversary quote's due lines run to the next anniversary A'),
    priced for the started months at the annual S&S price less the level discount."""
    new_end = renews_to or coterm_end(entitlement.coverage_end, anniversary_month)
    months = renewal_months(entitlement.coverage_end, new_end)
    annual, committed = pricing.book.annual_ss_price(entitlement.product)
    price = renewal_line_price(
        annual_price=annual,
        months=months,
        quantity=entitlement.quantity,
        discount_percent=pricing.discount_percent,
    )
    return LineDraft(
        site_id=entitlement.site_id,
        product_id=entitlement.product_id,
        entitlement_id=entitlement.pk,
        edition_id=entitlement.edition_id,
        version_id=entitlement.version_id,
        action="extend",
        description=line_label(entitlement),
        quantity=entitlement.quantity,
        is_optional=optional,
        covers_from=entitlement.coverage_end + timedelta(days=1),
        covers_to=new_end,
        months=months,
        base_price=annual,
        discount_percent=pricing.discount_percent,
        unit_price=price.unit_price,
        amount=price.amount,
        under_commitment=committed,
    )


def renewal_lines(
    entitlements: Iterable[Entitlement],
    *,
    anniversary_month: int,
    due_through: date | None,
    pricing: Pricing,
    due_renews_to: date | None = None,
) -> list[LineDraft]:
    """Lines for covered entitlements, ordered by site, product and coverage end. With
    `due_through`, lines ending after it are the optional co-term lines (N1), and the due
    lines renew to `due_renews_to` when given (N1: the next anniversary A')."""
    ordered = sorted(
        entitlements, key=lambda e: (e.site.number, e.product.part_number, e.coverage_end, e.pk)
    )
    lines = []
    for entitlement in ordered:
        optional = due_through is not None and entitlement.coverage_end > due_through
        lines.append(
            renewal_line(
                entitlement,
                anniversary_month=anniversary_month,
                optional=optional,
                pricing=pricing,
                renews_to=None if optional or due_through is None else due_renews_to,
            )
        )
    return lines


def reinstatement_lines(
    entitlements: Sequence[Entitlement], *, as_of: date, pricing: Pricing
) -> list[LineDraft]:
    """N5: lapsed lines at the reinstatement price per unit, which includes twelve months of
    S&S from the reinstatement date (the day of acceptance; nothing is back-dated)."""
    starts_on, ends_on = reinstatement_period(as_of)
    lines = []
    for entitlement in sorted(
        entitlements, key=lambda e: (e.site.number, e.product.part_number, e.pk)
    ):
        base, committed = pricing.book.reinstatement_price(entitlement.product)
        price = flat_line_price(
            unit_price=base,
            quantity=entitlement.quantity,
            discount_percent=pricing.discount_percent,
        )
        lines.append(
            LineDraft(
                site_id=entitlement.site_id,
                product_id=entitlement.product_id,
                entitlement_id=entitlement.pk,
                edition_id=entitlement.edition_id,
                version_id=entitlement.version_id,
                action="reinstate",
                description=line_label(entitlement),
                quantity=entitlement.quantity,
                covers_from=starts_on,
                covers_to=ends_on,
                months=12,
                base_price=base,
                discount_percent=pricing.discount_percent,
                unit_price=price.unit_price,
                amount=price.amount,
                under_commitment=committed,
            )
        )
    return lines


def reinstatement_draft(
    *, entitlements: Sequence[Entitlement], agreement: Agreement, as_of: date, pricing: Pricing
) -> QuoteDraft:
    """N5: one reinstatement quote for the lapsed lines of one product at one site (S&S
    covers every licence of a product at a site, or none)."""
    first = entitlements[0]
    site = first.site
    return QuoteDraft(
        kind="reinstatement",
        agreement_id=agreement.pk,
        reseller_id=site.reseller_id,
        site_id=site.pk,
        series_key=f"reinstatement:{site.pk}:{first.product_id}",
        valid_until=default_valid_until(as_of),
        lines=reinstatement_lines(entitlements, as_of=as_of, pricing=pricing),
        currency=first.product.currency,
        level_code=pricing.level_code,
        discount_percent=pricing.discount_percent,
        subject={"product": first.product_id, "site": site.pk},
    )


register_builder("reinstatement", reinstatement_draft)


def pricing_for(agreement: Agreement, *, as_of: date) -> Pricing:
    """The level and prices a quote for `agreement` is priced at on `as_of` (N1: the level
    in force; N9: a three-year commitment's fixed prices)."""
    level = agreement_level(agreement)
    return Pricing(level_code=level.code, discount_percent=level.discount_percent, book=PriceBook())


def renewal_draft(
    *,
    entitlements: Sequence[Entitlement],
    agreement: Agreement,
    reseller_id: int | None,
    series_key: str,
    notice: str,
    valid_until: date,
    as_of: date,
    due_through: date | None = None,
    site_id: int | None = None,
    renews_to: date | None = None,
    pricing: Pricing | None = None,
) -> QuoteDraft:
    """N1/N3: a renewal quote for covered entitlements of one agreement and account manager.
    With `due_through`, lines ending after it are optional co-term lines."""
    pricing = pricing or pricing_for(agreement, as_of=as_of)
    lines = renewal_lines(
        entitlements,
        anniversary_month=agreement.anniversary_month,
        due_through=due_through,
        pricing=pricing,
        due_renews_to=renews_to,
    )
    return QuoteDraft(
        kind="renewal",
        notice=notice,
        agreement_id=agreement.pk,
        reseller_id=reseller_id,
        site_id=site_id,
        series_key=series_key,
        valid_until=valid_until,
        renews_to=renews_to,
        lines=lines,
        currency=entitlements[0].product.currency if entitlements else "EUR",
        level_code=pricing.level_code,
        discount_percent=pricing.discount_percent,
    )


register_builder("renewal", renewal_draft)
