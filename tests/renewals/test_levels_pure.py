"""N7/N8/N9 as pure rules: the default band tables at their exact thresholds, VIP Select
kept once reached, the 3YC codes, the term's anniversaries and the reminder windows
(renewals.pricing, renewals.levels, renewals.commitments)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from renewals.commitments import (
    checked_anniversaries,
    commitment_check_due,
    due_reminder,
    term_anniversaries,
    term_end,
)
from renewals.levels import (
    is_vip_select_code,
    ordinary_code,
    pa_level_after,
    progress_chart,
    vip_level_after,
)
from renewals.pricing import Band, commitment_code

PA = [
    Band("BL", 0, Decimal(0)),
    Band("D", 500, Decimal(3)),
    Band("E", 2000, Decimal(6)),
    Band("F", 5000, Decimal(9)),
    Band("G", 10000, Decimal(12)),
    Band("H", 25000, Decimal(15)),
]
VIP = [
    Band("1", 1, Decimal(0)),
    Band("2", 10, Decimal(6)),
    Band("3", 50, Decimal(10)),
    Band("4", 100, Decimal(15)),
    Band("12", 10, Decimal(10), is_commitment=True),
    Band("13", 50, Decimal(14), is_commitment=True),
    Band("14", 100, Decimal(18), is_commitment=True),
]


@pytest.mark.parametrize(
    ("points", "code"),
    [
        (0, "BL"),
        (499, "BL"),
        (500, "D"),
        (1999, "D"),
        (2000, "E"),
        (4999, "E"),
        (5000, "F"),
        (9999, "F"),
        (10000, "G"),
        (24999, "G"),
        (25000, "H"),
        (1_000_000, "H"),
    ],
)
def test_pa_points_reach_the_band_at_exactly_its_threshold(points, code):
    """N7: BL < 500, D 500–1,999, E 2,000–4,999, F 5,000–9,999, G 10,000–24,999, H 25,000+."""
    assert pa_level_after(points, PA).code == code


@pytest.mark.parametrize(
    ("licences", "code"),
    [(0, "1"), (1, "1"), (9, "1"), (10, "2"), (49, "2"), (50, "3"), (99, "3"), (100, "4")],
)
def test_vip_licence_counts_reach_levels_one_to_four(licences, code):
    """N8: level 1 for 1–9, 2 for 10–49, 3 for 50–99, 4 for 100+."""
    assert vip_level_after(licences, VIP, keeps_select=False).code == code


@pytest.mark.parametrize(("licences", "code"), [(0, "2"), (9, "2"), (10, "2"), (60, "3")])
def test_vip_select_once_reached_never_drops_below_level_two(licences, code):
    """N8: once the count reached 10, later renewals of any size keep the VIP Select level."""
    assert vip_level_after(licences, VIP, keeps_select=True).code == code


def test_a_level_four_customer_buying_less_drops_to_the_band_its_count_reaches():
    assert vip_level_after(20, VIP, keeps_select=True).code == "2"


@pytest.mark.parametrize(
    ("licences", "floor", "code"),
    [(5, "12", "12"), (60, "12", "13"), (5, "13", "13"), (150, "13", "14")],
)
def test_under_a_commitment_the_level_is_a_3yc_level_never_below_the_one_accepted(
    licences, floor, code
):
    """N9: a 3YC customer stays on the commitment ladder (12–14)."""
    assert vip_level_after(licences, VIP, keeps_select=True, committed_floor=floor).code == code


@pytest.mark.parametrize(("code", "committed"), [("2", "12"), ("3", "13"), ("4", "14")])
def test_commitment_codes_move_two_three_four_to_twelve_thirteen_fourteen(code, committed):
    """N9: accepting moves level 2, 3, 4 to 12, 13, 14 — and back when the term ends."""
    assert commitment_code(code) == committed
    assert ordinary_code(committed) == code


@pytest.mark.parametrize(
    ("code", "select"), [("1", False), ("2", True), ("4", True), ("12", True), ("14", True)]
)
def test_levels_two_to_four_and_their_3yc_versions_are_vip_select(code, select):
    assert is_vip_select_code(code) is select


def test_the_term_runs_to_the_third_anniversary_after_acceptance():
    """N9: accepted 10 March 2025 with a May anniversary: renewals checked at 31 May 2025 and
    31 May 2026, the term ends 31 May 2027."""
    assert term_anniversaries(date(2025, 3, 10), 5) == [
        date(2025, 5, 31),
        date(2026, 5, 31),
        date(2027, 5, 31),
    ]
    assert checked_anniversaries(date(2025, 3, 10), 5) == [date(2025, 5, 31), date(2026, 5, 31)]
    assert term_end(date(2025, 3, 10), 5) == date(2027, 5, 31)


def test_accepted_on_the_anniversary_itself_the_term_starts_at_the_next_one():
    assert term_anniversaries(date(2025, 2, 28), 2)[0] == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 3, 31), None),  # 61 days before
        (date(2025, 4, 1), (date(2025, 5, 31), 60)),  # 60 days before
        (date(2025, 4, 30), (date(2025, 5, 31), 60)),  # 31 days before
        (date(2025, 5, 1), (date(2025, 5, 31), 30)),  # 30 days before: the 30-day one
        (date(2025, 5, 31), (date(2025, 5, 31), 30)),  # the anniversary itself
        (date(2025, 6, 1), None),  # after it, the next one is a year away
        (date(2026, 4, 1), (date(2026, 5, 31), 60)),
    ],
)
def test_reminders_are_due_sixty_and_thirty_days_before_each_checked_anniversary(as_of, expected):
    anniversaries = [date(2025, 5, 31), date(2026, 5, 31)]
    assert due_reminder(as_of=as_of, anniversaries=anniversaries) == expected


@pytest.mark.parametrize(
    ("as_of", "checked", "expected"),
    [
        (date(2025, 5, 31), None, None),  # on the anniversary: still time to renew
        (date(2025, 6, 1), None, date(2025, 5, 31)),
        (date(2025, 6, 1), date(2025, 5, 31), None),  # checked: nothing twice
        (date(2026, 6, 1), None, date(2025, 5, 31)),  # a missed year is caught up in order
        (date(2026, 6, 1), date(2025, 5, 31), date(2026, 5, 31)),
    ],
)
def test_a_commitment_is_checked_the_day_after_each_checked_anniversary_once(
    as_of, checked, expected
):
    anniversaries = [date(2025, 5, 31), date(2026, 5, 31)]
    found = commitment_check_due(as_of=as_of, anniversaries=anniversaries, checked_through=checked)
    assert found == expected


def test_the_progress_chart_gives_each_band_an_equal_segment_and_places_the_count_inside():
    chart = progress_chart(PA, 1250, width=600)
    assert [s.code for s in chart.segments] == ["BL", "D", "E", "F", "G", "H"]
    assert {s.width for s in chart.segments} == {100.0}
    # 1,250 points: half-way through D (500–1,999 spans 1,500 points).
    assert chart.marker_x == 150.0
    assert [s.reached for s in chart.segments] == [True, True, False, False, False, False]
