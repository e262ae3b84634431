"""Line builders of the renewal and reinstatement kinds (N1, N2, N3, N5): entitlements in,
priced line drafts out. The pure rules price; this module reads the facts for them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import Agreement
from licensing.models import Entitlement, Product
from portal.core.formatting import format_day
from renewals.commitments import checked_anniversaries, fixed_prices
from renewals.kinds import (
    LineDraft,
    QuoteDraft,
    default_valid_until,
    register_builder,
    reinstatement_period,
)
from renewals.levels import active_commitment, agreement_level
from renewals.models import Commitment
from renewals.pricing import coterm_end, flat_line_price, renewal_line_price, renewal_months


class PriceBook:
    """The prices a quote uses: the catalogue's now. A three-year commitment (N9) substitutes
    the prices it fixed (renewals.commitments)."""

    def annual_ss_price(self, product: Product) -> tuple[Decimal, bool]:
        """(price, priced under a commitment)."""
        return product.annual_ss_price, False

    def reinstatement_price(self, product: Product) -> tuple[Decimal, bool]:
        return product.reinstatement_price or product.list_price, False


class CommitmentPriceBook(PriceBook):
    """N9: the prices a three-year commitment fixed for its term (CommitmentPrice rows, read
    once). A product without a fixed price yet (added to the catalogue during the term, and
    not fixed when it was created) is under the same terms at its price now. Every line it
    prices is marked `under_commitment`."""

    def __init__(self, commitment: Commitment):
        self.commitment = commitment
        self.prices = fixed_prices(commitment.pk)

    def annual_ss_price(self, product: Product) -> tuple[Decimal, bool]:
        fixed = self.prices.get(product.pk)
        return (fixed[1] if fixed else product.annual_ss_price), True

    def reinstatement_price(self, product: Product) -> tuple[Decimal, bool]:
        price, _committed = super().reinstatement_price(product)
        return price, True


@dataclass(frozen=True)
class Pricing:
    """The level a quote is priced at and where prices come from."""

    level_code: str
    discount_percent: Decimal
    book: PriceBook
    commitment: Commitment | None = None  # N9: the commitment in force, if any


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
    in force; N9: under a three-year commitment its 3YC level and the prices it fixed)."""
    level = agreement_level(agreement)
    commitment = None
    book = PriceBook()
    if agreement.programme == "VIP":
        commitment = active_commitment(agreement.pk, on=as_of)
        if commitment is not None:
            book = CommitmentPriceBook(commitment)
    return Pricing(
        level_code=level.code,
        discount_percent=level.discount_percent,
        book=book,
        commitment=commitment,
    )


def commitment_warning(
    *, commitment: Commitment | None, lines: Sequence[LineDraft], qualifying: set[int]
) -> str:
    """N9: a renewal quote that renews fewer qualifying licences than the commitment says so
    before it is accepted ("" when it renews enough, or there is no commitment). The due
    (required) lines are what the quote renews; `qualifying` are the ids of products that
    count toward volume."""
    if commitment is None or not commitment.quantity:
        return ""
    due = sum(
        line.quantity for line in lines if not line.is_optional and line.product_id in qualifying
    )
    if due >= commitment.quantity:
        return ""
    # Renewed by the anniversary its lines' coverage ends on (the first checked one after).
    ends = min(
        (line.covers_from - timedelta(days=1) for line in lines if line.covers_from),
        default=commitment.accepted_on,
    )
    anniversaries = checked_anniversaries(
        commitment.accepted_on, commitment.agreement.anniversary_month
    )
    by = next((day for day in anniversaries if day >= ends), commitment.ends_on)
    return _(
        "This quote renews %(due)s qualifying licences, fewer than the %(committed)s of your "
        "three-year commitment. Unless %(committed)s are renewed by %(day)s, the licences "
        "bought at commitment prices are returned and the level drops to 1."
    ) % {"due": due, "committed": commitment.quantity, "day": format_day(by)}


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
    warning = commitment_warning(
        commitment=pricing.commitment,
        lines=lines,
        qualifying={e.product_id for e in entitlements if e.product.counts_toward_volume},
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
        commitment_warning=warning,
    )


register_builder("renewal", renewal_draft)
