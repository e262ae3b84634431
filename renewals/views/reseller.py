"""The reseller's renewals pages (issue #8, Pages; N6): every client's renewals by month with
its chart and CSV, and the client's price of a quote.

Who: the renewals list and its CSV are reseller pages (accounts.decorators.reseller_view):
staff get 403 there, as on every reseller page, and read every quote in the admin (Quotes,
with the same filters). The price page is the quote's reseller's only (the `quote.set_price`
rule; superusers too get 403): anyone else who can see the quote gets 403, anyone who cannot
404 (A4)."""

from __future__ import annotations

from decimal import Decimal

from babel.dates import format_skeleton
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import guarded, reseller_view
from accounts.selectors import customer_choices_for_reseller
from licensing.views.common import csv_stream, now, today
from portal.core.formatting import babel_locale, format_money
from portal.core.forms import apply_errors
from portal.core.pagination import list_context
from renewals import services
from renewals.charts import bar_chart_svg
from renewals.emails import customer_recipients, quote_site_ids
from renewals.filters import RenewalFilter, month_label
from renewals.forms_reseller import QuotePriceForm
from renewals.pricing import reseller_adjusted
from renewals.reseller import (
    default_window,
    renewal_value_by_month,
    renewals_sorted,
)
from renewals.reseller import (
    reseller_renewals as renewals_for_reseller,
)
from renewals.rules import is_quotes_reseller
from renewals.views.common import scope_quote


def _renewals(request, as_of):
    reseller = request.user.reseller
    renewal_filter = RenewalFilter(
        request.GET,
        clients=customer_choices_for_reseller(reseller=reseller).only("pk", "name", "kind"),
        as_of=as_of,
    )
    selection = renewal_filter.selection()
    rows = renewals_for_reseller(
        reseller=reseller,
        as_of=as_of,
        first=selection["first"],
        last=selection["last"],
        filters=selection["filters"],
    )
    return renewal_filter, selection, renewals_sorted(rows, selection["sort"])


def _charts(request, *, as_of, selection, rows) -> list:
    """The next twelve months' renewal value (one chart per currency), for the clients and
    programme chosen; the month range and state filters are the table's."""
    first, last = default_window(as_of)
    filters = {**selection["filters"], "state": ""}
    same_rows = (selection["first"], selection["last"]) == (first, last)
    if not (same_rows and not selection["filters"]["state"]):
        rows = renewals_for_reseller(
            reseller=request.user.reseller, as_of=as_of, first=first, last=last, filters=filters
        )
    locale = babel_locale()
    charts = []
    for currency, months in renewal_value_by_month(rows, first=first).items():
        charts.append(
            bar_chart_svg(
                [(month_label(month), value) for month, value in months],
                currency,
                title=_("Renewal value by month, next 12 months (%(currency)s)")
                % {"currency": currency},
                caption=_(
                    "Quoted amounts (vendor's price) of open, waiting and accepted quotes, and "
                    "an estimate at the annual S&S price for coverage ends not quoted yet."
                ),
                short_labels=[format_skeleton("MMM", month, locale=locale) for month, _v in months],
            )
        )
    return charts


@reseller_view(methods=("GET",))
def reseller_renewals(request):
    as_of = today()
    renewal_filter, selection, rows = _renewals(request, as_of)
    context = list_context(request, rows)
    return render(
        request,
        "renewals/reseller_renewals.html",
        {
            "filter": renewal_filter,
            "charts": _charts(request, as_of=as_of, selection=selection, rows=rows),
            **context,
        },
    )


CSV_HEADER = [
    "month",
    "client",
    "agreement",
    "programme",
    "sites",
    "quote_number",
    "state",
    "currency",
    "vendor_total",
    "client_total",
    "valid_until",
    "due_licences",
]


@reseller_view(methods=("GET",))
def reseller_renewals_csv(request):
    """The same rows as the page, filtered and sorted alike: plain values (ISO dates, amounts
    with a dot), so a spreadsheet can compute with them."""
    as_of = today()
    _filter, _selection, rows = _renewals(request, as_of)
    values = (
        [
            f"{row.month:%Y-%m}",
            row.client_name,
            row.agreement_number,
            row.programme,
            row.site_number or row.site_count,
            row.quote_number,
            row.state,
            row.currency,
            "" if row.vendor_total is None else row.vendor_total,
            "" if row.client_total is None else row.client_total,
            row.valid_until.isoformat() if row.valid_until else "",
            row.due_licences,
        ]
        for row in rows
    )
    return csv_stream(filename=f"renewals-{as_of:%Y-%m-%d}.csv", header=CSV_HEADER, rows=values)


# --- the client's price (N6) ----------------------------------------------------------------


def _priced_lines(lines, adjustment: Decimal | None):
    """Each line with the client's unit price and amount at `adjustment` (None: as saved)."""
    priced = []
    for line in lines:
        if adjustment is None:
            unit, amount = line.client_unit_price, line.client_amount
        else:
            unit = reseller_adjusted(line.unit_price, adjustment)
            amount = reseller_adjusted(line.amount, adjustment)
        priced.append({"line": line, "client_unit_price": unit, "client_amount": amount})
    return priced


def _totals(priced) -> dict:
    required = [row for row in priced if row["line"].is_selected]
    client = [row["client_amount"] for row in required]
    return {
        "vendor": sum((row["line"].amount for row in required), Decimal(0)),
        "client": sum(client, Decimal(0)) if all(v is not None for v in client) else None,
    }


# The rule itself rather than user.has_perm("quote.set_price"): has_perm says yes to every
# superuser, and the client's price is the reseller's alone, not vendor staff's (N6).
@guarded(scope=scope_quote, permission=is_quotes_reseller, replacing="number")
def quote_price(request, quote):
    """N6: the reseller sets its client's price as an adjustment of the vendor's price,
    previews the client's prices, and saves and sends the quote (the preview is the
    confirmation: it names the recipients, and sending asks for the price it showed). Once
    sent, the price is fixed (the service refuses any change)."""
    lines = list(
        quote.lines.select_related("site", "product").order_by("site__number", "position", "pk")
    )
    is_post = request.method == "POST"
    form = QuotePriceForm(
        request.POST if is_post else None,
        initial={"adjustment": quote.reseller_adjustment_percent},
    )
    preview = None
    if is_post and form.is_valid():
        adjustment = form.cleaned_data["adjustment"]
        action = request.POST.get("action", "preview")
        previewed = form.cleaned_data.get("previewed")
        if action == "send" and previewed != adjustment:
            messages.warning(
                request, _("The adjustment changed: check the new prices, then send the quote.")
            )
        elif action in ("send", "save") or quote.sent_at is not None:
            send = action == "send"
            try:
                saved = services.quote_price_set(
                    quote_id=quote.pk,
                    adjustment=adjustment,
                    actor=request.user,
                    as_of=today(),
                    send=send,
                    now=now(),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                total = _totals(_priced_lines(saved.lines.all(), None))["client"]
                if send:
                    messages.success(
                        request,
                        _(
                            "Quote %(number)s was sent to your client at %(total)s. "
                            "Its price is now fixed."
                        )
                        % {"number": saved.number, "total": format_money(total, saved.currency)},
                    )
                    return redirect("renewals:quote_detail", number=saved.number)
                messages.success(
                    request,
                    _("The price of quote %(number)s is saved; it is not sent yet.")
                    % {"number": saved.number},
                )
                return redirect("renewals:quote_price", number=saved.number)
        if not form.errors:
            preview = adjustment
            form = QuotePriceForm(
                initial={"adjustment": adjustment, "previewed": adjustment},
            )
    # A preview computes the client's prices; otherwise the saved ones (none before a price).
    priced = _priced_lines(lines, preview)
    shown = preview if preview is not None else quote.reseller_adjustment_percent
    return render(
        request,
        "renewals/quote_price.html",
        {
            "quote": quote,
            "form": form,
            "priced": priced,
            "totals": _totals(priced),
            "preview": preview,
            "shown_adjustment": shown,
            "is_fixed": quote.sent_at is not None,
            "recipients": customer_recipients(quote_site_ids(quote)) if preview is not None else [],
            "back_url": reverse("renewals:reseller_renewals"),
        },
    )
