"""L8: moving an online-activated licence to a new computer (the fee is shown, with the rule
that applied and why, before the request is sent); L9: edition change and upgrade quotes shown
on the entitlement page. Staff confirm moves in the admin."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from accounts.models import User
from licensing import quotes, selectors, services
from licensing.fees import MoveQuote
from licensing.forms import MoveForm
from licensing.models import Entitlement, Product
from licensing.views.common import scope_entitlement_site, today
from portal.core.formatting import format_money
from portal.core.forms import apply_errors

# --- what the entitlement page shows (L8, L9) ------------------------------------------------


def entitlement_detail_extras(*, entitlement: Entitlement, user: User, as_of: date) -> dict:
    """The entitlement page's move button, moves, offline move fee and L9 quotes."""
    versions = selectors.versions_released(product=entitlement.product, as_of=as_of)
    blocker = quotes.move_blocker(entitlement)
    offline_quote: MoveQuote | None = None
    if entitlement.product.delivery == Product.Delivery.OFFLINE and entitlement.quantity:
        offline_quote = services.move_quote_for(entitlement=entitlement, as_of=as_of)
    return {
        "can_request_move": not blocker and user.has_perm("site.manage", entitlement.site),
        "move_blocker": blocker,
        "offline_move_quote": offline_quote,
        "price_offers": quotes.entitlement_price_offers(
            entitlement=entitlement, as_of=as_of, versions=versions
        ),
    }


# --- the move request (L8) -------------------------------------------------------------------


@guarded(scope=scope_entitlement_site, permission="site.manage")
def move_create(request, entitlement_id: int):
    """Choose the old machine (or declare it lost or stolen), the new machine and what is
    bought with the move; "Show the fee" shows the quote with its rule and why; "Request the
    move" sends it for the fee that was shown."""
    entitlement = selectors.entitlement_get_for_user(
        user=request.user, entitlement_id=entitlement_id
    )
    site = entitlement.site
    if not request.user.has_perm("site.manage", site):
        raise PermissionDenied
    as_of = today()
    context = {
        "entitlement": entitlement,
        "site": site,
        "blocker": quotes.move_blocker(entitlement),
    }
    if context["blocker"]:
        return render(request, "licensing/move_form.html", context)
    newest = services.upgrade_target(
        entitlement=entitlement,
        versions=selectors.versions_released(product=entitlement.product, as_of=as_of),
    )
    form = MoveForm(
        request.POST or None,
        activations=selectors.active_activations(entitlement=entitlement),
        upgrade_to=newest.version if newest else "",
    )
    quote = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        quote = services.move_quote_for(
            entitlement=entitlement, as_of=as_of, purchase=data["purchase"]
        )
        if "request_move" in request.POST:
            if form.quote_matches(quote):
                try:
                    move = services.move_request(
                        entitlement=entitlement,
                        old_activation=data["old_activation"],
                        new_machine_id=data["new_machine_id"],
                        lost_or_stolen=data["lost_or_stolen"],
                        reason=data["reason"],
                        purchase=data["purchase"],
                        actor=request.user,
                        as_of=as_of,
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    # Review #7 item 16: the reason in words is on the page; the rule code is
                    # for staff (the admin), the money in the reader's locale. L8/N6: a fee is
                    # paid through its quote, linked in the page's moves.
                    if move.fee > 0:
                        message = _(
                            "The move to %(machine)s was requested (fee %(fee)s). Pay the fee "
                            "by accepting its quote, linked under the moves below. You will "
                            "receive an e-mail when the move is confirmed."
                        )
                    else:
                        message = _(
                            "The move to %(machine)s was requested (fee %(fee)s). You will "
                            "receive an e-mail when it is confirmed."
                        )
                    messages.success(
                        request,
                        message
                        % {
                            "machine": move.new_machine_id,
                            "fee": format_money(move.fee, move.currency),
                        },
                    )
                    return redirect("licensing:entitlement_detail", entitlement_id=entitlement.pk)
            else:
                form.add_error(
                    None,
                    _("The fee changed since it was shown. Check it and request the move again."),
                )
        form.offer_request(quote)
    return render(request, "licensing/move_form.html", {**context, "form": form, "quote": quote})
