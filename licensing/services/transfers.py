"""L7: site-to-site transfers: the request, and staff's decision on it."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Site, User
from licensing.models import (
    CoveragePeriod,
    Entitlement,
    EntitlementEvent,
    SiteTransfer,
    SiteTransferLine,
)
from licensing.services.entitlements import active_activation_count, lock_entitlements, lock_pending
from portal.core.audit import acting_as


@transaction.atomic
def transfer_request(
    *,
    source_site: Site,
    target_site: Site,
    quantities: dict[Entitlement, int],
    actor: User,
    note: str = "",
) -> SiteTransfer:
    """L7: ask staff to move quantities to another site of the same customer."""
    if source_site.pk == target_site.pk:
        raise ValidationError({"target_site": _("Choose a different site to transfer to.")})
    if source_site.customer_id != target_site.customer_id:
        raise ValidationError(
            {"target_site": _("Licences can only move between sites of the same customer.")}
        )
    wanted = {ent: qty for ent, qty in quantities.items() if qty}
    if not wanted:
        raise ValidationError(_("Enter a quantity for at least one entitlement."))
    for entitlement, quantity in wanted.items():
        _check_transfer_quantity(entitlement, quantity, source_site)
    with acting_as(actor):
        transfer = SiteTransfer.objects.create(
            source_site=source_site, target_site=target_site, requested_by=actor, note=note
        )
        SiteTransferLine.objects.bulk_create(
            SiteTransferLine(transfer=transfer, entitlement=entitlement, quantity=quantity)
            for entitlement, quantity in wanted.items()
        )
    return transfer


def _check_transfer_quantity(entitlement: Entitlement, quantity: int, source: Site) -> None:
    if entitlement.site_id != source.pk:
        raise ValidationError(
            _("%(poe)s is not held by the source site.") % {"poe": entitlement.poe_number}
        )
    if quantity < 0:
        raise ValidationError(_("Quantities cannot be negative."))
    if quantity > entitlement.quantity:
        raise ValidationError(
            _("%(poe)s holds %(held)s; %(wanted)s cannot be transferred.")
            % {"poe": entitlement.poe_number, "held": entitlement.quantity, "wanted": quantity}
        )
    # Licences running on machines stay at the source: a site never keeps more active
    # activations than licences (L3).
    active = active_activation_count(entitlement)
    if quantity and entitlement.quantity - quantity < active:
        raise ValidationError(
            _(
                "%(poe)s is activated on %(active)s machines, so at most %(free)s of its "
                "%(held)s licences can be transferred. Deactivate or move machines first."
            )
            % {
                "poe": entitlement.poe_number,
                "active": active,
                "free": entitlement.quantity - active,
                "held": entitlement.quantity,
            }
        )


@transaction.atomic
def transfer_approve(*, transfer: SiteTransfer, actor: User, now: datetime) -> None:
    """L7: move the quantities atomically: source decreased, target increased (a new
    entitlement with the same coverage periods), an event on both sides.

    Race-free: the transfer is locked and must still be pending (a second approval waits,
    then is refused); the source entitlements are locked in primary-key order and their
    quantities and activations checked again, since another transfer, a move or an
    activation may have changed them since the request."""
    transfer = lock_pending(SiteTransfer.objects, transfer.pk)
    lines = list(transfer.lines.order_by("pk"))
    locked = lock_entitlements(line.entitlement_id for line in lines)
    as_of = timezone.localdate(now)
    with acting_as(actor):
        for line in lines:
            source = locked[line.entitlement_id]
            _check_transfer_quantity(source, line.quantity, transfer.source_site)
            _transfer_line(transfer, source, line.quantity, as_of)
        transfer.mark_decided(state=SiteTransfer.State.APPROVED, actor=actor, now=now)


def _transfer_line(transfer: SiteTransfer, source: Entitlement, quantity: int, as_of: date) -> None:
    target_site = transfer.target_site
    target = Entitlement.objects.create(
        site=target_site,
        product_id=source.product_id,
        edition_id=source.edition_id,
        version_id=source.version_id,
        quantity=quantity,
        order_line_id=source.order_line_id,
        purchased_on=source.purchased_on,
        last_upgraded_on=source.last_upgraded_on,
        coverage_start=source.coverage_start,
        coverage_end=source.coverage_end,
    )
    CoveragePeriod.objects.bulk_create(
        CoveragePeriod(
            entitlement=target,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            kind=period.kind,
            note=period.note,
        )
        for period in source.coverage_periods.all()
    )
    source.quantity -= quantity
    source.save(update_fields=["quantity"])
    EntitlementEvent.objects.bulk_create(
        [
            EntitlementEvent(
                entitlement=source,
                happened_on=as_of,
                quantity_change=-quantity,
                description=_("%(qty)s transferred to site %(site)s (%(poe)s)")
                % {"qty": quantity, "site": target_site.number, "poe": target.poe_number},
            ),
            EntitlementEvent(
                entitlement=target,
                happened_on=as_of,
                quantity_change=quantity,
                description=_("%(qty)s transferred from site %(site)s (%(poe)s)")
                % {"qty": quantity, "site": transfer.source_site.number, "poe": source.poe_number},
            ),
        ]
    )


@transaction.atomic
def transfer_reject(*, transfer: SiteTransfer, actor: User, now: datetime) -> None:
    transfer = lock_pending(SiteTransfer.objects, transfer.pk)
    with acting_as(actor):
        transfer.mark_decided(state=SiteTransfer.State.REJECTED, actor=actor, now=now)
