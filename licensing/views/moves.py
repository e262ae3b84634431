"""L8: moving an online-activated licence to a new computer (the fee is shown, with the rule
that applied and why, before the request is sent); L9: edition change and upgrade quotes shown
on the entitlement page. Staff confirm moves in the admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from licensing import selectors, services
from licensing.fees import MoveQuote
from licensing.forms import MoveForm
from licensing.models import Activation, Edition, Entitlement, LicenceMove, Product, Version
from licensing.pricing import EditionChangeFacts, PriceQuote, edition_change_quote, upgrade_quote
from licensing.views.common import today
from portal.forms import apply_errors

# --- what the entitlement page shows (L8, L9) ------------------------------------------------


def move_blocker(entitlement: Entitlement) -> str:
    """Why this licence cannot be moved from the portal now ("" when it can). Reads the
    entitlement's prefetched activations and moves."""
    if entitlement.product.delivery != Product.Delivery.ONLINE:
        return _(
            "Offline-activated licences are moved by ordering keys for the new computer "
            "(L8.7: 50 % of the current list price)."
        )
    if entitlement.quantity < 1:
        return _("No licences of this entitlement are left at this site.")
    if not any(a.is_active for a in entitlement.activations.all()):
        return _("This licence is not activated on any machine yet: there is nothing to move.")
    if any(m.state == LicenceMove.State.PENDING for m in entitlement.moves.all()):
        return _("A move of this licence is already waiting for confirmation.")
    return ""


@dataclass(frozen=True)
class PriceOffer:
    """One read-only quote on the entitlement page (L9)."""

    title: str
    quote: PriceQuote


def entitlement_price_offers(
    *, entitlement: Entitlement, on: date, versions: list[Version]
) -> list[PriceOffer]:
    """L9: the upgrade to the newest version, and each richer edition (alone, and together
    with the upgrade), priced per licence by licensing/pricing.py."""
    if entitlement.quantity < 1:
        return []
    offers = []
    newest = services.upgrade_target(entitlement=entitlement, versions=versions)
    if newest is not None:
        offers.append(
            PriceOffer(
                _("Upgrade to %(version)s") % {"version": newest.version},
                upgrade_quote(newest_version=newest.version, upgrade_price=newest.upgrade_price),
            )
        )
    current = entitlement.edition
    if current is None:
        return offers
    richer = Edition.objects.filter(product_id=entitlement.product_id, rank__gt=current.rank)
    for edition in richer.order_by("rank"):
        facts = EditionChangeFacts(
            on=on,
            current_edition=current.name,
            current_price=current.price,
            target_edition=edition.name,
            target_price=edition.price,
            target_is_richer=True,
            ss_active=entitlement.is_covered_on(on),
            purchased_on=entitlement.purchased_on,
            list_price=entitlement.product.list_price,
        )
        offers.append(
            PriceOffer(
                _("Change to %(edition)s") % {"edition": edition.name},
                edition_change_quote(facts),
            )
        )
        if newest is not None:
            with_upgrade = EditionChangeFacts(
                **{
                    **facts.__dict__,
                    "with_upgrade_to_newest": True,
                    "newest_upgrade_price": newest.upgrade_price,
                    "newest_version": newest.version,
                }
            )
            offers.append(
                PriceOffer(
                    _("Change to %(edition)s with the upgrade to %(version)s")
                    % {"edition": edition.name, "version": newest.version},
                    edition_change_quote(with_upgrade),
                )
            )
    return offers


def entitlement_detail_extras(*, entitlement: Entitlement, user: User, on: date) -> dict:
    """The entitlement page's move button, moves, offline move fee and L9 quotes."""
    versions = services.versions_released(product=entitlement.product, on=on)
    blocker = move_blocker(entitlement)
    offline_quote: MoveQuote | None = None
    if entitlement.product.delivery == Product.Delivery.OFFLINE and entitlement.quantity:
        offline_quote = services.move_quote_for(entitlement=entitlement, on=on)
    return {
        "can_request_move": not blocker and user.has_perm("site.manage", entitlement.site),
        "move_blocker": blocker,
        "offline_move_quote": offline_quote,
        "price_offers": entitlement_price_offers(entitlement=entitlement, on=on, versions=versions),
    }


# --- the move request (L8) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
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
    on = today()
    context = {"entitlement": entitlement, "site": site, "blocker": move_blocker(entitlement)}
    if context["blocker"]:
        return render(request, "licensing/move_form.html", context)
    newest = services.upgrade_target(
        entitlement=entitlement,
        versions=services.versions_released(product=entitlement.product, on=on),
    )
    form = MoveForm(
        request.POST or None,
        activations=Activation.objects.filter(
            entitlement=entitlement, deactivated_on__isnull=True
        ).order_by("machine_id"),
        upgrade_to=newest.version if newest else "",
    )
    quote = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        quote = services.move_quote_for(entitlement=entitlement, on=on, purchase=data["purchase"])
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
                        on=on,
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(
                        request,
                        _(
                            "The move to %(machine)s was requested (%(rule)s, fee %(fee)s "
                            "%(currency)s). You will receive an e-mail when it is confirmed."
                        )
                        % {
                            "machine": move.new_machine_id,
                            "rule": move.rule,
                            "fee": move.fee,
                            "currency": move.currency,
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
