"""Pages of the quote kinds licensing's price rules feed (N6): ask for an edition-change or
upgrade quote from the entitlement page (L9), and find a move's fee quote (L8). Licensing's
pages reach these by URL name only (licensing never imports renewals)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from licensing import selectors as licensing_selectors
from licensing.models import Entitlement, LicenceMove
from renewals.builders_licensing import move_series_key
from renewals.models import Quote
from renewals.selectors import quotes_for_user
from renewals.services.licensing_kinds import edition_quote_request as edition_quote_issue


def scope_entitlement(request, *, entitlement_id: int, **_kwargs) -> Entitlement:
    """A4: an entitlement of a site the user can see; another tenant's is a 404."""
    entitlements = licensing_selectors.entitlements_for_user(request.user).select_related(
        "site", "product"
    )
    return get_object_or_404(entitlements, pk=entitlement_id)


def can_manage_entitlement_site(user, entitlement: Entitlement) -> bool:
    """L9: those who run the site ask for quotes (STCs and callers: 403)."""
    return user.has_perm("site.manage", entitlement.site)


def _posted_id(request, name: str) -> int | None:
    value = (request.POST.get(name) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationError("bad id") from exc


@guarded(
    methods=("POST",),
    scope=scope_entitlement,
    permission=can_manage_entitlement_site,
    replacing="entitlement_id",
)
def edition_quote_request(request, entitlement: Entitlement):
    """L9/N6: the entitlement page's "Get a quote" button: issue (or find the still valid)
    quote for the offer named by target_edition / target_version, then show it."""
    back = redirect("licensing:entitlement_detail", entitlement_id=entitlement.pk)
    try:
        target_edition_id = _posted_id(request, "target_edition")
        target_version_id = _posted_id(request, "target_version")
    except ValidationError:
        target_edition_id = target_version_id = None
    if target_edition_id is None and target_version_id is None:
        # Refused before the (durable) transaction: nothing to quote.
        messages.error(request, _("Choose one of the offers on this page to get a quote."))
        return back
    now = timezone.now()
    try:
        quote = edition_quote_issue(
            entitlement=entitlement,
            target_edition_id=target_edition_id,
            target_version_id=target_version_id,
            actor=request.user,
            as_of=timezone.localdate(now),
            now=now,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return back
    return redirect("renewals:quote_detail", number=quote.number)


def scope_move_fee_quote(request, *, move_id: int, **_kwargs) -> Quote:
    """A4: a move of an entitlement the user can see (else 404), and the latest quote for its
    fee (404 when the move has none: a free move)."""
    visible = licensing_selectors.entitlements_for_user(request.user)
    move = get_object_or_404(LicenceMove.objects.filter(entitlement__in=visible), pk=move_id)
    quote = (
        quotes_for_user(user=request.user)
        .filter(series_key=move_series_key(move.pk))
        .order_by("-revision")
        .first()
    )
    if quote is None:
        raise Http404
    return quote


@guarded(methods=("GET",), scope=scope_move_fee_quote, permission="quote.view", replacing="move_id")
def move_fee_quote(request, quote: Quote):
    """L8: the move page links here by the move's id; the fee quote is a quote page (N6)."""
    return redirect("renewals:quote_detail", number=quote.number)
