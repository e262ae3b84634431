"""Quote pages (N6): the quote with its lines site by site, accepting it (review, then
confirm), declining it. Customers see their price (the reseller's client price where a
reseller manages the site); the reseller and staff see the vendor's price beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from portal.core.formatting import format_day
from renewals import services
from renewals.forms import QuoteAcceptForm, QuoteDeclineForm, coterm_key
from renewals.models import Quote, QuoteLine
from renewals.selectors import quote_lines, quote_poe_documents, quote_revisions, quotes_for_user

ZERO = Decimal(0)


# The clock is read here, at the edge; services are given the day and the moment.
def today():
    return timezone.localdate()


def now():
    return timezone.now()


def scope_quote_page(request, *, number: str, **_kwargs) -> Quote:
    """A4: a quote of another tenant is a 404, the same answer as a missing one (with what the
    quote's header shows loaded)."""
    return get_object_or_404(
        quotes_for_user(user=request.user).select_related(
            "agreement__customer", "reseller", "site", "supersedes", "decided_by"
        ),
        number=number,
    )


@dataclass
class CotermGroup:
    """N1: the optional co-term lines of one product at one site: chosen all or none."""

    key: str
    product_name: str
    lines: list[QuoteLine] = field(default_factory=list)
    amount: Decimal = ZERO
    customer_amount: Decimal = ZERO
    chosen: bool = False


@dataclass
class SiteLines:
    site: object
    required: list[QuoteLine] = field(default_factory=list)
    optional: list[CotermGroup] = field(default_factory=list)
    amount: Decimal = ZERO  # the vendor's amount of the required lines
    customer_amount: Decimal = ZERO


def _by_site(lines: list[QuoteLine], chosen: set[str]) -> list[SiteLines]:
    sites: dict[int, SiteLines] = {}
    for line in lines:
        entry = sites.setdefault(line.site_id, SiteLines(site=line.site))
        if not line.is_optional:
            entry.required.append(line)
            entry.amount += line.amount
            entry.customer_amount += line.customer_amount
            continue
        key = coterm_key(line)
        group = next((g for g in entry.optional if g.key == key), None)
        if group is None:
            group = CotermGroup(key=key, product_name=line.product.name, chosen=key in chosen)
            entry.optional.append(group)
        group.lines.append(line)
        group.amount += line.amount
        group.customer_amount += line.customer_amount
    return list(sites.values())


def _quote_context(request, quote: Quote, *, chosen: set[str] | None = None) -> dict:
    """What every page about one quote shows: the header, the lines by site, the totals in
    the viewer's price, and what the viewer may do now."""
    user = request.user
    as_of = today()
    lines = quote_lines(quote=quote)
    if chosen is None:  # the quote's own choice: as accepted, or nothing optional yet
        chosen = (
            {coterm_key(line) for line in lines if line.is_optional and line.is_selected}
            if quote.state == Quote.State.ACCEPTED
            else set()
        )
    sites = _by_site(lines, chosen)
    is_vendor_side = bool(
        user.is_staff or (user.reseller_id and user.reseller_id == quote.reseller_id)
    )
    # N6: a reseller's client sees its reseller's price, never the vendor's; until the
    # reseller has set it, the quote shows no prices to the client at all.
    client_priced = quote.reseller_id is None or quote.reseller_adjustment_percent is not None
    required_total = sum((entry.amount for entry in sites), ZERO)
    required_customer_total = sum((entry.customer_amount for entry in sites), ZERO)
    chosen_groups = [group for entry in sites for group in entry.optional if group.chosen]
    supersedes, superseded_by = quote_revisions(quote=quote)
    valid = quote.valid_until >= as_of
    return {
        "quote": quote,
        "sites": sites,
        "line_count": len(lines),
        "has_optional": any(entry.optional for entry in sites),
        "show_vendor_price": is_vendor_side,
        "show_prices": is_vendor_side or client_priced,
        "required_total": required_total,
        "required_customer_total": required_customer_total,
        "chosen_total": required_total + sum((g.amount for g in chosen_groups), ZERO),
        "chosen_customer_total": required_customer_total
        + sum((g.customer_amount for g in chosen_groups), ZERO),
        "chosen_groups": chosen_groups,
        "supersedes": supersedes,
        "superseded_by": superseded_by,
        "is_past_validity": quote.is_live and not valid,
        "can_accept": quote.state == Quote.State.OPEN and valid,
        "can_decline": quote.is_live and valid,
        "waiting_for_reseller": quote.state == Quote.State.DRAFT,
        "is_reseller_of_quote": bool(user.reseller_id and user.reseller_id == quote.reseller_id),
        # E3/N6: the quote's PDF at the client's price; a customer gets none while the quote
        # waits for the reseller's price (renewals.views.documents refuses it). The quote's
        # reseller and staff may also download it at the vendor's price.
        "pdf_available": quote.state != Quote.State.DRAFT
        or user.is_staff
        or bool(user.reseller_id and user.reseller_id == quote.reseller_id),
        "vendor_pdf_available": bool(quote.reseller_id)
        and (user.is_staff or user.reseller_id == quote.reseller_id),
    }


def _accepted_context(quote: Quote) -> dict:
    """L4: after acceptance, the PoEs issued for the orders it wrote, and each site's PoE."""
    if quote.state != Quote.State.ACCEPTED:
        return {}
    return {"orders": list(services.quote_orders(quote)), "poes": quote_poe_documents(quote=quote)}


@guarded(methods=("GET",), scope=scope_quote_page, permission="quote.view", replacing="number")
def quote_detail(request, quote):
    # "Change the choice" on the review page comes back with the co-term choice ticked.
    chosen = None if quote.state == Quote.State.ACCEPTED else set(request.GET.getlist("coterm"))
    context = _quote_context(request, quote, chosen=chosen)
    return render(
        request,
        "renewals/quote_detail.html",
        {**context, **_accepted_context(quote), "form": QuoteAcceptForm(lines=[])},
    )


def _not_acceptable_message(quote: Quote, context: dict) -> str:
    if quote.state == Quote.State.DRAFT:
        return _(
            "Quote %(number)s is waiting for your reseller's price and cannot be accepted yet."
        ) % {"number": quote.number}
    if context["is_past_validity"]:
        return _("Quote %(number)s expired on %(day)s. Ask for a new quote.") % {
            "number": quote.number,
            "day": format_day(quote.valid_until),
        }
    return _("Quote %(number)s is %(state)s: it cannot be accepted.") % {
        "number": quote.number,
        "state": quote.get_state_display().lower(),
    }


@guarded(methods=("GET", "POST"), scope=scope_quote_page, permission="quote.accept",
         replacing="number")  # fmt: skip
def quote_accept(request, quote):
    """N1/N6, review and confirm: GET (from the quote page's co-term choice) and an
    unconfirmed POST show what accepting orders and its total; the confirmed POST accepts.
    A refusal (expired, replaced, already accepted, waiting for the reseller, a co-term
    choice that splits a product) re-shows the review with the reason and the choice kept."""
    data = request.POST if request.method == "POST" else request.GET
    lines = quote_lines(quote=quote)
    form = QuoteAcceptForm(data, lines=lines)
    chosen = form.chosen_keys()
    context = _quote_context(request, quote, chosen=chosen)
    if request.method == "GET" and not context["can_accept"]:
        messages.error(request, _not_acceptable_message(quote, context))
        return redirect("renewals:quote_detail", number=quote.number)
    if request.method == "POST" and form.is_confirmed():
        try:
            services.quote_accept(
                quote_id=quote.pk,
                actor=request.user,
                as_of=today(),
                now=now(),
                chosen_ids=form.chosen_ids(),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            quote.refresh_from_db()
            context = _quote_context(request, quote, chosen=chosen)
        else:
            messages.success(
                request,
                _(
                    "Quote %(number)s is accepted: your order is placed and the updated "
                    "Proof of Entitlement is below."
                )
                % {"number": quote.number},
            )
            return redirect("renewals:quote_detail", number=quote.number)
    return render(request, "renewals/quote_accept.html", {**context, "form": form})


@guarded(methods=("GET", "POST"), scope=scope_quote_page, permission="quote.accept",
         replacing="number")  # fmt: skip
def quote_decline(request, quote):
    """N6: declining asks for confirmation (and an optional reason for the account manager);
    a refusal (already decided, expired) goes back to the quote with the reason."""
    form = QuoteDeclineForm(request.POST if request.method == "POST" else None)
    context = _quote_context(request, quote)
    if request.method == "POST" and form.is_confirmed():
        try:
            services.quote_decline(
                quote_id=quote.pk,
                actor=request.user,
                as_of=today(),
                now=now(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            quote.refresh_from_db()
            context = _quote_context(request, quote)
        else:
            messages.success(request, _("Quote %(number)s is declined.") % {"number": quote.number})
            return redirect("renewals:quote_detail", number=quote.number)
    elif request.method == "POST":
        messages.error(request, _("Confirm with the button below to decline the quote."))
    return render(request, "renewals/quote_decline.html", {**context, "form": form})
