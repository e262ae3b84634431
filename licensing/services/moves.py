"""L8: moving an online-activated licence to a new computer: the facts the fee rule needs,
the request (the quote fixed at the request date) and staff's decision on it."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from licensing.emails import move_confirmed_email_queue
from licensing.fees import MoveFacts, MoveQuote, move_quote
from licensing.models import Activation, Entitlement, LicenceMove, Product, Version
from licensing.selectors import versions_released
from licensing.services.entitlements import (
    active_activation_count,
    lock_entitlement,
    lock_pending,
)
from licensing.signals import move_requested
from portal.core.audit import acting_as

ALREADY_WAITING = gettext_lazy("A move of this licence is already waiting for confirmation.")


def upgrade_target(*, entitlement: Entitlement, versions: list[Version]) -> Version | None:
    """The newest of `versions` (released, oldest first) when it is newer than the licence's."""
    if not versions:
        return None
    newest, current = versions[-1], entitlement.version
    if current is not None and (
        current.pk == newest.pk or current.release_date >= newest.release_date
    ):
        return None
    return newest


def move_facts(*, entitlement: Entitlement, as_of: date, purchase: str = "") -> MoveFacts:
    """Gather the plain values L8 needs from the database; `as_of` is the request date."""
    product = entitlement.product
    versions = versions_released(product=product, as_of=as_of)
    supported = [v for v in versions if v.is_supported_on(as_of)]
    newest = versions[-1] if versions else None
    oldest_supported = supported[0] if supported else None
    last_move = entitlement.moves.filter(state=LicenceMove.State.CONFIRMED).aggregate(
        last=Max("requested_on")
    )["last"]
    version_supported = entitlement.version.is_supported_on(as_of) if entitlement.version else True
    return MoveFacts(
        request_date=as_of,
        offline=product.delivery == Product.Delivery.OFFLINE,
        purchased_on=entitlement.purchased_on,
        last_upgraded_on=entitlement.last_upgraded_on,
        last_moved_on=last_move,
        ss_active=entitlement.is_covered_on(as_of),
        version_supported=version_supported,
        list_price=product.list_price,
        buys_extension=purchase == LicenceMove.Purchase.EXTENSION,
        buys_upgrade_to_newest=purchase == LicenceMove.Purchase.UPGRADE,
        newest_upgrade_price=newest.upgrade_price if newest else None,
        newest_version=newest.version if newest else "",
        oldest_supported_version=oldest_supported.version if oldest_supported else "",
        oldest_supported_list_price=(
            oldest_supported.effective_list_price if oldest_supported else None
        ),
    )


def move_quote_for(*, entitlement: Entitlement, as_of: date, purchase: str = "") -> MoveQuote:
    return move_quote(move_facts(entitlement=entitlement, as_of=as_of, purchase=purchase))


def _pending_move_exists(entitlement: Entitlement) -> bool:
    return entitlement.moves.filter(state=LicenceMove.State.PENDING).exists()


def _lock_old_activation(activation: Activation) -> Activation:
    return Activation.objects.select_for_update(of=("self",)).get(pk=activation.pk)


@transaction.atomic
def move_request(
    *,
    entitlement: Entitlement,
    old_activation: Activation,
    new_machine_id: str,
    lost_or_stolen: bool,
    reason: str,
    purchase: str,
    actor: User,
    as_of: date,
) -> LicenceMove:
    """L8: the customer asks to move an activation; the quote is fixed at the request date.

    Race-free: the entitlement and then the old activation are locked before the pending
    check and the quote, so a second request sent at the same moment waits for the first and
    is then refused; the partial unique constraint one_pending_move_per_activation refuses it
    even where locks are not taken (SQLite), with the same message."""
    new_machine_id = new_machine_id.strip()
    entitlement = lock_entitlement(entitlement)
    old_activation = _lock_old_activation(old_activation)
    if old_activation.entitlement_id != entitlement.pk or not old_activation.is_active:
        raise ValidationError({"old_activation": _("Choose an active machine of this licence.")})
    if lost_or_stolen and not reason.strip():
        raise ValidationError({"reason": _("Tell us what happened to the old machine.")})
    if not new_machine_id:
        raise ValidationError({"new_machine_id": _("Enter the new machine's id.")})
    if new_machine_id == old_activation.machine_id:
        raise ValidationError({"new_machine_id": _("The new machine must differ from the old.")})
    if Activation.objects.filter(
        product=entitlement.product, machine_id=new_machine_id, deactivated_on__isnull=True
    ).exists():
        raise ValidationError(
            {
                "new_machine_id": _(
                    "Machine %(machine)s already has an active licence of this product."
                )
                % {"machine": new_machine_id}
            }
        )
    if _pending_move_exists(entitlement):
        raise ValidationError(ALREADY_WAITING)
    if purchase not in LicenceMove.Purchase.values:
        raise ValidationError({"purchase": _("Choose what is bought with the move.")})
    if purchase == LicenceMove.Purchase.UPGRADE and not upgrade_target(
        entitlement=entitlement,
        versions=versions_released(product=entitlement.product, as_of=as_of),
    ):
        raise ValidationError(
            {"purchase": _("This licence already has the newest version: there is no upgrade.")}
        )
    quote = move_quote_for(entitlement=entitlement, as_of=as_of, purchase=purchase)
    try:
        with transaction.atomic(), acting_as(actor):
            move = LicenceMove.objects.create(
                entitlement=entitlement,
                old_activation=old_activation,
                lost_or_stolen=lost_or_stolen,
                reason=reason.strip(),
                new_machine_id=new_machine_id,
                purchase=purchase,
                requested_on=as_of,
                rule=quote.rule,
                fee=quote.fee,
                currency=entitlement.product.currency,
                explanation=quote.explanation,
                requested_by=actor,
            )
    except IntegrityError as exc:  # one_pending_move_per_activation
        raise ValidationError(ALREADY_WAITING) from exc
    # L8/N6: in this transaction, so the fee quote renewals issues is written with the move
    # or not at all.
    move_requested.send(sender=LicenceMove, move=move, quote=quote, actor=actor, as_of=as_of)
    return move


def _check_still_movable(old: Activation, entitlement: Entitlement) -> None:
    """L3/L8 at the decision: the old machine is still active (nothing deactivated it since
    the request), and the licence does not run on more machines than it has licences."""
    if not old.is_active:
        raise ValidationError(
            _(
                "Machine %(machine)s was deactivated on %(date)s, after this move was "
                "requested: the move cannot be confirmed. Reject it."
            )
            % {"machine": old.machine_id, "date": old.deactivated_on}
        )
    active = active_activation_count(entitlement)
    if active > entitlement.quantity:
        raise ValidationError(
            _(
                "%(poe)s is activated on %(active)s machines but holds %(held)s licences: "
                "deactivate machines before confirming this move."
            )
            % {"poe": entitlement.poe_number, "active": active, "held": entitlement.quantity}
        )


@transaction.atomic
def move_confirm(*, move: LicenceMove, actor: User, now: datetime) -> Activation:
    """L8: staff confirm; the old activation is deactivated, the new machine activated and
    the customer e-mailed.

    Race-free: the move is locked and must still be pending; the entitlement and the old
    activation are locked (in the order move_request takes them) and the invariant checked
    again, so a licence never ends up active on more machines than it holds."""
    move = lock_pending(LicenceMove.objects, move.pk)
    entitlement = lock_entitlement(move.entitlement)
    old = _lock_old_activation(move.old_activation)
    _check_still_movable(old, entitlement)
    move.entitlement = entitlement  # the locked row, for the e-mail
    as_of = timezone.localdate(now)
    with acting_as(actor):
        old.deactivated_on = as_of
        old.deactivation_reason = (
            _("Lost or stolen: %(reason)s") % {"reason": move.reason}
            if move.lost_or_stolen
            else _("Moved to %(machine)s") % {"machine": move.new_machine_id}
        )
        old.save(update_fields=["deactivated_on", "deactivation_reason"])
        try:
            with transaction.atomic():
                new = Activation.objects.create(
                    entitlement=entitlement,
                    product=entitlement.product,
                    machine_id=move.new_machine_id,
                    activated_on=as_of,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("Machine %(machine)s was activated elsewhere in the meantime.")
                % {"machine": move.new_machine_id}
            ) from exc
        move.mark_decided(state=LicenceMove.State.CONFIRMED, actor=actor, now=now)
        move_confirmed_email_queue(move)
    return new


@transaction.atomic
def move_reject(*, move: LicenceMove, actor: User, now: datetime) -> None:
    move = lock_pending(LicenceMove.objects, move.pk)
    with acting_as(actor):
        move.mark_decided(state=LicenceMove.State.REJECTED, actor=actor, now=now)
