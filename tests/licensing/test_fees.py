"""L8: the fee for moving a licence to a new computer, one table of cases (STYLE: business rules
are pure functions with a table of cases). No database: `Version` is only built, never saved,
to decide "supported on the request date" exactly as the service does.

Dates are relative to the request date REQUEST = 2025-06-15 unless a case says otherwise. The
boundaries follow the reading written in licensing/fees.py:
- "less than 2 years ago": after the date two years before the request; exactly 2 years is
  "2 years ago or more";
- "not transferred in the last 12 months": the last move is *more* than 12 months ago, a move
  exactly 12 months ago is within them; "upgraded less than 12 months ago" likewise;
- 30 / 40 / 50 % by the age from the *purchase* date, each band starting on its anniversary;
- a version is past EOS on its EOS date itself;
- a purchase on 29 February reaches its anniversaries in common years on 1 March (the date
  N years before 28 February is 28 February, which is before 29 February).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from licensing.fees import MoveFacts, move_quote
from licensing.models import Version

REQUEST = date(2025, 6, 15)
LIST_PRICE = Decimal("1000.00")
UPGRADE_PRICE = Decimal("300.00")  # the newest version's upgrade price
OLDEST_SUPPORTED_PRICE = Decimal("1200.00")  # the oldest supported version's list price


@dataclass(frozen=True)
class Case:
    id: str
    rule: str
    fee: str
    facts: dict = field(default_factory=dict)
    eos_date: date | None = None  # decides version_supported through Version.is_supported_on
    upgrade_to: str = ""


def facts_for(case: Case) -> MoveFacts:
    values = {
        "request_date": REQUEST,
        "offline": False,
        "purchased_on": date(2024, 6, 15),
        "last_upgraded_on": None,
        "last_moved_on": None,
        "ss_active": True,
        "version_supported": True,
        "list_price": LIST_PRICE,
        "newest_upgrade_price": UPGRADE_PRICE,
        "newest_version": "12.0",
        "oldest_supported_version": "10.0",
        "oldest_supported_list_price": OLDEST_SUPPORTED_PRICE,
        **case.facts,
    }
    if case.eos_date is not None:
        version = Version(release_date=date(2015, 1, 1), eos_date=case.eos_date)
        values["version_supported"] = version.is_supported_on(values["request_date"])
    return MoveFacts(**values)


OLD = {"purchased_on": date(2022, 6, 15)}  # exactly 3 years before the request
LAPSED = {"ss_active": False}
EXTENSION = {"buys_extension": True}
UPGRADE = {"buys_upgrade_to_newest": True}

# fmt: off
CASES = [
    # --- L8.7: offline activation, 50 % of the list price whatever else holds --------------
    Case("L8.7 offline, bought a month ago", "L8.7", "500.00",
         {"offline": True, "purchased_on": date(2025, 5, 15)}),
    Case("L8.7 offline, bought 6 years ago, S&S lapsed, past EOS", "L8.7", "500.00",
         {"offline": True, "purchased_on": date(2019, 6, 15), **LAPSED},
         eos_date=date(2024, 1, 1)),
    Case("L8.7 offline, upgraded last month", "L8.7", "500.00",
         {"offline": True, "purchased_on": date(2020, 1, 1),
          "last_upgraded_on": date(2025, 5, 15)}),
    Case("L8.7 offline, moved last month", "L8.7", "500.00",
         {"offline": True, "last_moved_on": date(2025, 5, 15)}),
    Case("L8.7 offline, with an S&S extension", "L8.7", "500.00",
         {"offline": True, **EXTENSION}),
    Case("L8.7 offline, with the upgrade to the newest version", "L8.7", "500.00",
         {"offline": True, **UPGRADE}),
    # --- L8.1: a simultaneous purchase of an extension or upgrade makes the move free ------
    Case("L8.1 extension, moved 3 months ago (L8.3 without it)", "L8.1", "0.00",
         {"purchased_on": date(2023, 12, 15), "last_moved_on": date(2025, 3, 15), **EXTENSION}),
    Case("L8.1 upgrade under 2 years: the move free, the upgrade price paid", "L8.1", "300.00",
         {"last_moved_on": date(2025, 3, 15), **UPGRADE}, upgrade_to="12.0"),
    Case("L8.1 upgrade bought 2 years less a day ago", "L8.1", "300.00",
         {"purchased_on": date(2023, 6, 16), **UPGRADE}, upgrade_to="12.0"),
    Case("L8.1 extension, bought 3 years ago, S&S lapsed (the extension is the support)",
         "L8.1", "0.00", {**OLD, **LAPSED, **EXTENSION}),
    Case("L8.1 extension, bought 4 years ago, S&S lapsed, past EOS", "L8.1", "0.00",
         {"purchased_on": date(2021, 6, 15), **LAPSED, **EXTENSION}, eos_date=date(2025, 1, 1)),
    # --- L8.2: free under 2 years when not moved in 12 months, or fresh upgrade ---------------
    Case("L8.2 bought yesterday", "L8.2", "0.00", {"purchased_on": date(2025, 6, 14)}),
    Case("L8.2 bought 2 years less a day ago, never moved", "L8.2", "0.00",
         {"purchased_on": date(2023, 6, 16)}),
    Case("L8.2 bought under 2 years ago, S&S lapsed does not matter", "L8.2", "0.00",
         {"purchased_on": date(2024, 1, 10), **LAPSED}),
    Case("L8.2 bought 18 months ago, moved 13 months ago", "L8.2", "0.00",
         {"purchased_on": date(2023, 12, 15), "last_moved_on": date(2024, 5, 15)}),
    Case("L8.2 moved 12 months and a day ago", "L8.2", "0.00",
         {"purchased_on": date(2023, 12, 15), "last_moved_on": date(2024, 6, 14)}),
    Case("L8.2 bought 5 years ago, last upgraded 2 years less a day ago", "L8.2", "0.00",
         {"purchased_on": date(2020, 6, 15), "last_upgraded_on": date(2023, 6, 16), **LAPSED}),
    Case("L8.2 upgraded 8 months ago, moved 9 months ago (before the upgrade)", "L8.2", "0.00",
         {"purchased_on": date(2023, 9, 1), "last_moved_on": date(2024, 9, 15),
          "last_upgraded_on": date(2024, 10, 15)}),
    Case("L8.2 upgraded 12 months less a day ago, moved exactly 12 months ago", "L8.2", "0.00",
         {"purchased_on": date(2023, 9, 1), "last_moved_on": date(2024, 6, 15),
          "last_upgraded_on": date(2024, 6, 16)}),
    # --- L8.3: under 2 years but moved again too soon: 20 % ----------------------------------
    Case("L8.3 bought 18 months ago, moved 6 months ago", "L8.3", "200.00",
         {"purchased_on": date(2023, 12, 15), "last_moved_on": date(2024, 12, 15)}),
    Case("L8.3 moved exactly 12 months ago", "L8.3", "200.00",
         {"purchased_on": date(2023, 12, 15), "last_moved_on": date(2024, 6, 15)}),
    Case("L8.3 bought 2 years less a day ago, moved last month", "L8.3", "200.00",
         {"purchased_on": date(2023, 6, 16), "last_moved_on": date(2025, 5, 15)}),
    Case("L8.3 upgraded exactly 12 months ago, moved that same day", "L8.3", "200.00",
         {"purchased_on": date(2023, 9, 1), "last_upgraded_on": date(2024, 6, 15),
          "last_moved_on": date(2024, 6, 15)}),
    Case("L8.3 upgraded 6 months ago, moved since the upgrade", "L8.3", "200.00",
         {"purchased_on": date(2023, 9, 1), "last_upgraded_on": date(2024, 12, 15),
          "last_moved_on": date(2025, 2, 15)}),
    # --- L8.4: 2 years or more, supported: S&S active, else support at 30 / 40 / 50 % ---------
    Case("L8.4 bought exactly 2 years ago, S&S active: free", "L8.4", "0.00",
         {"purchased_on": date(2023, 6, 15)}),
    Case("L8.4 bought exactly 2 years ago, S&S lapsed: 30 %", "L8.4", "300.00",
         {"purchased_on": date(2023, 6, 15), **LAPSED}),
    Case("L8.4 bought 3 years less a day ago, S&S lapsed: 30 %", "L8.4", "300.00",
         {"purchased_on": date(2022, 6, 16), **LAPSED}),
    Case("L8.4 bought exactly 3 years ago, S&S lapsed: 40 %", "L8.4", "400.00",
         {**OLD, **LAPSED}),
    Case("L8.4 bought 4 years less a day ago, S&S lapsed: 40 %", "L8.4", "400.00",
         {"purchased_on": date(2021, 6, 16), **LAPSED}),
    Case("L8.4 bought exactly 4 years ago, S&S lapsed: 50 %", "L8.4", "500.00",
         {"purchased_on": date(2021, 6, 15), **LAPSED}),
    Case("L8.4 bought 9 years ago, S&S lapsed: 50 %", "L8.4", "500.00",
         {"purchased_on": date(2016, 3, 1), **LAPSED}),
    Case("L8.4 bought 5 years ago, upgraded exactly 2 years ago: 50 % by purchase age",
         "L8.4", "500.00",
         {"purchased_on": date(2020, 6, 15), "last_upgraded_on": date(2023, 6, 15), **LAPSED}),
    Case("L8.4 bought 3 years ago, moved last month, S&S active: free", "L8.4", "0.00",
         {**OLD, "last_moved_on": date(2025, 5, 15)}),
    Case("L8.4 EOS tomorrow: still supported, S&S lapsed: 40 %", "L8.4", "400.00",
         {**OLD, **LAPSED}, eos_date=date(2025, 6, 16)),
    # --- L8.5: as L8.4 past EOS: support plus the upgrade to the oldest supported version ----
    Case("L8.5 EOS on the request date, S&S lapsed: 40 % of the oldest supported", "L8.5",
         "480.00", {**OLD, **LAPSED}, eos_date=REQUEST, upgrade_to="10.0"),
    Case("L8.5 EOS on the request date, S&S active: free with the upgrade", "L8.5", "0.00",
         OLD, eos_date=REQUEST, upgrade_to="10.0"),
    Case("L8.5 past EOS, bought exactly 2 years ago, S&S lapsed: 30 %", "L8.5", "360.00",
         {"purchased_on": date(2023, 6, 15), **LAPSED}, eos_date=date(2025, 1, 31),
         upgrade_to="10.0"),
    Case("L8.5 past EOS, bought 4 years ago, S&S lapsed: 50 %", "L8.5", "600.00",
         {"purchased_on": date(2021, 6, 15), **LAPSED}, eos_date=date(2025, 1, 31),
         upgrade_to="10.0"),
    # --- L8.6: as L8.4 or L8.5 with the upgrade to the newest version: only its price ---------
    Case("L8.6 bought exactly 2 years ago, upgrading", "L8.6", "300.00",
         {"purchased_on": date(2023, 6, 15), **UPGRADE}, upgrade_to="12.0"),
    Case("L8.6 supported, S&S lapsed, upgrading", "L8.6", "300.00",
         {**OLD, **LAPSED, **UPGRADE}, upgrade_to="12.0"),
    Case("L8.6 past EOS, S&S lapsed, bought 5 years ago, upgrading", "L8.6", "300.00",
         {"purchased_on": date(2020, 6, 15), **LAPSED, **UPGRADE}, eos_date=date(2024, 1, 1),
         upgrade_to="12.0"),
    # --- leap-day purchases and moves --------------------------------------------------------
    Case("leap day: bought 2024-02-29, on 2026-02-28 under 2 years", "L8.2", "0.00",
         {"request_date": date(2026, 2, 28), "purchased_on": date(2024, 2, 29), **LAPSED}),
    Case("leap day: bought 2024-02-29, on 2026-03-01 2 years, S&S lapsed: 30 %", "L8.4",
         "300.00",
         {"request_date": date(2026, 3, 1), "purchased_on": date(2024, 2, 29), **LAPSED}),
    Case("leap day: bought 2024-02-29, on 2027-02-28 under 3 years: 30 %", "L8.4", "300.00",
         {"request_date": date(2027, 2, 28), "purchased_on": date(2024, 2, 29), **LAPSED}),
    Case("leap day: bought 2024-02-29, on 2027-03-01 3 years: 40 %", "L8.4", "400.00",
         {"request_date": date(2027, 3, 1), "purchased_on": date(2024, 2, 29), **LAPSED}),
    Case("leap day: bought 2024-02-29, on 2028-02-29 exactly 4 years: 50 %", "L8.4", "500.00",
         {"request_date": date(2028, 2, 29), "purchased_on": date(2024, 2, 29), **LAPSED}),
    Case("leap day: moved 2024-02-29, on 2025-02-28 within 12 months", "L8.3", "200.00",
         {"request_date": date(2025, 2, 28), "purchased_on": date(2023, 9, 1),
          "last_moved_on": date(2024, 2, 29)}),
    Case("leap day: moved 2024-02-29, on 2025-03-01 more than 12 months ago", "L8.2", "0.00",
         {"request_date": date(2025, 3, 1), "purchased_on": date(2023, 9, 1),
          "last_moved_on": date(2024, 2, 29)}),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_move_fee(case: Case):
    quote = move_quote(facts_for(case))

    assert (quote.rule, quote.fee, quote.upgrade_to) == (
        case.rule,
        Decimal(case.fee),
        case.upgrade_to,
    )
    assert quote.explanation  # L8: the quote says why this rule applies


def test_every_rule_of_l8_has_a_case():
    assert {case.rule for case in CASES} == {f"L8.{n}" for n in range(1, 8)}
