"""Writes for the quote kinds licensing's price rules feed (N6): the edition change and
upgrade (L9) a customer asks for from the entitlement page, and the licence-move fee (L8)
issued when a move with a fee is requested (renewals.receivers_licensing)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from licensing import services as licensing_services
from licensing.models import Entitlement, LicenceMove
from portal.core.audit import acting_as
from renewals.builders_licensing import (
    EDITION_CHANGE,
    MOVE_FEE,
    edition_change_draft,
    move_fee_draft,
    move_series_key,
)
from renewals.kinds import QuoteDraft
from renewals.models import Quote
from renewals.services.quotes import quote_issue


def _same_prices(quote: Quote, draft: QuoteDraft) -> bool:
    """Whether a live quote still says what a fresh draft would (same lines, same prices)."""

    def key(action, quantity, unit_price, edition, version):
        return (action, quantity, unit_price, edition, version)

    held = [
        key(
            line.action,
            line.quantity,
            line.unit_price,
            line.target_edition_id,
            line.target_version_id,
        )
        for line in quote.lines.order_by("position", "pk")
    ]
    fresh = [
        key(
            line.action,
            line.quantity,
            line.unit_price,
            line.target_edition_id,
            line.target_version_id,
        )
        for line in draft.lines
    ]
    return held == fresh


@transaction.atomic(durable=True)
def edition_quote_request(
    *,
    entitlement: Entitlement,
    target_edition_id: int | None,
    target_version_id: int | None,
    actor: User,
    as_of: date,
    now: datetime,
) -> Quote:
    """L9/N6: build and issue the quote for one of the entitlement page's offers. The live
    quote of the same series is handed back while it is valid and its prices still hold (a
    second click issues nothing); otherwise the new quote supersedes it (a revision).

    Race-free: the entitlement is locked first, so two requests at once are served one after
    the other and the second finds the first's quote."""
    entitlement = licensing_services.lock_entitlement(entitlement)
    entitlement = Entitlement.objects.select_related("site", "product", "edition", "version").get(
        pk=entitlement.pk
    )
    draft = edition_change_draft(
        entitlement=entitlement,
        as_of=as_of,
        target_edition_id=target_edition_id,
        target_version_id=target_version_id,
    )
    live = Quote.objects.live().filter(series_key=draft.series_key).first()
    if live is not None and live.valid_until >= as_of and _same_prices(live, draft):
        return live
    return quote_issue(draft=draft, as_of=as_of, now=now, actor=actor)


def edition_quotes_withdraw(*, quote: Quote, as_of: date) -> int:
    """L9: once an edition change or upgrade of an entitlement is accepted, its other live
    edition and upgrade quotes no longer hold (the licence changed; accepting one of them
    would charge the change twice): they end today, as expired. Inside the acceptance."""
    entitlement_id = quote.subject.get("entitlement")
    if not entitlement_id:
        return 0
    others = (
        Quote.objects.live()
        .filter(kind=EDITION_CHANGE, subject__entitlement=entitlement_id)
        .exclude(pk=quote.pk)
    )
    withdrawn = 0
    for other in others.select_for_update():
        other.state = Quote.State.EXPIRED
        other.valid_until = min(other.valid_until, as_of)
        other.save(update_fields=["state", "valid_until"])
        withdrawn += 1
    return withdrawn


# --- the licence-move fee (L8) ----------------------------------------------------------------


def move_fee_quote_issue(
    *, move: LicenceMove, as_of: date, now: datetime, actor: User | None
) -> Quote | None:
    """L8/N6: issue the quote for a move's fee, once (not atomic on its own: it runs inside
    move_request's transaction, so the quote is written with the move or not at all). A free
    move has none; a move that already has one is left as it is."""
    if move.fee <= 0:
        return None
    series_key = move_series_key(move.pk)
    if Quote.objects.filter(series_key=series_key).exists():
        return None
    try:
        with transaction.atomic():
            quote = quote_issue(
                draft=move_fee_draft(move=move, as_of=as_of), as_of=as_of, now=now, actor=actor
            )
    except IntegrityError:  # one_live_quote_per_series: issued by a request at the same time
        return None
    with acting_as(actor):
        move.fee_quote_number = quote.number
        move.save(update_fields=["fee_quote_number"])
    return quote


def move_fee_paid(*, quote: Quote, as_of: date) -> None:
    """L8: accepting the move's fee quote pays the fee; the move records which quote and when
    (staff confirming the move see it). Inside the acceptance transaction."""
    move_id = quote.subject.get("move")
    if not move_id:
        return
    move = LicenceMove.objects.select_for_update().filter(pk=move_id).first()
    if move is None:
        return
    if move.state == LicenceMove.State.REJECTED:
        # Refused inside the acceptance: nothing is accepted, ordered or paid.
        raise ValidationError(
            _("The move to %(machine)s was rejected: there is no fee to pay.")
            % {"machine": move.new_machine_id}
        )
    move.fee_quote_number = quote.number
    move.fee_paid_on = as_of
    move.save(update_fields=["fee_quote_number", "fee_paid_on"])


__all__ = [
    "MOVE_FEE",
    "edition_quote_request",
    "edition_quotes_withdraw",
    "move_fee_paid",
    "move_fee_quote_issue",
]
