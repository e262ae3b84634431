"""Reads for renewals, always scoped to a user (A4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import Agreement, Contact, Site, User
from accounts.selectors import sites_for_user
from licensing.models import Entitlement, PoEDocument
from portal.core.dates import add_months
from renewals.models import Quote, QuoteLine

LAPSED_GROUPS_SHOWN = 20  # per agreement on the renewals page; the inventory lists them all
LAPSE_HORIZON_MONTHS = 12


def quotes_for_user(*, user: User) -> QuerySet[Quote]:
    """A4: the quotes with a line at a site the user may see (a reseller: its own quotes)."""
    return Quote.objects.for_user(user)


# --- who sees money (SPEC §1, accounts.rules `site.view_prices`) -------------------------


def priced_site_ids(*, user: User, site_ids: Iterable[int]) -> set[int]:
    """The sites among `site_ids` where the user may see prices: accounts.rules
    `site.view_prices` (primary contact, site administrator, the account-managing reseller,
    staff) in one query instead of one per site. STCs and authorized callers see the site's
    dates and counts, not its money (tests/renewals/test_customer_pages.py checks this agrees
    with has_perm for every role)."""
    site_ids = set(site_ids)
    if not site_ids or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_staff:
        return site_ids
    if user.reseller_id:
        return set(
            Site.objects.filter(pk__in=site_ids, reseller_id=user.reseller_id).values_list(
                "pk", flat=True
            )
        )
    return set(
        Contact.objects.filter(user=user, site_id__in=site_ids)
        .filter(Q(is_primary=True) | Q(is_site_admin=True))
        .values_list("site_id", flat=True)
    )


def handled_quotes_for_user(*, user: User) -> QuerySet[Quote]:
    """The quotes the user may open (renewals.rules `quote.view`): a line at a site where the
    user sees prices. Staff: all; a reseller user: its own quotes."""
    quotes = quotes_for_user(user=user)
    if user.is_staff or user.reseller_id:
        return quotes
    priced = Contact.objects.filter(user=user).filter(Q(is_primary=True) | Q(is_site_admin=True))
    return quotes.filter(
        pk__in=QuoteLine.objects.filter(site_id__in=priced.values("site_id")).values("quote_id")
    )


# --- the customer's renewals page ------------------------------------------------------------


def renewal_agreements_for_user(*, user: User) -> QuerySet[Agreement]:
    """A4: the agreements of the sites the user may see, customer by customer."""
    return (
        Agreement.objects.filter(pk__in=sites_for_user(user).values("agreement_id"))
        .select_related("customer")
        .order_by("customer__name", "programme", "number")
    )


@dataclass
class LapseMonth:
    """What lapses in one calendar month (L3: coverage ends then), for one agreement."""

    month: date
    lines: int = 0
    licences: int = 0
    values: dict[str, object] = field(default_factory=dict)  # currency -> annual S&S value


@dataclass
class LapsedGroup:
    """N5: the lapsed lines of one product at one site: one reinstatement quote covers them."""

    site_id: int
    site_number: str
    product_id: int
    product_name: str
    part_number: str
    lines: int
    licences: int
    lapsed_since: date
    entitlement_id: int  # one of the lines: the reinstatement request names it
    live_quote: str = ""  # the number of the live reinstatement quote, when there is one


@dataclass
class AgreementRenewals:
    agreement: Agreement
    sites: list[Site]
    show_money: bool
    next_anniversary: date
    level: object = None  # renewals.levels.LevelSummary
    quotes: list[Quote] = field(default_factory=list)
    lapses: list[LapseMonth] = field(default_factory=list)
    lapsed: list[LapsedGroup] = field(default_factory=list)
    lapsed_more: int = 0


def lapse_window(as_of: date) -> tuple[date, date]:
    """From `as_of` to the last day of the eleventh month after this one: this month and the
    next eleven, twelve calendar months in all."""
    first = as_of.replace(day=1)
    return as_of, add_months(first, LAPSE_HORIZON_MONTHS) - timedelta(days=1)


def reinstatement_series_key(*, site_id: int, product_id: int) -> str:
    """renewals.builders.reinstatement_draft's series: one per product at a site."""
    return f"reinstatement:{site_id}:{product_id}"


def _annual_value():
    return ExpressionWrapper(
        F("quantity") * F("product__annual_ss_price"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def agreement_renewals(
    *, user: User, agreements: list[Agreement], as_of: date
) -> list[AgreementRenewals]:
    """The renewals page for `agreements` (already in the user's scope): per agreement its
    visible sites, next anniversary (A1), open quotes (N6), what lapses in each of the next
    twelve months (L3) and the lapsed lines that need reinstatement (N5). A fixed number of
    queries for any number of entitlements and quotes (the level summary adds its own per
    agreement). Money only where the user may see prices at every site of the agreement it
    sees (SPEC §1)."""
    agreement_ids = [agreement.pk for agreement in agreements]
    sites = list(
        sites_for_user(user)
        .filter(agreement_id__in=agreement_ids)
        .only("pk", "number", "name", "agreement_id", "reseller_id")
        .order_by("number")
    )
    priced = priced_site_ids(user=user, site_ids=[site.pk for site in sites])
    by_agreement = {
        agreement.pk: AgreementRenewals(
            agreement=agreement,
            sites=[],
            show_money=True,
            next_anniversary=agreement.next_anniversary(as_of),
        )
        for agreement in agreements
    }
    for site in sites:
        entry = by_agreement[site.agreement_id]
        entry.sites.append(site)
        entry.show_money = entry.show_money and site.pk in priced
    site_ids = [site.pk for site in sites]
    for entry in by_agreement.values():
        entry.show_money = entry.show_money and bool(entry.sites)

    # N6: the live quotes of the agreements, with the customer's total of the required lines.
    money_agreements = [pk for pk, entry in by_agreement.items() if entry.show_money]
    quotes = (
        quotes_for_user(user=user)
        .live()
        .filter(agreement_id__in=money_agreements)
        .annotate(
            customer_total=Sum(
                Coalesce("lines__client_amount", "lines__amount"),
                filter=Q(lines__is_optional=False),
            ),
            line_count=Count("lines"),
        )
        .order_by("valid_until", "number")
    )
    for quote in quotes:
        by_agreement[quote.agreement_id].quotes.append(quote)

    # L3: what lapses when: coverage ends by calendar month, twelve months ahead.
    starts, ends = lapse_window(as_of)
    months = (
        Entitlement.objects.filter(
            site_id__in=site_ids,
            quantity__gt=0,
            coverage_end__gte=starts,
            coverage_end__lte=ends,
        )
        .annotate(month=TruncMonth("coverage_end"))
        .values("site__agreement_id", "month", "product__currency")
        .annotate(lines=Count("pk"), licences=Sum("quantity"), value=Sum(_annual_value()))
        .order_by("site__agreement_id", "month")
    )
    for row in months:
        entry = by_agreement[row["site__agreement_id"]]
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        if not entry.lapses or entry.lapses[-1].month != month:
            entry.lapses.append(LapseMonth(month=month))
        lapse = entry.lapses[-1]
        lapse.lines += row["lines"]
        lapse.licences += row["licences"]
        lapse.values[row["product__currency"]] = row["value"]

    # N5: lapsed lines, one group per product and site, with a reinstatement action.
    groups = (
        Entitlement.objects.filter(site_id__in=site_ids, quantity__gt=0, coverage_end__lt=as_of)
        .values(
            "site_id",
            "site__number",
            "site__agreement_id",
            "product_id",
            "product__name",
            "product__part_number",
        )
        .annotate(
            lines=Count("pk"),
            licences=Sum("quantity"),
            lapsed_since=Max("coverage_end"),
            entitlement_id=Min("pk"),
        )
        .order_by("site__number", "product__name", "product_id")
    )
    shown: list[LapsedGroup] = []
    for row in groups:
        entry = by_agreement[row["site__agreement_id"]]
        if len(entry.lapsed) >= LAPSED_GROUPS_SHOWN:
            entry.lapsed_more += 1
            continue
        group = LapsedGroup(
            site_id=row["site_id"],
            site_number=row["site__number"],
            product_id=row["product_id"],
            product_name=row["product__name"],
            part_number=row["product__part_number"],
            lines=row["lines"],
            licences=row["licences"],
            lapsed_since=row["lapsed_since"] + timedelta(days=1),
            entitlement_id=row["entitlement_id"],
        )
        entry.lapsed.append(group)
        shown.append(group)
    if shown:
        keys = {
            reinstatement_series_key(site_id=g.site_id, product_id=g.product_id): g for g in shown
        }
        for key, number in (
            Quote.objects.live()
            .filter(series_key__in=list(keys), kind=Quote.Kind.REINSTATEMENT)
            .values_list("series_key", "number")
        ):
            keys[key].live_quote = number
    return [by_agreement[pk] for pk in agreement_ids]


# --- one quote's page ----------------------------------------------------------------------------


def quote_lines(*, quote: Quote) -> list[QuoteLine]:
    """N6: the quote's lines, site by site, in the order they were built."""
    return list(
        quote.lines.select_related("site", "product", "edition", "version").order_by(
            "site__number", "position", "pk"
        )
    )


def quote_revisions(*, quote: Quote) -> tuple[Quote | None, Quote | None]:
    """N4: the quote this one revises and the revision that replaced it."""
    newer = Quote.objects.filter(supersedes=quote).only("number", "state").first()
    return quote.supersedes, newer


def quote_poe_documents(*, quote: Quote) -> list[PoEDocument]:
    """L4: the PoEs issued for the orders accepting `quote` wrote, newest first."""
    return list(
        PoEDocument.objects.filter(order__lines__quote_line__quote=quote)
        .select_related("order", "site")
        .distinct()
        .order_by("order__number", "-created_at")
    )


# --- reinstatement (N5) -------------------------------------------------------------------------


def lapsed_lines(*, site_id: int, product_id: int, as_of: date) -> QuerySet[Entitlement]:
    """N5: every lapsed line of a product at a site (S&S covers all licences of a product at a
    site, or none): one reinstatement quote is for all of them."""
    return (
        Entitlement.objects.filter(
            site_id=site_id, product_id=product_id, quantity__gt=0, coverage_end__lt=as_of
        )
        .select_related("site", "product", "edition")
        .order_by("pk")
    )


# --- the calendar feed ---------------------------------------------------------------------------


def feed_quotes_for_user(*, user: User, as_of: date) -> QuerySet[Quote]:
    """The quote deadlines a user's feed shows: the quotes the user may open that wait for a
    decision (resellers: also their drafts, which wait for their price)."""
    states = [Quote.State.OPEN]
    if user.is_staff or user.reseller_id:
        states.append(Quote.State.DRAFT)
    return (
        handled_quotes_for_user(user=user)
        .filter(state__in=states, valid_until__gte=as_of)
        .select_related("agreement__customer")
        .order_by("valid_until", "number")
    )
