"""The daily renewal jobs (N1, N3, N4, N10): anniversary quotes, monthly consolidated notices,
revised quotes and quote expiry. Each is `job(*, as_of, dry_run) -> JobSummary`, run by a
management command (`--as-of`, `--dry-run`) and by Celery beat (renewals.tasks).

How the jobs stay cheap and safe (N10):

- What is due is found by ONE aggregate query per kind of notice (entitlements grouped by
  agreement and account manager, or by site and month, with `Min(coverage_end)`); only the
  entitlements of the groups being issued are then read, in chunks. The queries grow with the
  quotes issued, not with the entitlements scanned (tests/bench/test_renewal_notice_bench.py).
- Each quote has a series key (`anniversary:<agreement>:<reseller id|direct>:<A>`,
  `monthly:<site>:<yyyy-mm>`); a series that exists is never issued again, so a job run twice
  for one day issues nothing the second time. Each quote and its e-mails are written in one
  transaction: a run killed midway and run again duplicates nothing and loses nothing.
- Lapsed lines (coverage ended before `as_of`) never get a notice (N5): they need a
  reinstatement quote.

Co-term lines and monthly notices (N1, N2, N3; seed 001, first FAQ). The anniversary quote
offers the entitlements ending after the anniversary as optional co-term lines. While that
quote is live, those entitlements get no monthly notice of their own (one live offer per
entitlement: an entitlement on a live renewal quote is not offered again). When the customer
accepted the anniversary quote with the co-term lines, their coverage moved to the next
anniversary and no monthly notice follows; when they did not co-term (accepted without those
lines, declined, or let the quote expire), the customer may still renew before the coverage
ends, so the month's notice is sent once the anniversary quote is no longer live — on the
notice day, or the day after the anniversary quote was decided or expired when that is later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Value
from django.db.models.functions import Coalesce, ExtractMonth, TruncMonth
from django.utils import timezone

from accounts.models import Agreement, Site
from licensing.models import Entitlement
from portal.core.batch import JobSummary
from portal.core.dates import add_months
from portal.core.models import OutgoingEmail
from renewals.builders import renewal_draft
from renewals.kinds import QuoteDraft
from renewals.models import Quote, QuoteLine
from renewals.pricing import (
    NOTICE_LEAD_DAYS,
    anniversary_in,
    coterm_end,
    notice_day,
    revision_window_closes,
)
from renewals.services import quote_issue, quotes_expire

# N1: an anniversary quote missed on its notice day (the job did not run) is caught up for at
# most this many days; never after the anniversary itself.
CATCH_UP_DAYS = 14
CHUNK = 200  # groups whose entitlements are read in one query
DIRECT = "direct"  # the account-manager part of a series key when the customer buys direct
LIVE = (Quote.State.DRAFT, Quote.State.OPEN)


# --- series keys ------------------------------------------------------------------------------


def anniversary_series(agreement_id: int, reseller_id: int | None, anniversary: date) -> str:
    manager = DIRECT if reseller_id is None else str(reseller_id)
    return f"anniversary:{agreement_id}:{manager}:{anniversary.isoformat()}"


def monthly_series(site_id: int, month: date) -> str:
    return f"monthly:{site_id}:{month:%Y-%m}"


# --- what is due ------------------------------------------------------------------------------


def _renewable() -> Q:
    """Entitlements a renewal notice may offer: licences held (quantity > 0)."""
    return Q(quantity__gt=0)


def _on_live_renewal(*, except_series: str | None = None) -> Exists:
    """The entitlement is already offered by a live renewal quote that would still extend it
    (N3: not offered twice). A quote that was accepted moved the coverage end, so its lines
    no longer match the entitlement's month."""
    lines = QuoteLine.objects.filter(
        entitlement_id=OuterRef("pk"),
        action=QuoteLine.Action.EXTEND,
        quote__state__in=LIVE,
        covers_to__gt=OuterRef("coverage_end"),
    )
    if except_series is not None:
        lines = lines.exclude(quote__series_key=except_series)
    return Exists(lines)


def _offered_by_monthly() -> Exists:
    """The entitlement's current coverage end was already offered by a monthly notice (any
    state): the month's notice is sent once."""
    return Exists(
        QuoteLine.objects.filter(
            entitlement_id=OuterRef("pk"),
            action=QuoteLine.Action.EXTEND,
            quote__notice=Quote.Notice.MONTHLY,
            covers_to__gt=OuterRef("coverage_end"),
        )
    )


def anniversaries_due(as_of: date) -> list[date]:
    """N1: the anniversaries whose quote is due on `as_of`: notice day reached, at most
    CATCH_UP_DAYS late (anniversaries are month ends, so at most one)."""
    found = []
    for offset in range(-1, 5):
        month_start = add_months(as_of.replace(day=1), offset)
        anniversary = anniversary_in(month_start.year, month_start.month)
        if (
            notice_day(anniversary)
            <= as_of
            <= notice_day(anniversary) + timedelta(days=CATCH_UP_DAYS)
            and as_of < anniversary
        ):
            found.append(anniversary)
    return found


def _anniversary_scope(anniversary: date) -> Q:
    """N1: due lines end in the anniversary month; co-term lines after the anniversary and
    before the next one (an entitlement already covered to the next anniversary is not
    offered twelve months in advance)."""
    following = anniversary_in(anniversary.year + 1, anniversary.month)
    return Q(
        site__agreement__anniversary_month=anniversary.month,
        coverage_end__gte=anniversary.replace(day=1),
        coverage_end__lt=following,
    )


@dataclass
class AnniversaryGroup:
    agreement_id: int
    reseller_id: int | None
    anniversary: date
    lines: int
    due: int
    series_key: str = ""

    def __post_init__(self):
        self.series_key = anniversary_series(self.agreement_id, self.reseller_id, self.anniversary)


def anniversary_groups_due(anniversary: date) -> list[AnniversaryGroup]:
    """ONE aggregate query: per agreement and account manager, the lines an anniversary quote
    would hold (without the series that exist already)."""
    rows = (
        Entitlement.objects.filter(_renewable(), _anniversary_scope(anniversary))
        .exclude(_on_live_renewal())
        .values("site__agreement_id", "site__reseller_id")
        .annotate(
            lines=Count("pk"),
            due=Count("pk", filter=Q(coverage_end__lte=anniversary)),
        )
        .order_by("site__agreement_id", "site__reseller_id")
    )
    groups = [
        AnniversaryGroup(
            agreement_id=row["site__agreement_id"],
            reseller_id=row["site__reseller_id"],
            anniversary=anniversary,
            lines=row["lines"],
            due=row["due"],
        )
        for row in rows
    ]
    return _without_existing_series(groups)


@dataclass
class MonthlyGroup:
    site_id: int
    month: date  # the first day of the month the coverage ends in
    first_end: date
    lines: int
    series_key: str = ""

    def __post_init__(self):
        self.series_key = monthly_series(self.site_id, self.month)


def monthly_groups_due(as_of: date) -> list[MonthlyGroup]:
    """N3: ONE aggregate query: per site and calendar month of the coverage ends (outside the
    anniversary month, PA and PAE only), the month's entitlements whose earliest end is at
    most 90 days away."""
    horizon = as_of + timedelta(days=NOTICE_LEAD_DAYS)
    month_end = anniversary_in(horizon.year, horizon.month)
    rows = (
        Entitlement.objects.filter(
            _renewable(),
            coverage_end__gte=as_of,  # N5: lapsed lines get no notice
            coverage_end__lte=month_end,
            site__agreement__programme__in=(Agreement.Programme.PA, Agreement.Programme.PAE),
        )
        .annotate(end_month=ExtractMonth("coverage_end"))
        .exclude(end_month=F("site__agreement__anniversary_month"))
        .exclude(_on_live_renewal())
        .exclude(_offered_by_monthly())
        .annotate(month=TruncMonth("coverage_end"))
        .values("site_id", "month")
        .annotate(first_end=Min("coverage_end"), lines=Count("pk"))
        .filter(first_end__lte=horizon)
        .order_by("month", "site_id")
    )
    groups = [
        MonthlyGroup(
            site_id=row["site_id"],
            month=_as_date(row["month"]),
            first_end=row["first_end"],
            lines=row["lines"],
        )
        for row in rows
    ]
    return _without_existing_series(groups)


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _without_existing_series(groups):
    existing: set[str] = set()
    for chunk in _chunks(groups):
        existing.update(
            Quote.objects.filter(series_key__in=[g.series_key for g in chunk]).values_list(
                "series_key", flat=True
            )
        )
    return [group for group in groups if group.series_key not in existing]


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _with_lookups(queryset):
    return queryset.select_related("site", "product", "edition").order_by(
        "site__number", "product__part_number", "coverage_end", "pk"
    )


# --- drafts -----------------------------------------------------------------------------------


def _anniversary_draft(
    *,
    agreement: Agreement,
    reseller_id: int | None,
    anniversary: date,
    entitlements: list[Entitlement],
    as_of: date,
) -> QuoteDraft:
    """N1: due lines (ending in the anniversary month) renewed to the next anniversary A';
    co-term lines (ending after A) optional, renewed to their co-term end. Valid until the
    earliest due coverage end (the customer renews before it lapses), else the anniversary."""
    following = anniversary_in(anniversary.year + 1, anniversary.month)
    due_ends = [e.coverage_end for e in entitlements if e.coverage_end <= anniversary]
    draft = renewal_draft(
        entitlements=entitlements,
        agreement=agreement,
        reseller_id=reseller_id,
        series_key=anniversary_series(agreement.pk, reseller_id, anniversary),
        notice=Quote.Notice.ANNIVERSARY,
        valid_until=min(due_ends) if due_ends else anniversary,
        as_of=as_of,
        due_through=anniversary,
        renews_to=following,
    )
    draft.subject = {"anniversary": anniversary.isoformat()}
    return draft


def _monthly_draft(
    *, site: Site, month: date, entitlements: list[Entitlement], as_of: date
) -> QuoteDraft:
    """N3: every entitlement of the site ending in `month`, priced to co-term to the
    following anniversary; valid until the earliest coverage end (N2: renew before it)."""
    first_end = min(e.coverage_end for e in entitlements)
    draft = renewal_draft(
        entitlements=entitlements,
        agreement=site.agreement,
        reseller_id=site.reseller_id,
        series_key=monthly_series(site.pk, month),
        notice=Quote.Notice.MONTHLY,
        valid_until=first_end,
        as_of=as_of,
        site_id=site.pk,
        renews_to=coterm_end(first_end, site.agreement.anniversary_month),
    )
    draft.subject = {"month": f"{month:%Y-%m}"}
    return draft


# --- issuing ----------------------------------------------------------------------------------


def _now_for(as_of: date) -> datetime:
    """The moment a quote is sent: now when the job runs for today, else noon of the day it
    is back-filled or rehearsed for."""
    today = timezone.localdate()
    if as_of == today:
        return timezone.now()
    return timezone.make_aware(datetime.combine(as_of, time(12)))


@dataclass
class Issued:
    quote: Quote | None
    draft: QuoteDraft
    emails: int = 0
    notes: list[str] = field(default_factory=list)


def _describe(draft: QuoteDraft, what: str) -> str:
    optional = sum(1 for line in draft.lines if line.is_optional)
    manager = "direct" if draft.reseller_id is None else f"reseller {draft.reseller_id}"
    return (
        f"{what} {draft.series_key}: {len(draft.lines) - optional} due line(s), "
        f"{optional} co-term line(s), {manager}, valid until {draft.valid_until}"
    )


def _issue(draft: QuoteDraft, *, as_of: date, dry_run: bool) -> Quote | None:
    """One quote and its e-mails in one transaction (N10: a killed run loses or doubles
    nothing)."""
    if dry_run:
        return None
    with transaction.atomic(durable=True):
        return quote_issue(draft=draft, as_of=as_of, now=_now_for(as_of))


def _emails_of(quote: Quote | None) -> int:
    if quote is None:
        return 0
    return OutgoingEmail.objects.filter(key__startswith=f"quote:{quote.number}:").count()


def _record(summary: JobSummary, kind: str, draft: QuoteDraft, quote: Quote | None) -> None:
    label = {"anniversary": "anniversary quote", "monthly": "monthly notice"}.get(kind, kind)
    if quote is None:
        summary.note(_describe(draft, f"would issue {label}"))
    else:
        summary.note(_describe(draft, f"issued {label} {quote.number}"))
        summary.add("emails", _emails_of(quote))
    summary.add(kind)
    summary.add("lines", len(draft.lines))


def _agreements(ids: Iterable[int]) -> dict[int, Agreement]:
    return Agreement.objects.in_bulk(set(ids))


def anniversary_quotes_send(*, as_of: date, dry_run: bool, summary: JobSummary) -> None:
    """N1: one anniversary quote per agreement and account manager, 90 days before A."""
    for anniversary in anniversaries_due(as_of):
        groups = anniversary_groups_due(anniversary)
        for chunk in _chunks(groups):
            agreements = _agreements(g.agreement_id for g in chunk)
            wanted = {(g.agreement_id, g.reseller_id) for g in chunk}
            by_group: dict[tuple[int, int | None], list[Entitlement]] = defaultdict(list)
            entitlements = _with_lookups(
                Entitlement.objects.filter(
                    _renewable(),
                    _anniversary_scope(anniversary),
                    site__agreement_id__in=agreements.keys(),
                ).exclude(_on_live_renewal())
            )
            for entitlement in entitlements:
                key = (entitlement.site.agreement_id, entitlement.site.reseller_id)
                if key in wanted:
                    by_group[key].append(entitlement)
            for group in chunk:
                lines = by_group.get((group.agreement_id, group.reseller_id))
                if not lines:
                    continue
                draft = _anniversary_draft(
                    agreement=agreements[group.agreement_id],
                    reseller_id=group.reseller_id,
                    anniversary=anniversary,
                    entitlements=lines,
                    as_of=as_of,
                )
                _record(summary, "anniversary", draft, _issue(draft, as_of=as_of, dry_run=dry_run))


def monthly_notices_send(*, as_of: date, dry_run: bool, summary: JobSummary) -> None:
    """N3: one notice per site and month of coverage ends, 90 days before the earliest end."""
    groups = monthly_groups_due(as_of)
    for chunk in _chunks(groups):
        sites = Site.objects.select_related("agreement").in_bulk({g.site_id for g in chunk})
        wanted = {(g.site_id, g.month) for g in chunk}
        months = {g.month for g in chunk}
        first, last = min(months), max(months)
        by_group: dict[tuple[int, date], list[Entitlement]] = defaultdict(list)
        entitlements = _with_lookups(
            Entitlement.objects.filter(
                _renewable(),
                site_id__in=sites.keys(),
                coverage_end__gte=max(as_of, first),
                coverage_end__lte=anniversary_in(last.year, last.month),
            )
            .exclude(_on_live_renewal())
            .exclude(_offered_by_monthly())
        )
        for entitlement in entitlements:
            key = (entitlement.site_id, entitlement.coverage_end.replace(day=1))
            if key in wanted:
                by_group[key].append(entitlement)
        for group in chunk:
            lines = by_group.get((group.site_id, group.month))
            if not lines:
                continue
            draft = _monthly_draft(
                site=sites[group.site_id], month=group.month, entitlements=lines, as_of=as_of
            )
            _record(summary, "monthly", draft, _issue(draft, as_of=as_of, dry_run=dry_run))


def renewal_notices_send(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N1 + N3, the daily notice job (N10)."""
    summary = JobSummary()
    anniversary_quotes_send(as_of=as_of, dry_run=dry_run, summary=summary)
    monthly_notices_send(as_of=as_of, dry_run=dry_run, summary=summary)
    return summary


# --- revised quotes (N4) ----------------------------------------------------------------------


def _manager_key(field_name: str):
    return Coalesce(field_name, Value(0))


def revisions_due(as_of: date) -> list[Quote]:
    """N4: live anniversary quotes with a purchase since they were issued (at their sites,
    through their account manager) that is not on them, made before the first day of the
    anniversary month. A quote issued (or revised) today is not revised again today."""
    due: list[Quote] = []
    # One cheap look first: the anniversaries that have a live quote old enough to revise.
    live_keys = (
        Quote.objects.live()
        .filter(notice=Quote.Notice.ANNIVERSARY, issued_on__lt=as_of)
        .values_list("series_key", flat=True)
    )
    anniversaries = sorted({date.fromisoformat(key.rsplit(":", 1)[1]) for key in live_keys})
    for anniversary in anniversaries:
        closes = revision_window_closes(anniversary)
        if as_of > anniversary:
            continue
        purchases = (
            Entitlement.objects.filter(
                _renewable(),
                _anniversary_scope(anniversary),
                site__agreement_id=OuterRef("agreement_id"),
                purchased_on__gte=OuterRef("issued_on"),
                purchased_on__lt=closes,
                purchased_on__lte=as_of,
            )
            .annotate(manager=_manager_key("site__reseller_id"))
            .filter(manager=OuterRef("manager"))
            .exclude(quote_lines__quote_id=OuterRef("pk"))
        )
        due.extend(
            Quote.objects.live()
            .filter(
                notice=Quote.Notice.ANNIVERSARY,
                series_key__endswith=f":{anniversary.isoformat()}",
                agreement__anniversary_month=anniversary.month,
                issued_on__lt=as_of,
            )
            .annotate(manager=_manager_key("reseller_id"))
            .filter(Exists(purchases))
            .select_related("agreement")
            .order_by("pk")
        )
    return due


def revised_quotes_send(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N4: one revised anniversary quote with the new lines, superseding the live one, to the
    same recipients; at most one per agreement and account manager per day."""
    summary = JobSummary()
    for quote in revisions_due(as_of):
        anniversary = date.fromisoformat(quote.series_key.rsplit(":", 1)[1])
        manager = (
            Q(site__reseller__isnull=True)
            if quote.reseller_id is None
            else Q(site__reseller_id=quote.reseller_id)
        )
        entitlements = list(
            _with_lookups(
                Entitlement.objects.filter(
                    _renewable(),
                    _anniversary_scope(anniversary),
                    manager,
                    site__agreement_id=quote.agreement_id,
                ).exclude(_on_live_renewal(except_series=quote.series_key))
            )
        )
        if not entitlements:
            continue
        draft = _anniversary_draft(
            agreement=quote.agreement,
            reseller_id=quote.reseller_id,
            anniversary=anniversary,
            entitlements=entitlements,
            as_of=as_of,
        )
        _record(summary, "revisions", draft, _issue(draft, as_of=as_of, dry_run=dry_run))
    return summary


# --- expiry -----------------------------------------------------------------------------------


def quotes_expire_job(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N6: live quotes whose validity ended before `as_of` expire (one UPDATE)."""
    summary = JobSummary()
    if dry_run:
        summary.add("expired", Quote.objects.live().filter(valid_until__lt=as_of).count())
        return summary
    summary.add("expired", quotes_expire(as_of=as_of))
    return summary
