"""L9: edition change and upgrade pricing, as pure functions of plain values.

Seed 002, "ZMIANA POZIOMU WERSJI": a change to a richer edition costs the price difference while
S&S is active; otherwise the difference plus support as in L8.4 (30 / 40 / 50 % of the current
list price by the licence's age). Together with an upgrade to the newest version it costs the
upgrade price plus the edition difference. Only changes to a richer edition are priced; a
step down is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from licensing.fees import support_percent
from portal.core.money import money, percent_of


class EditionChangeError(ValueError):
    pass


@dataclass(frozen=True)
class EditionChangeFacts:
    as_of: date  # the day of the quote
    current_edition: str
    current_price: Decimal
    target_edition: str
    target_price: Decimal
    target_is_richer: bool
    ss_active: bool
    purchased_on: date
    list_price: Decimal
    with_upgrade_to_newest: bool = False
    newest_upgrade_price: Decimal | None = None
    newest_version: str = ""


@dataclass(frozen=True)
class PriceLine:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class PriceQuote:
    lines: tuple[PriceLine, ...]

    @property
    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), Decimal(0)))


def edition_change_quote(facts: EditionChangeFacts) -> PriceQuote:
    if not facts.target_is_richer:
        raise EditionChangeError(
            _("Only a change to a richer edition can be quoted (%(from)s → %(to)s).")
            % {"from": facts.current_edition, "to": facts.target_edition}
        )
    difference = PriceLine(
        str(
            _("Edition difference %(from)s → %(to)s")
            % {"from": facts.current_edition, "to": facts.target_edition}
        ),
        money(facts.target_price - facts.current_price),
    )
    if facts.with_upgrade_to_newest:
        upgrade = PriceLine(
            str(_("Upgrade to the newest version %(version)s") % {"version": facts.newest_version}),
            money(facts.newest_upgrade_price or 0),
        )
        return PriceQuote((upgrade, difference))
    if facts.ss_active:
        return PriceQuote((difference,))
    percent = support_percent(purchased_on=facts.purchased_on, as_of=facts.as_of)
    support = PriceLine(
        str(
            _("Support (S&S is not active): %(percent)s %% of the list price")
            % {"percent": percent}
        ),
        percent_of(percent, facts.list_price),
    )
    return PriceQuote((difference, support))


def upgrade_quote(*, newest_version: str, upgrade_price: Decimal) -> PriceQuote:
    """L1: the upgrade to the newest version costs its upgrade price, from any older version."""
    return PriceQuote(
        (
            PriceLine(
                str(_("Upgrade to %(version)s") % {"version": newest_version}), money(upgrade_price)
            ),
        )
    )
