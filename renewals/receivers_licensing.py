"""Renewals' answers to licensing's signals and to its own acceptance signal, for the quote
kinds licensing's price rules feed (N6): a move with a fee gets its fee quote (L8); accepting
it pays the fee; accepting an edition change or upgrade withdraws the entitlement's other
edition quotes (L9). Imported by RenewalsConfig.ready()."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from licensing.models import LicenceMove
from licensing.signals import move_requested
from renewals.builders_licensing import EDITION_CHANGE, MOVE_FEE
from renewals.models import Quote
from renewals.services.licensing_kinds import (
    edition_quotes_withdraw,
    move_fee_paid,
    move_fee_quote_issue,
)
from renewals.signals import quote_accepted


@receiver(move_requested, sender=LicenceMove, dispatch_uid="renewals.move_fee_quote")
def issue_move_fee_quote(sender, *, move, actor, as_of, **_kwargs) -> None:
    """L8/N6: inside move_request's transaction, so the quote and its e-mails are written with
    the move (or not at all)."""
    move_fee_quote_issue(move=move, as_of=as_of, now=timezone.now(), actor=actor)


@receiver(quote_accepted, sender=Quote, dispatch_uid="renewals.licensing_kinds_accepted")
def licensing_kind_accepted(sender, *, quote, as_of, **_kwargs) -> None:
    if quote.kind == MOVE_FEE:
        move_fee_paid(quote=quote, as_of=as_of)
    elif quote.kind == EDITION_CHANGE:
        edition_quotes_withdraw(quote=quote, as_of=as_of)
