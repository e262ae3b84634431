"""Levels as the database holds them (N7, N8, N9): the bands of a programme (admin data) and
an agreement's level now. The rules that pick a band are pure (renewals/pricing.py); this
module reads the data they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import Agreement
from renewals.models import AgreementLevel, Level
from renewals.pricing import (
    Band,
    next_anniversary,
    next_band,
    previous_anniversary,
    reconciliation_day,
)
from renewals.volume import year_count


def bands_for(programme: str) -> list[Band]:
    """The programme's bands, as plain values for the pure rules."""
    return [
        Band(
            code=level.code,
            threshold=level.threshold,
            discount_percent=level.discount_percent,
            is_commitment=level.is_commitment,
        )
        for level in Level.objects.filter(programme=programme).order_by("threshold")
    ]


def level_row(programme: str, code: str) -> Level:
    return Level.objects.get(programme=programme, code=code)


def lowest_level(programme: str) -> Level:
    level = (
        Level.objects.filter(programme=programme, is_commitment=False).order_by("threshold").first()
    )
    if level is None:
        raise Level.DoesNotExist(f"No levels are defined for {programme}")
    return level


def agreement_level(agreement: Agreement) -> Level:
    """The agreement's level now: its recorded level, else the programme's lowest (a new
    agreement starts at the bottom: PA BL, VIP 1, PAE its one level)."""
    state = AgreementLevel.objects.select_related("level").filter(agreement=agreement).first()
    if state is not None:
        return state.level
    return lowest_level(agreement.programme)


@dataclass(frozen=True)
class LevelSummary:
    """What the dashboard and the renewals page show about an agreement's level (N7, N8):
    the level now, the points (PA) or qualifying licences (VIP) counted so far in the year,
    and what the next level needs by when ("3 more licences before 30 May reach level 2")."""

    agreement: Agreement
    level: Level
    counts: str  # "points" (PA), "licences" (VIP) or "" (PAE: one fixed level)
    value: int  # counted so far in the agreement year
    year_starts: date
    year_ends: date  # the anniversary
    deadline: date  # by when `to_next` must be reached (VIP: the reconciliation day)
    next_level: Level | None
    to_next: int | None  # how many more reach the next level (None at the top)
    is_vip_select: bool = False


def level_summary(*, agreement: Agreement, as_of: date) -> LevelSummary:
    """The level summary of `agreement` on `as_of` (renewals.volume counts; N7/N8)."""
    anniversary = next_anniversary(as_of, agreement.anniversary_month)
    year_starts = previous_anniversary(anniversary) + timedelta(days=1)
    level = agreement_level(agreement)
    programme = agreement.programme
    if programme == "PAE":
        return LevelSummary(
            agreement, level, "", 0, year_starts, anniversary, anniversary, None, None
        )
    value = year_count(agreement=agreement, starts=year_starts, ends=anniversary)
    bands = bands_for(programme)
    upcoming = next_band(value, bands)
    next_level = level_row(programme, upcoming.code) if upcoming else None
    deadline = reconciliation_day(anniversary) if programme == "VIP" else anniversary
    state = AgreementLevel.objects.filter(agreement=agreement).first()
    return LevelSummary(
        agreement=agreement,
        level=level,
        counts="points" if programme == "PA" else "licences",
        value=value,
        year_starts=year_starts,
        year_ends=anniversary,
        deadline=deadline,
        next_level=next_level,
        to_next=(upcoming.threshold - value) if upcoming else None,
        is_vip_select=bool(state and state.vip_select_since),
    )
