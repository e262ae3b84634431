"""Levels as the database holds them (N7, N8, N9): the bands of a programme (admin data) and
an agreement's level now. The rules that pick a band are pure (renewals/pricing.py); this
module reads the data they need."""

from __future__ import annotations

from accounts.models import Agreement
from renewals.models import AgreementLevel, Level
from renewals.pricing import Band


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
