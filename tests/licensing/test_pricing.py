"""L9: edition change and upgrade pricing, one table of cases (pure functions, no database).

Catalogue of the cases: Plus 16,000, Pro 22,000, Standard 12,000 (the product's list price,
which the support line of L8.4 is a percentage of); the newest version 12.0 upgrades for 3,500.
The request date is 2025-06-15.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from licensing.pricing import (
    EditionChangeError,
    EditionChangeFacts,
    edition_change_quote,
    upgrade_quote,
)

ON = date(2025, 6, 15)
PRICES = {"Standard": Decimal("12000"), "Plus": Decimal("16000"), "Pro": Decimal("22000")}
RANK = {"Standard": 1, "Plus": 2, "Pro": 3}


@dataclass(frozen=True)
class Case:
    id: str
    lines: list[tuple[str, str]]  # (description starts with, amount)
    facts: dict = field(default_factory=dict)
    change: tuple[str, str] = ("Plus", "Pro")


def facts_for(case: Case) -> EditionChangeFacts:
    current, target = case.change
    values = {
        "as_of": ON,
        "current_edition": current,
        "current_price": PRICES[current],
        "target_edition": target,
        "target_price": PRICES[target],
        "target_is_richer": RANK[target] > RANK[current],
        "ss_active": True,
        "purchased_on": date(2024, 6, 15),
        "list_price": PRICES["Standard"],
        "newest_upgrade_price": Decimal("3500"),
        "newest_version": "12.0",
        **case.facts,
    }
    return EditionChangeFacts(**values)


LAPSED = {"ss_active": False}
UPGRADE = {"with_upgrade_to_newest": True}

# fmt: off
CASES = [
    Case("S&S active: the edition difference only",
         [("Edition difference Plus → Pro", "6000.00")]),
    Case("S&S active, two steps up Standard → Pro",
         [("Edition difference Standard → Pro", "10000.00")], change=("Standard", "Pro")),
    Case("S&S lapsed, bought under 2 years ago: difference + support at 30 %",
         [("Edition difference", "6000.00"), ("Support (S&S is not active): 30", "3600.00")],
         LAPSED),
    Case("S&S lapsed, bought exactly 2 years ago: difference + support at 30 %",
         [("Edition difference", "6000.00"), ("Support (S&S is not active): 30", "3600.00")],
         {**LAPSED, "purchased_on": date(2023, 6, 15)}),
    Case("S&S lapsed, bought exactly 3 years ago: difference + support at 40 %",
         [("Edition difference", "6000.00"), ("Support (S&S is not active): 40", "4800.00")],
         {**LAPSED, "purchased_on": date(2022, 6, 15)}),
    Case("S&S lapsed, bought 4 years less a day ago: support at 40 %",
         [("Edition difference", "6000.00"), ("Support (S&S is not active): 40", "4800.00")],
         {**LAPSED, "purchased_on": date(2021, 6, 16)}),
    Case("S&S lapsed, bought exactly 4 years ago: difference + support at 50 %",
         [("Edition difference", "6000.00"), ("Support (S&S is not active): 50", "6000.00")],
         {**LAPSED, "purchased_on": date(2021, 6, 15)}),
    Case("with the upgrade to the newest version, S&S active: upgrade + difference",
         [("Upgrade to the newest version 12.0", "3500.00"), ("Edition difference", "6000.00")],
         UPGRADE),
    Case("with the upgrade, S&S lapsed: upgrade + difference, no support line",
         [("Upgrade to the newest version 12.0", "3500.00"), ("Edition difference", "6000.00")],
         {**UPGRADE, **LAPSED, "purchased_on": date(2019, 1, 1)}),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_edition_change_price(case: Case):
    quote = edition_change_quote(facts_for(case))

    got = [(line.description, line.amount) for line in quote.lines]
    assert len(got) == len(case.lines), got
    for (description, amount), (starts, expected) in zip(got, case.lines, strict=True):
        assert description.startswith(starts), got
        assert amount == Decimal(expected), got
    assert quote.total == sum((Decimal(amount) for _, amount in case.lines), Decimal(0))


@pytest.mark.parametrize(
    "change", [("Pro", "Plus"), ("Pro", "Standard"), ("Plus", "Plus")], ids="→".join
)
def test_a_change_to_a_poorer_or_the_same_edition_is_refused(change):
    with pytest.raises(EditionChangeError, match="Only a change to a richer edition"):
        edition_change_quote(facts_for(Case("refused", [], change=change)))


def test_the_upgrade_to_the_newest_version_costs_its_upgrade_price():
    quote = upgrade_quote(newest_version="12.0", upgrade_price=Decimal("3500"))

    assert [(line.description, line.amount) for line in quote.lines] == [
        ("Upgrade to 12.0", Decimal("3500.00"))
    ]
    assert quote.total == Decimal("3500.00")
