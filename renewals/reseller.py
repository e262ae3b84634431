"""Reads for the reseller's renewals page (issue #8, Pages; N1, N3, N6): every client's
renewals by month — the quotes the reseller manages and the coverage ends not quoted yet —
scoped to the reseller (A4: another reseller's client never appears).

Two aggregate queries, whatever the number of rows: one over the reseller's quotes (with
their lines summed), one over the coverage ends at the sites it manages, grouped by site and
month (N3 consolidates a site's month into one notice, so that is the row a reseller will
see quoted). The rows of the month window are merged, sorted and paginated in Python: a
window holds at most a row per managed site and month plus the quotes in it.

A quote's month is the month the coverage it renews ends in (the day before its earliest
required line starts), so a quote and the coverage ends it will replace fall in the same
month; a quote without dated lines (a fee) falls in the month it is valid until."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from licensing.models import Entitlement
from portal.core.dates import add_months
from portal.core.money import money
from renewals.models import Quote

LIVE = (Quote.State.DRAFT, Quote.State.OPEN)
DUE = "due"  # a row of coverage ends with no quote yet (the state filter's extra choice)
DUE_LABEL = _("Not quoted yet")
WINDOW_MONTHS = 12


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


def default_window(as_of: date) -> tuple[date, date]:
    """This month and the eleven after it (first days of the months)."""
    first = month_start(as_of)
    return first, add_months(first, WINDOW_MONTHS - 1)


@dataclass(frozen=True)
class RenewalRow:
    kind: str  # "quote" or DUE
    month: date  # the first day of the month
    client_id: int
    client_name: str
    agreement_number: str
    programme: str
    site_number: str  # "" when the quote spans several sites
    site_count: int
    currency: str
    due_licences: int
    quote_number: str = ""
    state: str = DUE
    vendor_total: Decimal | None = None
    client_total: Decimal | None = None  # the reseller's price, once set (N6)
    valid_until: date | None = None
    estimate: Decimal = Decimal(0)  # coverage ends not quoted: annual S&S × quantity
    sort_key: tuple = ()  # unique: the last tie-breaker of every sort

    @property
    def state_label(self) -> str:
        if self.kind == DUE:
            return str(DUE_LABEL)
        return str(Quote.State(self.state).label)

    @property
    def is_draft(self) -> bool:
        return self.state == Quote.State.DRAFT


def _quote_rows(
    *, reseller: Organisation, first: date, last: date, filters: dict
) -> Iterable[RenewalRow]:
    """The reseller's quotes whose month is in [first, last] (superseded revisions are not
    renewals: the revision that replaced them is)."""
    required = Q(lines__is_optional=False)
    selected = Q(lines__is_selected=True)
    quotes = (
        Quote.objects.filter(reseller=reseller)
        .exclude(state=Quote.State.SUPERSEDED)
        .annotate(
            first_cover=Min("lines__covers_from", filter=required),
            due_licences=Coalesce(Sum("lines__quantity", filter=required), 0),
            site_count=Count("lines__site", distinct=True),
            first_site=Min("lines__site__number"),
            vendor_selected=Sum("lines__amount", filter=selected),
            client_selected=Sum(Coalesce("lines__client_amount", "lines__amount"), filter=selected),
        )
        # covers_from is the day after the coverage end (N1): the end's month is the row's.
        .filter(
            Q(first_cover__range=(first + timedelta(days=1), month_end(last) + timedelta(days=1)))
            | Q(first_cover__isnull=True, valid_until__range=(first, month_end(last)))
        )
    )
    if filters.get("client"):
        quotes = quotes.filter(agreement__customer_id=filters["client"])
    if filters.get("programme"):
        quotes = quotes.filter(agreement__programme=filters["programme"])
    if filters.get("state"):
        quotes = quotes.filter(state=filters["state"])
    values = quotes.values(
        "pk",
        "number",
        "state",
        "currency",
        "valid_until",
        "reseller_adjustment_percent",
        "first_cover",
        "due_licences",
        "site_count",
        "first_site",
        "vendor_selected",
        "client_selected",
        client_id=F("agreement__customer_id"),
        client_name=F("agreement__customer__name"),
        agreement_number=F("agreement__number"),
        programme=F("agreement__programme"),
        site_number=F("site__number"),
    )
    for quote in values:
        end = (
            quote["first_cover"] - timedelta(days=1)
            if quote["first_cover"] is not None
            else quote["valid_until"]
        )
        priced = quote["reseller_adjustment_percent"] is not None
        yield RenewalRow(
            kind="quote",
            month=month_start(end),
            client_id=quote["client_id"],
            client_name=quote["client_name"],
            agreement_number=quote["agreement_number"],
            programme=quote["programme"],
            site_number=quote["site_number"]
            or (quote["first_site"] if quote["site_count"] == 1 else ""),
            site_count=quote["site_count"],
            currency=quote["currency"],
            due_licences=quote["due_licences"],
            quote_number=quote["number"],
            state=quote["state"],
            vendor_total=money(quote["vendor_selected"] or 0),
            client_total=money(quote["client_selected"] or 0) if priced else None,
            valid_until=quote["valid_until"],
            sort_key=(0, quote["pk"]),
        )


def _due_rows(
    *, reseller: Organisation, as_of: date, first: date, last: date, filters: dict
) -> Iterable[RenewalRow]:
    """Coverage ends at the reseller's sites, from `as_of` on, in [first, last], that no live
    quote renews yet: one row per site, month and currency (N3's consolidation)."""
    if filters.get("state") and filters["state"] != DUE:
        return
    ends = Entitlement.objects.filter(
        site__reseller=reseller,
        quantity__gt=0,
        coverage_end__gte=max(as_of, first),
        coverage_end__lte=month_end(last),
    ).exclude(quote_lines__quote__state__in=LIVE)
    if filters.get("client"):
        ends = ends.filter(site__customer_id=filters["client"])
    if filters.get("programme"):
        ends = ends.filter(site__agreement__programme=filters["programme"])
    groups = (
        ends.annotate(month=TruncMonth("coverage_end"))
        .values(
            "month",
            "site_id",
            site_number=F("site__number"),
            client_id=F("site__customer_id"),
            client_name=F("site__customer__name"),
            agreement_number=F("site__agreement__number"),
            programme=F("site__agreement__programme"),
            currency=F("product__currency"),
        )
        .annotate(
            licences=Sum("quantity"), estimate=Sum(F("quantity") * F("product__annual_ss_price"))
        )
        .order_by()
    )
    for group in groups:
        month = group["month"]
        if not isinstance(month, date):  # some backends hand back a datetime
            month = month.date()
        yield RenewalRow(
            kind=DUE,
            month=month_start(month),
            client_id=group["client_id"],
            client_name=group["client_name"],
            agreement_number=group["agreement_number"],
            programme=group["programme"],
            site_number=group["site_number"],
            site_count=1,
            currency=group["currency"],
            due_licences=group["licences"],
            estimate=money(group["estimate"] or 0),
            sort_key=(1, group["site_id"], month.isoformat(), group["currency"]),
        )


def reseller_renewals(
    *,
    reseller: Organisation,
    as_of: date,
    first: date | None = None,
    last: date | None = None,
    filters: dict | None = None,
) -> list[RenewalRow]:
    """Every renewal row of the reseller's clients in the months [first, last] (first days of
    months; default: this month and the eleven after), by month then client."""
    default_first, default_last = default_window(as_of)
    first = month_start(first or default_first)
    last = month_start(last or default_last)
    filters = filters or {}
    rows = [
        *_quote_rows(reseller=reseller, first=first, last=last, filters=filters),
        *_due_rows(reseller=reseller, as_of=as_of, first=first, last=last, filters=filters),
    ]
    return renewals_sorted(rows, "month")


# Each sort, its tie-breakers, ending in the row's unique key (a page boundary never moves
# between requests). Rows without the sorted value (no quote: no total) come last either way.
SORTS = {
    "month": lambda row: (row.month, row.client_name.casefold(), row.client_id, row.sort_key),
    "client": lambda row: (row.client_name.casefold(), row.client_id, row.month, row.sort_key),
    "total": lambda row: (row.vendor_total, row.month, row.sort_key),
    "valid_until": lambda row: (row.valid_until, row.month, row.sort_key),
}
SORTED_VALUE = {"total": "vendor_total", "valid_until": "valid_until"}
DEFAULT_SORT = "month"


def renewals_sorted(rows: list[RenewalRow], sort: str = DEFAULT_SORT) -> list[RenewalRow]:
    """Sort by one of SORTS ("-" first: descending); anything else is the default."""
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in SORTS:
        name, descending = DEFAULT_SORT, False
    attribute = SORTED_VALUE.get(name)
    known = [row for row in rows if attribute is None or getattr(row, attribute) is not None]
    unknown = [row for row in rows if attribute is not None and getattr(row, attribute) is None]
    known.sort(key=SORTS[name], reverse=descending)
    unknown.sort(key=SORTS[DEFAULT_SORT])
    return known + unknown


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def renewal_value_by_month(
    rows: Iterable[RenewalRow], *, first: date, months: int = WINDOW_MONTHS
) -> dict[str, list[tuple[date, Decimal]]]:
    """The renewal value of each month from `first`, per currency: what the live and accepted
    quotes ask (the vendor's total) plus, for coverage ends not quoted yet, an estimate at the
    annual S&S price (before proration and level discount). Declined and expired quotes are
    not renewals."""
    window = months_between(first, add_months(first, months - 1))
    totals: dict[str, dict[date, Decimal]] = {}
    for row in rows:
        if row.kind == "quote" and row.state not in (*LIVE, Quote.State.ACCEPTED):
            continue
        value = row.vendor_total if row.kind == "quote" else row.estimate
        by_month = totals.setdefault(row.currency, dict.fromkeys(window, Decimal(0)))
        if row.month in by_month:
            by_month[row.month] += value or Decimal(0)
    return {currency: list(by_month.items()) for currency, by_month in sorted(totals.items())}
