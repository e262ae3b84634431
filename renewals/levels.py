"""Levels as the database holds them (N7, N8, N9): the bands of a programme (admin data) and
an agreement's level now. The rules that pick a band are pure (renewals/pricing.py and the
small pure helpers below); this module reads the data they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from accounts.models import Agreement, Contact
from renewals.models import AgreementLevel, Commitment, Level
from renewals.pricing import (
    COMMITMENT_LEVEL_OFFSET,
    VIP_SELECT_AT,
    Band,
    band_for,
    commitment_code,
    next_anniversary,
    next_band,
    previous_anniversary,
    reconciliation_day,
)
from renewals.volume import year_count

# --- pure helpers (tests/renewals/test_levels_pure.py) ----------------------------------


def ordinary_code(code: str) -> str:
    """N9: the VIP Select level a 3YC level stands for ("12" → "2"); others unchanged."""
    value = int(code)
    return str(value - COMMITMENT_LEVEL_OFFSET) if value > COMMITMENT_LEVEL_OFFSET else code


def vip_level_after(
    count: int,
    bands: list[Band],
    *,
    keeps_select: bool,
    committed_floor: str | None = None,
) -> Band:
    """N8: the VIP level a count of qualifying licences sets for the next renewal. Once VIP
    Select was reached (`keeps_select`) the level never drops below level 2; under an active
    three-year commitment (N9) the level is a 3YC level, never below the one accepted
    (`committed_floor`, e.g. "12")."""
    committed = committed_floor is not None
    reached = band_for(count, bands, commitment=committed)
    eligible = sorted(
        (band for band in bands if band.is_commitment == committed), key=lambda b: b.threshold
    )
    floor = None
    if keeps_select or count >= VIP_SELECT_AT:
        floor = next((band for band in eligible if band.threshold >= VIP_SELECT_AT), None)
    if committed:
        floor = next(band for band in eligible if band.code == committed_floor)
    if floor is not None and floor.threshold > reached.threshold:
        return floor
    return reached


def pa_level_after(points: int, bands: list[Band]) -> Band:
    """N7: the points of all sites in the agreement year set the next year's level."""
    return band_for(points, bands)


def is_vip_select_code(code: str) -> bool:
    """N8: levels 2–4 are VIP Select (and their 3YC versions 12–14, N9)."""
    return code.isdigit() and int(ordinary_code(code)) >= 2


# --- reads ----------------------------------------------------------------------------------


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


def levels_by_code(programme: str) -> dict[str, Level]:
    return {level.code: level for level in Level.objects.filter(programme=programme)}


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


def active_commitment(agreement_id: int, *, on: date) -> Commitment | None:
    """N9: the agreement's commitment in force on `on` (accepted, term not over)."""
    return (
        Commitment.objects.filter(
            agreement_id=agreement_id,
            state=Commitment.State.ACTIVE,
            accepted_on__lte=on,
            ends_on__gte=on,
        )
        .order_by("-accepted_on")
        .first()
    )


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
    projected: Level | None = None  # the level the count so far sets for next year
    bands: tuple[Band, ...] = ()  # the ladder the chart draws (ordinary or 3YC bands)
    commitment: Commitment | None = None  # N9: in force now


def level_summary(*, agreement: Agreement, as_of: date) -> LevelSummary:
    """The level summary of `agreement` on `as_of` (renewals.volume counts; N7/N8/N9).

    PA: points of the agreement year so far, and points to the band above the one they
    reach (next year's level). VIP: qualifying licences bought this subscription year, the
    level they would set at the reconciliation (31 days before the anniversary, the
    deadline), VIP Select kept once reached, a 3YC level under a commitment; `to_next` is
    what lifts that projection one band."""
    anniversary = next_anniversary(as_of, agreement.anniversary_month)
    year_starts = previous_anniversary(anniversary) + timedelta(days=1)
    programme = agreement.programme
    # One query for the programme's levels (bands, names, the lowest); the agreement's level
    # row may come with the agreement (select_related("level_state__level")).
    rows = list(Level.objects.filter(programme=programme).order_by("threshold"))
    if not rows:
        raise Level.DoesNotExist(f"No levels are defined for {programme}")
    levels = {row.code: row for row in rows}
    try:
        state = agreement.level_state
    except AgreementLevel.DoesNotExist:
        state = None
    if state is not None:
        level = levels.get(state.level.code, state.level)
    else:
        level = next(row for row in rows if not row.is_commitment)
    if programme == "PAE":
        return LevelSummary(
            agreement, level, "", 0, year_starts, anniversary, anniversary, None, None
        )
    value = year_count(agreement=agreement, starts=year_starts, ends=anniversary)
    bands = [
        Band(
            code=row.code,
            threshold=row.threshold,
            discount_percent=row.discount_percent,
            is_commitment=row.is_commitment,
        )
        for row in rows
    ]
    commitment = None
    if programme == "PA":
        projected_band = pa_level_after(value, bands)
        upcoming = next_band(value, bands)
        deadline = anniversary
        ladder = tuple(band for band in bands if not band.is_commitment)
    else:
        commitment = active_commitment(agreement.pk, on=as_of)
        floor = commitment_code(commitment.level_before) if commitment else None
        keeps = bool(state and state.vip_select_since)
        projected_band = vip_level_after(value, bands, keeps_select=keeps, committed_floor=floor)
        upcoming = next_band(projected_band.threshold, bands, commitment=floor is not None)
        deadline = reconciliation_day(anniversary)
        if deadline < as_of:  # reconciled already: the count now works toward next year
            deadline = anniversary
        ladder = tuple(band for band in bands if band.is_commitment == (floor is not None))
    return LevelSummary(
        agreement=agreement,
        level=level,
        counts="points" if programme == "PA" else "licences",
        value=value,
        year_starts=year_starts,
        year_ends=anniversary,
        deadline=deadline,
        next_level=levels.get(upcoming.code) if upcoming else None,
        to_next=(upcoming.threshold - value) if upcoming else None,
        is_vip_select=bool(state and state.vip_select_since) or is_vip_select_code(level.code)
        if programme == "VIP"
        else False,
        projected=levels.get(projected_band.code),
        bands=ladder,
        commitment=commitment,
    )


# --- the level-progress chart (drawn server-side as inline SVG) ---------------------------


@dataclass(frozen=True)
class ChartSegment:
    code: str
    threshold: int
    x: float
    width: float
    reached: bool


@dataclass(frozen=True)
class ProgressChart:
    """Coordinates for templates/portal/includes/levels.html: one equal-width segment per
    band (the bands span 0 to 25,000+ points, so a linear scale would hide the low ones),
    and the count's position inside its band's segment."""

    width: int
    segments: tuple[ChartSegment, ...]
    marker_x: float


def progress_chart(
    bands: tuple[Band, ...] | list[Band], value: int, *, width: int = 600
) -> ProgressChart:
    ordered = sorted(bands, key=lambda b: b.threshold)
    if not ordered:
        return ProgressChart(width, (), 0.0)
    step = width / len(ordered)
    segments = []
    marker = 0.0
    for index, band in enumerate(ordered):
        upper = ordered[index + 1].threshold if index + 1 < len(ordered) else None
        segments.append(
            ChartSegment(band.code, band.threshold, index * step, step, value >= band.threshold)
        )
        if value >= band.threshold:
            if upper is None:
                fraction = 1.0
            else:
                fraction = min(1.0, (value - band.threshold) / max(upper - band.threshold, 1))
            marker = index * step + fraction * step
    return ProgressChart(width, tuple(segments), round(marker, 1))


PANELS_SHOWN = 3  # the dashboard shows the levels of at most this many agreements


def level_panels_for_user(*, user, as_of: date) -> list[dict]:
    """The dashboard's level panels (N7/N8/N9): for customer users, the agreements of the
    sites they run (primary contact or site administrator: levels are about discounts, and
    prices are for those who run a site, SPEC §1); none for resellers and staff."""
    if not user.is_authenticated or user.is_staff or user.reseller_id:
        return []
    runs = Contact.objects.filter(user=user).filter(Q(is_primary=True) | Q(is_site_admin=True))
    agreements = (
        Agreement.objects.filter(pk__in=runs.values("site__agreement_id"))
        .select_related("level_state__level")
        .order_by("number")[:PANELS_SHOWN]
    )
    panels = []
    for agreement in agreements:
        try:
            summary = level_summary(agreement=agreement, as_of=as_of)
        except Level.DoesNotExist:
            continue  # no levels defined for the programme: nothing to show
        chart = progress_chart(summary.bands, summary.value) if summary.bands else None
        panels.append({"summary": summary, "chart": chart})
    return panels
