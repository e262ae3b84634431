"""Writes on entitlements themselves: coverage history (L3) and machine activations (L3/L8),
and the row locks the request → decision flows share (L7, L8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from licensing.models import Activation, CoveragePeriod, Entitlement, Product
from portal.core.audit import acting_as


def coverage_add(
    *, entitlement: Entitlement, starts_on: date, ends_on: date, kind: str, note: str = ""
) -> CoveragePeriod:
    """L3: add a coverage period (never overwrite one) and refresh the entitlement's span."""
    if ends_on < starts_on:
        raise ValidationError(_("A coverage period cannot end before it starts."))
    period = CoveragePeriod.objects.create(
        entitlement=entitlement, starts_on=starts_on, ends_on=ends_on, kind=kind, note=note
    )
    span = entitlement.coverage_periods.aggregate(end=Max("ends_on"))
    entitlement.coverage_start = min(entitlement.coverage_start, starts_on)
    entitlement.coverage_end = span["end"]
    entitlement.save(update_fields=["coverage_start", "coverage_end"])
    return period


# --- locks (L3, L7, L8) ----------------------------------------------------------------------


def lock_entitlements(pks: Iterable[int]) -> dict[int, Entitlement]:
    """The entitlements, locked until the transaction ends, in primary-key order: every flow
    that locks more than one takes them in the same order, so two never deadlock. Only the
    rows themselves are locked (of=self), not the sites and products a default ordering
    joins. Their quantities are read after the lock, so a decision sees the latest."""
    locked = (
        Entitlement.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=set(pks))
        .order_by("pk")
    )
    return {entitlement.pk: entitlement for entitlement in locked}


def lock_entitlement(entitlement: Entitlement) -> Entitlement:
    return lock_entitlements([entitlement.pk])[entitlement.pk]


def active_activation_count(entitlement: Entitlement) -> int:
    return entitlement.activations.filter(deactivated_on__isnull=True).count()


# --- activations (L3) ------------------------------------------------------------------------


@transaction.atomic
def activation_add(
    *, entitlement: Entitlement, machine_id: str, actor: User | None, as_of: date
) -> Activation:
    """L3: activate a licence on a machine, never more machines than licences: the
    entitlement is locked first, so two activations at once cannot both take the last one."""
    machine_id = machine_id.strip()
    if entitlement.product.delivery != Product.Delivery.ONLINE:
        raise ValidationError(_("Only online-activated products have machine activations."))
    if not machine_id:
        raise ValidationError({"machine_id": _("Enter the machine id.")})
    entitlement = lock_entitlement(entitlement)
    if active_activation_count(entitlement) >= entitlement.quantity:
        raise ValidationError(
            _("All %(count)s licences of this entitlement are already activated.")
            % {"count": entitlement.quantity}
        )
    try:
        with transaction.atomic(), acting_as(actor):
            return Activation.objects.create(
                entitlement=entitlement,
                product=entitlement.product,
                machine_id=machine_id,
                activated_on=as_of,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "machine_id": _("Machine %(machine)s already has an active licence of %(part)s.")
                % {"machine": machine_id, "part": entitlement.product.part_number}
            }
        ) from exc


# --- requests staff decide on (L7 transfers, L8 moves) ---------------------------------------


def lock_pending(queryset, pk: int):
    """The request, locked; refused when it was already approved, confirmed or rejected."""
    item = queryset.select_for_update(of=("self",)).get(pk=pk)
    if not item.is_pending:
        raise ValidationError(_("This request was already decided."))
    return item
