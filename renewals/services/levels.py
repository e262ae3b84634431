"""Writes for levels (N7, N8): the per-order level and VIP's raise at once on a single order
of 10+ qualifying licences; the PA roll after each anniversary (points of the year set next
year's level) and the VIP reconciliation 31 days before it, each a set-based daily job.

Jobs (N10) query what is due, count every due agreement in ONE grouped query
(renewals.volume.year_counts) and write in chunks — each chunk's level changes, levels and
e-mails in one transaction — so a job killed midway and run again repeats nothing and loses
nothing. The LevelChange key (`points-year:<agreement>:<A>`, `reconciliation:<agreement>:<A>`,
`order:<order id>`) is unique: a job run twice for one day writes nothing the second time."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Agreement, Site
from licensing.models import Order
from licensing.pricing_hooks import OrderDiscount
from portal.core.batch import JobSummary
from renewals.commitments import fixed_prices
from renewals.level_emails import agreement_recipients, level_emails_queue_many
from renewals.levels import (
    active_commitment,
    agreement_level,
    bands_for,
    levels_by_code,
    pa_level_after,
    vip_level_after,
)
from renewals.models import AgreementLevel, Commitment, Level, LevelChange
from renewals.pricing import (
    VIP_SELECT_AT,
    band_for,
    commitment_code,
    higher_of,
    next_anniversary,
    previous_anniversary,
    reconciliation_day,
)
from renewals.volume import order_count, year_counts

Reason = LevelChange.Reason
CHUNK = 250  # agreements written per transaction by the jobs
# N7: the PA roll runs on the first day after an anniversary; a job down for a while catches
# up this many days after it, not later (a level staff set since is not overwritten).
ROLL_CATCH_UP_DAYS = 31


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- the per-order level (N7, N8, N9): licensing.pricing_hooks provider ------------------


def order_discount_for(*, site: Site, lines, ordered_on: date) -> OrderDiscount | None:
    """The discount an order at `site` gets: the agreement's level, or the band the order's
    own points (PA, N7) or qualifying licences (VIP, N8: a single order of 10+ raises the level
    at once, this order included) reach when that is higher; under a three-year commitment
    (N9) its 3YC level and the list prices fixed for the term. PAE: its one fixed level."""
    agreement = site.agreement
    programme = agreement.programme
    try:
        level = agreement_level(agreement)
    except Level.DoesNotExist:
        return None  # no levels defined (an emptied database): list prices
    chosen = level
    reached = None
    commitment = None
    if programme in ("PA", "VIP"):
        bands = bands_for(programme)
        if programme == "VIP":
            commitment = active_commitment(agreement.pk, on=ordered_on)
        own = order_count(programme=programme, lines=lines)
        band = band_for(own, bands, commitment=commitment is not None)
        current = next(b for b in bands if b.code == level.code)
        if programme == "PA" or own >= VIP_SELECT_AT:
            best = higher_of(current, band)
            if best.code != current.code:
                chosen = Level.objects.get(programme=programme, code=best.code)
                reached = own
    prices = {}
    if commitment is not None:
        prices = {pk: fixed[0] for pk, fixed in fixed_prices(commitment.pk).items()}
    if not chosen.discount_percent and not prices:
        return None
    values = {"level": chosen.name, "percent": _percent(chosen.discount_percent)}
    if reached is not None and programme == "PA":
        label = _(
            "This order earns %(count)s points, which reach %(level)s: it is priced at "
            "%(percent)s %% off."
        ) % {**values, "count": f"{reached:,}"}
    elif reached is not None:
        label = _(
            "This order of %(count)s qualifying licences reaches %(level)s at once: it is "
            "priced at %(percent)s %% off."
        ) % {**values, "count": reached}
    elif commitment is not None:
        label = (
            _(
                "Priced at %(level)s, %(percent)s %% off, at the prices fixed by your three-year "
                "commitment."
            )
            % values
        )
    else:
        label = _("Priced at your level, %(level)s: %(percent)s %% off.") % values
    return OrderDiscount(percent=chosen.discount_percent, label=label, list_prices=prices)


# --- VIP: a single order of 10+ qualifying licences (N8) -----------------------------------


def order_level_raise(*, order: Order, as_of: date) -> LevelChange | None:
    """N8: a single order of 10 or more qualifying licences raises the VIP level at once (and
    VIP Select is kept from then on). Runs inside the order's transaction
    (licensing.signals.order_placed); the key `order:<id>` makes it once per order."""
    agreement = order.site.agreement
    if agreement.programme != "VIP":
        return None
    count = order_count(programme="VIP", lines=order.lines.select_related("product"))
    if count < VIP_SELECT_AT:
        return None
    key = f"order:{order.pk}"
    if (
        LevelChange.objects.filter(key=key).exists()
        or not Level.objects.filter(programme="VIP").exists()
    ):
        return None
    commitment = active_commitment(agreement.pk, on=order.ordered_on)
    bands = bands_for("VIP")
    level = agreement_level(agreement)
    current = next(b for b in bands if b.code == level.code)
    best = higher_of(current, band_for(count, bands, commitment=commitment is not None))
    state = AgreementLevel.objects.filter(agreement=agreement).first()
    if best.code == current.code and state is not None and state.vip_select_since:
        return None
    new_level = Level.objects.get(programme="VIP", code=best.code)
    change = LevelChange.objects.create(
        agreement=agreement,
        key=key,
        changed_on=as_of,
        old_code=level.code,
        new_code=new_level.code,
        reason=Reason.ORDER,
        count=count,
    )
    agreement_level_set(agreement.pk, new_level, since=as_of, vip_select=True, state=state)
    return change


def agreement_level_set(
    agreement_id: int,
    level: Level,
    *,
    since: date,
    vip_select: bool | None = None,
    state: AgreementLevel | None = None,
) -> None:
    """Write an agreement's level. `vip_select`: True sets VIP Select since `since` (once),
    False clears it (a broken commitment, N9), None leaves it."""
    if state is None:
        state = AgreementLevel.objects.filter(agreement_id=agreement_id).first()
    if state is None:
        AgreementLevel.objects.create(
            agreement_id=agreement_id,
            level=level,
            since=since,
            vip_select_since=since if vip_select else None,
        )
        return
    if state.level_id != level.pk:
        state.level = level
        state.since = since
    if vip_select and state.vip_select_since is None:
        state.vip_select_since = since
    elif vip_select is False:
        state.vip_select_since = None
    state.save(update_fields=["level", "since", "vip_select_since"])


# --- the jobs (N10) --------------------------------------------------------------------


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        found |= set(
            LevelChange.objects.filter(key__in=keys[start : start + 900]).values_list(
                "key", flat=True
            )
        )
    return found


def _write_levels(
    decisions: list[dict], *, as_of: date, reason: str, programme: str
) -> tuple[int, int]:
    """Bulk-write decided levels: LevelChange rows, then the AgreementLevel rows (created or
    updated). Returns (changes, levels changed). Callers hold the transaction."""
    levels = levels_by_code(programme)
    LevelChange.objects.bulk_create(
        [
            LevelChange(
                agreement_id=d["agreement_id"],
                key=d["key"],
                changed_on=as_of,
                old_code=d["old"],
                new_code=d["new"],
                reason=reason,
                count=d["count"],
            )
            for d in decisions
        ],
        batch_size=500,
    )
    states = {
        s.agreement_id: s
        for s in AgreementLevel.objects.filter(
            agreement_id__in=[d["agreement_id"] for d in decisions]
        )
    }
    created, updated = [], []
    changed = 0
    for d in decisions:
        level = levels[d["new"]]
        state = states.get(d["agreement_id"])
        select = d.get("vip_select", False)
        if state is None:
            created.append(
                AgreementLevel(
                    agreement_id=d["agreement_id"],
                    level=level,
                    since=as_of,
                    vip_select_since=as_of if select else None,
                )
            )
            changed += d["old"] != d["new"]
            continue
        dirty = False
        if state.level_id != level.pk:
            state.level, state.since, dirty = level, as_of, True
            changed += 1
        if select and state.vip_select_since is None:
            state.vip_select_since, dirty = as_of, True
        if dirty:
            updated.append(state)
    AgreementLevel.objects.bulk_create(created, batch_size=500)
    AgreementLevel.objects.bulk_update(
        updated, ["level", "since", "vip_select_since"], batch_size=500
    )
    return len(decisions), changed


def _current_codes(agreement_ids: list[int], programme: str) -> dict[int, tuple[str, bool]]:
    """agreement id -> (level code, VIP Select kept); agreements without a row: lowest."""
    lowest = min(
        (b for b in bands_for(programme) if not b.is_commitment), key=lambda b: b.threshold
    )
    found = dict.fromkeys(agreement_ids, (lowest.code, False))
    for agreement_id, code, since in AgreementLevel.objects.filter(
        agreement_id__in=agreement_ids
    ).values_list("agreement_id", "level__code", "vip_select_since"):
        found[agreement_id] = (code, since is not None)
    return found


def pa_levels_due(*, as_of: date) -> dict[int, date]:
    """N7: PA agreements whose agreement year ended (the anniversary A before `as_of`, at
    most ROLL_CATCH_UP_DAYS ago) and whose year was not counted yet: agreement id -> A."""
    ends = {}
    for month in range(1, 13):
        last = previous_anniversary(next_anniversary(as_of, month))
        if (as_of - last).days <= ROLL_CATCH_UP_DAYS:
            ends[month] = last
    if not ends:
        return {}
    rows = Agreement.objects.filter(programme="PA", anniversary_month__in=ends).values_list(
        "pk", "anniversary_month"
    )
    due = {pk: ends[month] for pk, month in rows}
    done = _existing_keys([f"points-year:{pk}:{ann.isoformat()}" for pk, ann in due.items()])
    return {pk: ann for pk, ann in due.items() if f"points-year:{pk}:{ann.isoformat()}" not in done}


def levels_roll(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N7: after each anniversary A, the points of every site of the enterprise in the year
    ending at A set the level for the next year (LevelChange `points-year:<agreement>:<A>`,
    written whether or not the level moves: the record of the year counted)."""
    summary = JobSummary()
    due = pa_levels_due(as_of=as_of)
    if not due:
        return summary
    bands = bands_for("PA")
    windows = {pk: (previous_anniversary(ann) + timedelta(days=1), ann) for pk, ann in due.items()}
    points = year_counts(programme="PA", windows=windows)
    current = _current_codes(list(due), "PA")
    decisions = []
    for pk, ann in sorted(due.items()):
        new = pa_level_after(points.get(pk, 0), bands).code
        decisions.append(
            {
                "agreement_id": pk,
                "key": f"points-year:{pk}:{ann.isoformat()}",
                "old": current[pk][0],
                "new": new,
                "count": points.get(pk, 0),
            }
        )
    summary.add("agreements", len(decisions))
    if dry_run:
        moved = [d for d in decisions if d["old"] != d["new"]]
        summary.add("levels changed", len(moved))
        for d in moved[:50]:
            summary.note(f"agreement {d['agreement_id']}: {d['old']} → {d['new']} ({d['count']})")
        return summary
    for start in range(0, len(decisions), CHUNK):
        with transaction.atomic():
            _written, changed = _write_levels(
                decisions[start : start + CHUNK],
                as_of=as_of,
                reason=Reason.POINTS_YEAR,
                programme="PA",
            )
        summary.add("levels changed", changed)
    return summary


def vip_reconciliations_due(*, as_of: date) -> dict[int, date]:
    """N8: VIP agreements whose reconciliation day (31 days before the anniversary A) has
    come, A not yet passed, and not reconciled for A yet: agreement id -> A."""
    anniversaries = {}
    for month in range(1, 13):
        anniversary = next_anniversary(as_of, month)
        if reconciliation_day(anniversary) <= as_of:
            anniversaries[month] = anniversary
    if not anniversaries:
        return {}
    rows = Agreement.objects.filter(
        programme="VIP", anniversary_month__in=anniversaries
    ).values_list("pk", "anniversary_month")
    due = {pk: anniversaries[month] for pk, month in rows}
    done = _existing_keys([f"reconciliation:{pk}:{ann.isoformat()}" for pk, ann in due.items()])
    return {
        pk: ann for pk, ann in due.items() if f"reconciliation:{pk}:{ann.isoformat()}" not in done
    }


def vip_reconcile(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N8: 31 days before the anniversary, sum the qualifying licences bought in the current
    subscription year (through the reconciliation day); that sum sets the level for the next
    renewal — VIP Select kept once reached, a 3YC level under a commitment (N9) — and the
    customer and the account manager are e-mailed the old and the new level."""
    summary = JobSummary()
    due = vip_reconciliations_due(as_of=as_of)
    if not due:
        return summary
    bands = bands_for("VIP")
    levels = levels_by_code("VIP")
    windows = {
        pk: (previous_anniversary(ann) + timedelta(days=1), reconciliation_day(ann))
        for pk, ann in due.items()
    }
    counts = year_counts(programme="VIP", windows=windows)
    current = _current_codes(list(due), "VIP")
    floors = {
        agreement_id: commitment_code(level_before)
        for agreement_id, level_before in Commitment.objects.filter(
            agreement_id__in=list(due),
            state=Commitment.State.ACTIVE,
            accepted_on__lte=as_of,
            ends_on__gte=as_of,
        ).values_list("agreement_id", "level_before")
    }
    decisions = []
    for pk, ann in sorted(due.items()):
        count = counts.get(pk, 0)
        old, keeps = current[pk]
        new = vip_level_after(count, bands, keeps_select=keeps, committed_floor=floors.get(pk))
        decisions.append(
            {
                "agreement_id": pk,
                "key": f"reconciliation:{pk}:{ann.isoformat()}",
                "anniversary": ann,
                "old": old,
                "new": new.code,
                "count": count,
                "vip_select": new.threshold >= VIP_SELECT_AT,
            }
        )
    summary.add("agreements", len(decisions))
    if dry_run:
        moved = [d for d in decisions if d["old"] != d["new"]]
        summary.add("levels changed", len(moved))
        for d in moved[:50]:
            summary.note(f"agreement {d['agreement_id']}: {d['old']} → {d['new']} ({d['count']})")
        return summary
    agreements = Agreement.objects.in_bulk(list(due))
    for start in range(0, len(decisions), CHUNK):
        chunk = decisions[start : start + CHUNK]
        with transaction.atomic():
            _written, changed = _write_levels(
                chunk, as_of=as_of, reason=Reason.RECONCILIATION, programme="VIP"
            )
            summary.add("levels changed", changed)
            recipients = agreement_recipients(d["agreement_id"] for d in chunk)
            # One outbox write per chunk (the e-mails commit with the level changes).
            queued = level_emails_queue_many(
                [
                    {
                        "key": d["key"],
                        "template": "reconciliation",
                        "recipients": recipients[d["agreement_id"]],
                        "context": {
                            "agreement": agreements[d["agreement_id"]],
                            "old_level": levels[d["old"]],
                            "new_level": levels[d["new"]],
                            "count": d["count"],
                            "anniversary": d["anniversary"],
                            "reconciled_on": reconciliation_day(d["anniversary"]),
                        },
                        "about": {"agreement": d["agreement_id"]},
                    }
                    for d in chunk
                ]
            )
            summary.add("emails", queued)
    return summary


def vip_reconciliation_job(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N8 and N7 in one daily job: the VIP reconciliation 31 days before each anniversary,
    then the PA roll after each anniversary (both set-based, keyed, safe to run twice)."""
    summary = JobSummary()
    for name, job in (("vip", vip_reconcile), ("pa", levels_roll)):
        part = job(as_of=as_of, dry_run=dry_run)
        for key, value in part.counts.items():
            summary.add(f"{name} {key}", value)
        summary.lines += part.lines
    return summary
