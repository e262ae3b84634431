"""L8: the fee for moving a licence to a new computer, as a pure function of plain values.

Reading of the rules (seed 002, "ZMIANA STANOWISKA"), decided on the request date:
- Ages compare calendar dates: "less than 2 years ago" means after the date two years before
  the request; a purchase exactly two years before the request is "2 years ago or more".
- "Not transferred in the last 12 months": the last move is *more* than 12 months ago (the seed:
  "dawniej niż rok"); a move exactly 12 months before the request is within them.
- The percentages of L8.4/L8.5 follow the licence's age from its *purchase* date (the seed:
  "wg daty zakupu"): 30 % from 2 to under 3 years, 40 % from 3 to under 4, 50 % from 4 years.
- A version is supported until its EOS date; on the EOS date itself it is past EOS.
- L8.5 with S&S still active: S&S already entitles the customer to supported versions, so the
  move is free but must include the upgrade to the oldest supported version.
- L8.7 (offline activation) comes first: 50 % whatever the age, upgrade or purchase.
- L8.1 "with a simultaneous purchase of an extension or upgrade": the move itself is free; when
  the purchase is the upgrade to the newest version, its upgrade price is what is paid. From
  2 years on, the same upgrade purchase is L8.6 ("only the upgrade price").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portal.core.dates import add_months, add_years
from portal.core.money import money, percent_of

MOVE_AGAIN_TOO_SOON_PERCENT = Decimal(20)  # L8.3
OFFLINE_PERCENT = Decimal(50)  # L8.7
SUPPORT_PERCENT_BY_AGE = ((4, Decimal(50)), (3, Decimal(40)), (2, Decimal(30)))  # L8.4


@dataclass(frozen=True)
class MoveFacts:
    """What the rules need to know about the licence and the request."""

    request_date: date
    offline: bool
    purchased_on: date
    last_upgraded_on: date | None
    last_moved_on: date | None
    ss_active: bool
    version_supported: bool
    list_price: Decimal  # the product's current list price
    buys_extension: bool = False
    buys_upgrade_to_newest: bool = False
    newest_upgrade_price: Decimal | None = None
    newest_version: str = ""
    oldest_supported_version: str = ""
    oldest_supported_list_price: Decimal | None = None


@dataclass(frozen=True)
class MoveQuote:
    rule: str  # "L8.1" … "L8.7"
    fee: Decimal
    explanation: str
    upgrade_to: str = ""  # a version the move must include, if any


def support_percent(*, purchased_on: date, as_of: date) -> Decimal:
    """L8.4: 30 / 40 / 50 % for a licence 2–3 / 3–4 / 4+ years old (under 2: the 2–3 band)."""
    for years, percent in SUPPORT_PERCENT_BY_AGE:
        if purchased_on <= add_years(as_of, -years):
            return percent
    return SUPPORT_PERCENT_BY_AGE[-1][1]


def move_quote(facts: MoveFacts) -> MoveQuote:
    """Which rule of L8 applies, the fee, and why."""
    on = facts.request_date
    if facts.offline:
        return MoveQuote(
            "L8.7",
            percent_of(OFFLINE_PERCENT, facts.list_price),
            str(
                _(
                    "Offline-activated licences move for 50 percent of the current list price, "
                    "whatever their age or upgrades."
                )
            ),
        )
    anchor = max(facts.purchased_on, facts.last_upgraded_on or facts.purchased_on)
    recent = anchor > add_years(on, -2)
    if facts.buys_upgrade_to_newest and not recent:
        return MoveQuote(
            "L8.6",
            money(facts.newest_upgrade_price or 0),
            str(
                _(
                    "Bought or last upgraded 2 years ago or more, and upgrading to the newest "
                    "version %(version)s: only the upgrade price is paid."
                )
                % {"version": facts.newest_version}
            ),
            upgrade_to=facts.newest_version,
        )
    if facts.buys_extension or facts.buys_upgrade_to_newest:
        if facts.buys_upgrade_to_newest:
            return MoveQuote(
                "L8.1",
                money(facts.newest_upgrade_price or 0),
                str(
                    _(
                        "Moved together with the purchase of an upgrade to %(version)s: the move "
                        "is free; the upgrade price is paid."
                    )
                    % {"version": facts.newest_version}
                ),
                upgrade_to=facts.newest_version,
            )
        return MoveQuote(
            "L8.1",
            money(0),
            str(_("Moved together with the purchase of an S&S extension: the move is free.")),
        )
    if recent:
        return _recent_licence_quote(facts, anchor)
    percent = support_percent(purchased_on=facts.purchased_on, as_of=on)
    if facts.version_supported:
        if facts.ss_active:
            return MoveQuote(
                "L8.4",
                money(0),
                str(
                    _(
                        "Bought and last upgraded 2 years ago or more; the version is supported "
                        "and S&S is active: the move is free."
                    )
                ),
            )
        return MoveQuote(
            "L8.4",
            percent_of(percent, facts.list_price),
            str(
                _(
                    "Bought and last upgraded 2 years ago or more and S&S is not active: "
                    "support must be bought first, %(percent)s %% of the current list price for "
                    "a licence of this age."
                )
                % {"percent": percent}
            ),
        )
    if facts.ss_active:
        return MoveQuote(
            "L8.5",
            money(0),
            str(
                _(
                    "The version is past its end of service: the move includes the upgrade to "
                    "the oldest supported version %(version)s, which active S&S covers."
                )
                % {"version": facts.oldest_supported_version}
            ),
            upgrade_to=facts.oldest_supported_version,
        )
    return MoveQuote(
        "L8.5",
        percent_of(percent, facts.oldest_supported_list_price or facts.list_price),
        str(
            _(
                "The version is past its end of service and S&S is not active: support plus "
                "the upgrade to the oldest supported version %(version)s, %(percent)s %% of that "
                "version's list price."
            )
            % {"version": facts.oldest_supported_version, "percent": percent}
        ),
        upgrade_to=facts.oldest_supported_version,
    )


def _recent_licence_quote(facts: MoveFacts, anchor: date) -> MoveQuote:
    """L8.2 / L8.3: bought or last upgraded less than 2 years ago."""
    on = facts.request_date
    year_ago = add_months(on, -12)
    moved = facts.last_moved_on
    not_moved_for_a_year = moved is None or moved < year_ago
    upgraded = facts.last_upgraded_on
    fresh_upgrade = upgraded is not None and upgraded > year_ago
    not_moved_since_upgrade = moved is None or (upgraded is not None and moved < upgraded)
    if not_moved_for_a_year:
        return MoveQuote(
            "L8.2",
            money(0),
            str(
                _(
                    "Bought or last upgraded on %(date)s, less than 2 years ago, and not moved in "
                    "the last 12 months: the move is free."
                )
                % {"date": anchor.isoformat()}
            ),
        )
    if fresh_upgrade and not_moved_since_upgrade:
        return MoveQuote(
            "L8.2",
            money(0),
            str(
                _(
                    "Upgraded on %(date)s, less than 12 months ago, and not moved since: the move "
                    "is free."
                )
                % {"date": upgraded.isoformat()}
            ),
        )
    return MoveQuote(
        "L8.3",
        percent_of(MOVE_AGAIN_TOO_SOON_PERCENT, facts.list_price),
        str(
            _(
                "Bought or last upgraded less than 2 years ago, but last moved on %(date)s, "
                "within the last 12 months: 20 %% of the current list price."
            )
            % {"date": moved.isoformat()}
        ),
    )
