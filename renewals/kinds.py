"""One quote machinery for every kind (N6): the kinds register here what they add.

- A *line builder* turns what a quote is about (entitlements, a move, a ticket) into line
  drafts; `quote_issue` prices nothing itself and writes what the builder gives.
- A *line applier* is what accepting does to one chosen line, inside the acceptance
  transaction, after its order line is written: extend coverage, reinstate it, apply the
  upgrade or edition (the version and "last upgraded" date move with it, so later L8 quotes
  see it). Appliers are per line action, so kinds share them.

Licensing never imports this module (layers: renewals sits above licensing); support, above
renewals, registers its onsite kind here. Licensing pages reach quote pages by URL name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from licensing import services
from licensing.models import CoveragePeriod
from portal.core.dates import one_year_of_cover


@dataclass
class LineDraft:
    """A quote line before it is written (QuoteLine's fields)."""

    site_id: int
    product_id: int
    action: str
    description: str
    quantity: int
    base_price: Decimal
    unit_price: Decimal
    amount: Decimal
    entitlement_id: int | None = None
    edition_id: int | None = None
    version_id: int | None = None
    target_edition_id: int | None = None
    target_version_id: int | None = None
    is_optional: bool = False
    covers_from: date | None = None
    covers_to: date | None = None
    months: int | None = None
    discount_percent: Decimal = Decimal(0)
    under_commitment: bool = False


@dataclass
class QuoteDraft:
    """A quote before it is written: who it is for and its lines (N6)."""

    kind: str
    agreement_id: int
    series_key: str
    valid_until: date
    lines: list[LineDraft]
    currency: str
    reseller_id: int | None = None
    site_id: int | None = None
    notice: str = "request"
    renews_to: date | None = None
    level_code: str = ""
    discount_percent: Decimal = Decimal(0)
    commitment_warning: str = ""
    subject: dict = field(default_factory=dict)


def one_line_draft(
    *,
    kind: str,
    site,
    entitlement,
    action: str,
    description: str,
    price: Decimal,
    currency: str,
    series_key: str,
    valid_until: date,
    subject: dict,
) -> QuoteDraft:
    """A quote of one line about one entitlement at its site, at a fixed price: the shape of
    the fee and service kinds (L8 move fee; support's onsite visit S7 and unreturned unit
    S6), at the entitlement's site `site`."""
    return QuoteDraft(
        kind=kind,
        agreement_id=site.agreement_id,
        reseller_id=site.reseller_id,
        site_id=site.pk,
        series_key=series_key,
        valid_until=valid_until,
        lines=[
            LineDraft(
                site_id=site.pk,
                product_id=entitlement.product_id,
                entitlement_id=entitlement.pk,
                edition_id=entitlement.edition_id,
                version_id=entitlement.version_id,
                action=action,
                description=description[:300],
                quantity=1,
                base_price=price,
                unit_price=price,
                amount=price,
            )
        ],
        currency=currency,
        subject=subject,
    )


LineApplier = Callable[..., None]  # (*, line, entitlement, accepted_on) -> None
_APPLIERS: dict[str, LineApplier] = {}
_BUILDERS: dict[str, Callable[..., QuoteDraft]] = {}


def register_applier(action: str, applier: LineApplier) -> None:
    _APPLIERS[action] = applier


def register_builder(kind: str, builder: Callable[..., QuoteDraft]) -> None:
    _BUILDERS[kind] = builder


def applier_for(action: str) -> LineApplier:
    try:
        return _APPLIERS[action]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"No applier is registered for quote lines of {action!r}"
        ) from exc


def builder_for(kind: str) -> Callable[..., QuoteDraft]:
    try:
        return _BUILDERS[kind]
    except KeyError as exc:
        raise ImproperlyConfigured(f"No builder is registered for quotes of {kind!r}") from exc


# --- the appliers licensing's entitlements need (registered below) --------------------------


def _extend(*, line, entitlement, accepted_on: date) -> None:
    """N1/N2: renew S&S from the day after the coverage end to the line's new end."""
    services.coverage_add(
        entitlement=entitlement,
        starts_on=line.covers_from,
        ends_on=line.covers_to,
        kind=CoveragePeriod.Kind.RENEWAL,
        note=f"Quote {line.quote.number}",
    )


def reinstatement_period(accepted_on: date) -> tuple[date, date]:
    """N5: twelve months of S&S from the reinstatement date; nothing back-dated."""
    return accepted_on, one_year_of_cover(accepted_on)


def _reinstate(*, line, entitlement, accepted_on: date) -> None:
    starts_on, ends_on = reinstatement_period(accepted_on)
    services.coverage_add(
        entitlement=entitlement,
        starts_on=starts_on,
        ends_on=ends_on,
        kind=CoveragePeriod.Kind.REINSTATEMENT,
        note=f"Quote {line.quote.number}",
    )


def _upgrade(*, line, entitlement, accepted_on: date) -> None:
    """L9: the version (and edition) move, and the "last upgraded" date with them (L8 reads
    it)."""
    fields = ["last_upgraded_on"]
    if line.target_version_id:
        entitlement.version_id = line.target_version_id
        fields.append("version")
    if line.target_edition_id:
        entitlement.edition_id = line.target_edition_id
        fields.append("edition")
    entitlement.last_upgraded_on = accepted_on
    entitlement.save(update_fields=fields)


def _nothing(*, line, entitlement, accepted_on: date) -> None:
    """Fees and services change no entitlement; what they pay for reacts to `quote_accepted`."""


register_applier("extend", _extend)
register_applier("reinstate", _reinstate)
register_applier("upgrade", _upgrade)
register_applier("edition", _upgrade)
register_applier("fee", _nothing)
register_applier("service", _nothing)

QUOTE_VALID_DAYS = 30  # N6: quotes other than renewals are valid for 30 days


def default_valid_until(issued_on: date) -> date:
    return issued_on + timedelta(days=QUOTE_VALID_DAYS)
