"""Pages for advance replacement (S6) and onsite support (S7), reached from the ticket page.

Tenancy (A4): the ticket or RMA is looked up in the user's scope first (another tenant's is
a 404 for every method), then the permission (`ticket.follow_up` to ask, `ticket.view` to
look: 403), then the method (accounts.decorators.guarded)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from portal.core.forms import apply_errors
from support import selectors
from support.eligibility import is_partner_branded
from support.forms_service import OnsiteRequestForm, ReplacementRequestForm, ReturnTrackingForm
from support.models import ReplacementRequest, Ticket
from support.services import onsite as onsite_services
from support.services import replacements as rma_services


def scope_ticket(request, *, number: str, **_kwargs) -> Ticket:
    return selectors.ticket_get_for_user(user=request.user, number=number)


def scope_rma(request, *, rma_number: str, **_kwargs) -> ReplacementRequest:
    return selectors.replacement_get_for_user(user=request.user, number=rma_number)


def can_follow_up(user, ticket: Ticket) -> bool:
    return user.has_perm("ticket.follow_up", ticket)


def can_view_rma(user, rma: ReplacementRequest) -> bool:
    return user.has_perm("ticket.view", rma.ticket)


def can_follow_up_rma(user, rma: ReplacementRequest) -> bool:
    return user.has_perm("ticket.follow_up", rma.ticket)


def _messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- S6: advance replacement --------------------------------------------------------------------


@guarded(scope=scope_ticket, permission=can_follow_up, replacing="number")
def rma_request(request, ticket: Ticket):
    """S6: the failed unit's serial, the fault and the ship-to address (prefilled from the
    site); refused for tickets that are not about covered hardware, saying why."""
    now = timezone.now()
    site = ticket.site
    as_of = site.local_date(now)
    refusal = rma_services.rma_refusal(ticket, as_of=as_of)
    form = ReplacementRequestForm(request.POST or None, site=site)
    if refusal is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rma = rma_services.rma_request(
                ticket_id=ticket.pk,
                failed_serial=data["failed_serial"],
                fault=data["fault"],
                ship_to=data["ship_to"],
                actor=request.user,
                now=now,
                submission_key=data["submission_key"] or None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Replacement %(number)s was requested: it ships by %(day)s.")
                % {"number": rma.number, "day": rma.ship_by.isoformat()},
            )
            return redirect("support:rma_detail", rma_number=rma.number)
    ship_by = None
    if refusal is None:
        ship_by = rma_services.ship_by_for(as_of, selectors.calendar_for_site(site, start=as_of))
    return render(
        request,
        "support/replacements/rma_request.html",
        {
            "ticket": ticket,
            "site": site,
            "form": form,
            "refusal": refusal,
            "ship_by": ship_by,
            "partner": site.reseller if is_partner_branded(site) else None,
        },
    )


@guarded(methods=("GET",), scope=scope_rma, permission=can_view_rma, replacing="rma_number")
def rma_detail(request, rma: ReplacementRequest):
    """S6: status, ship-by, tracking both ways, the return due date, the overdue flag, the
    unreturned unit's quote and the partner who installs the part."""
    user = request.user
    quote = rma.unit_quote
    may_follow_up = can_follow_up_rma(user, rma)
    return render(
        request,
        "support/replacements/rma_detail.html",
        {
            "rma": rma,
            "ticket": rma.ticket,
            "quote": quote,
            "can_view_quote": quote is not None and user.has_perm("quote.view", quote),
            "return_form": ReturnTrackingForm(
                initial={"return_tracking": rma.return_tracking},
                action=f"{request.path}return/",
            )
            if may_follow_up
            and rma.status in (ReplacementRequest.Status.SHIPPED, ReplacementRequest.Status.OVERDUE)
            else None,
        },
    )


@guarded(methods=("POST",), scope=scope_rma, permission=can_follow_up_rma, replacing="rma_number")
def rma_return(request, rma: ReplacementRequest):
    """S6: the customer or partner records the failed unit's return tracking number."""
    form = ReturnTrackingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the return shipment's tracking number."))
    else:
        try:
            rma_services.rma_return_tracking_set(
                rma_id=rma.pk,
                tracking=form.cleaned_data["return_tracking"],
                actor=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            _messages(request, error)
        else:
            messages.success(request, _("The return tracking number was recorded."))
    return redirect("support:rma_detail", rma_number=rma.number)


# --- S7: onsite support ----------------------------------------------------------------------


def _shows_vendor_price(user, site) -> bool:
    """Prices are for those who run the site (accounts.rules `site.view_prices`); where a
    reseller manages the site, the client's price is the reseller's to set (N6), so the
    vendor's rate is shown to the reseller and staff only."""
    if not user.has_perm("site.view_prices", site):
        return False
    return not site.reseller_id or bool(user.reseller_id) or user.is_staff


@guarded(scope=scope_ticket, permission=can_follow_up, replacing="number")
def onsite_request(request, ticket: Ticket):
    """S7: the price of a visit for the site's zone and the ticket's product type, shown
    before confirming; confirming issues the quote and shows it (or the ticket, for those who
    do not see quotes)."""
    user = request.user
    now = timezone.now()
    site = ticket.site
    as_of = site.local_date(now)
    live = onsite_services.live_onsite_request(ticket, as_of=as_of)
    offer = onsite_services.onsite_price_for(site=site, product_kind=ticket.product.kind)
    form = OnsiteRequestForm(request.POST or None)
    if live is None and offer.rate is not None and request.method == "POST" and form.is_valid():
        try:
            onsite = onsite_services.onsite_request(
                ticket_id=ticket.pk, reason=form.cleaned_data["reason"], actor=user, now=now
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            quote = onsite.quote
            if quote.state == quote.State.DRAFT:
                messages.success(
                    request,
                    _(
                        "Onsite visit requested. Quote %(quote)s first goes to %(reseller)s, "
                        "who manage this site and set your price; you receive it by e-mail."
                    )
                    % {"quote": quote.number, "reseller": site.reseller.name},
                )
            else:
                messages.success(
                    request,
                    _("Onsite visit requested: accept quote %(quote)s to book it.")
                    % {"quote": quote.number},
                )
            if user.has_perm("quote.view", quote):
                return redirect("renewals:quote_detail", number=quote.number)
            return redirect("support:ticket_detail", number=ticket.number)
    return render(
        request,
        "support/replacements/onsite_request.html",
        {
            "ticket": ticket,
            "site": site,
            "form": form,
            "offer": offer,
            "live": live,
            "can_view_live_quote": live is not None and user.has_perm("quote.view", live.quote),
            "show_price": _shows_vendor_price(user, site),
        },
    )
