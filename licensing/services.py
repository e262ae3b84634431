"""Writes for licensing: orders and entitlements (L2, L3), activations, site-to-site transfers
(L7), moves to a new computer (L8). Atomic, audited (A7), e-mails queued on commit."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Site, User
from licensing.emails import move_confirmed_email_queue
from licensing.fees import MoveFacts, MoveQuote, move_quote
from licensing.models import (
    Activation,
    CoveragePeriod,
    Edition,
    Entitlement,
    EntitlementEvent,
    LicenceMove,
    Order,
    OrderLine,
    Product,
    SiteTransfer,
    SiteTransferLine,
    Version,
    new_poe_number,
)
from portal.core.audit import acting_as
from portal.core.dates import months_started, one_year_of_cover
from portal.core.money import money


def new_order_number(on: date) -> str:
    return f"ORD-{on:%Y%m%d}-{secrets.token_hex(3).upper()}"


@dataclass(frozen=True)
class LineRequest:
    """One line of an order as a form, the admin or an import gives it (L2)."""

    product: Product
    quantity: int
    edition: Edition | None = None
    version: Version | None = None
    unit_price: Decimal | None = None


def subscription_end(*, site: Site, ordered_on: date) -> date:
    """L2/N3: a subscription runs to the agreement's next anniversary after the order date."""
    return site.agreement.next_anniversary(ordered_on + timezone.timedelta(days=1))


def line_unit_price(*, site: Site, line: LineRequest, ordered_on: date) -> Decimal:
    """The unit price: as given, else the list price (edition price when there is one); a
    subscription's annual price is prorated by started month to the anniversary (N3)."""
    if line.unit_price is not None:
        return money(line.unit_price)
    base = line.edition.price if line.edition else line.product.list_price
    if line.version is not None and line.version.list_price is not None and not line.edition:
        base = line.version.list_price
    if line.product.kind == Product.Kind.SUBSCRIPTION:
        months = months_started(ordered_on, subscription_end(site=site, ordered_on=ordered_on))
        # Bought on the anniversary itself it runs to the next one: a year, never 13 months.
        return money(base * min(months, 12) / 12)
    return money(base)


def validate_line(*, line: LineRequest, ordered_on: date) -> None:
    """L2 line checks with messages a person can act on."""
    errors = {}
    if line.quantity is None or line.quantity < 1:
        errors["quantity"] = _("The quantity must be at least 1.")
    if not line.product.is_orderable_on(ordered_on):
        errors["product"] = _(
            "%(part)s reached its end of sale on %(date)s and can no longer be ordered."
        ) % {"part": line.product.part_number, "date": line.product.end_of_sale}
    if line.edition is not None and line.edition.product_id != line.product.pk:
        errors["edition"] = _("Edition %(edition)s belongs to another product.") % {
            "edition": line.edition.name
        }
    if line.version is not None and line.version.product_id != line.product.pk:
        errors["version"] = _("Version %(version)s belongs to another product.") % {
            "version": line.version.version
        }
    if line.unit_price is not None and line.unit_price < 0:
        errors["unit_price"] = _("A price cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def order_place(
    *,
    site: Site,
    ordered_on: date,
    lines: list[LineRequest],
    actor: User | None,
    source: str,
    number: str = "",
    today: date | None = None,
) -> Order:
    """L2: record an order and create its entitlements (12 months of S&S per software or
    hardware line; a subscription to the next anniversary; consumables none)."""
    today = today or timezone.localdate()
    if ordered_on > today:
        raise ValidationError({"ordered_on": _("An order date cannot be in the future.")})
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    for line in lines:
        validate_line(line=line, ordered_on=ordered_on)
    with acting_as(actor):
        order = Order.objects.create(
            number=number or new_order_number(ordered_on),
            site=site,
            ordered_on=ordered_on,
            reseller=site.reseller if source == Order.Source.PORTAL else None,
            source=source,
            currency=lines[0].product.currency,
            created_by=actor,
        )
        for line in lines:
            order_line = OrderLine.objects.create(
                order=order,
                product=line.product,
                edition=line.edition,
                version=line.version,
                quantity=line.quantity,
                unit_price=line_unit_price(site=site, line=line, ordered_on=ordered_on),
            )
            order_line_fulfil(order_line=order_line)
    return order


def order_line_fulfil(*, order_line: OrderLine) -> Entitlement | None:
    """Create the entitlement an order line gives, once (also used by the admin)."""
    product = order_line.product
    if not product.creates_entitlement or order_line.entitlements.exists():
        return None
    order = order_line.order
    start = order.ordered_on
    if product.kind == Product.Kind.SUBSCRIPTION:
        end = subscription_end(site=order.site, ordered_on=start)
    else:
        end = one_year_of_cover(start)
    entitlement = Entitlement.objects.create(
        site=order.site,
        product=product,
        edition=order_line.edition,
        version=order_line.version,
        quantity=order_line.quantity,
        order_line=order_line,
        purchased_on=start,
        coverage_start=start,
        coverage_end=end,
    )
    CoveragePeriod.objects.create(
        entitlement=entitlement,
        starts_on=start,
        ends_on=end,
        kind=CoveragePeriod.Kind.PURCHASE,
        note=_("Order %(number)s") % {"number": order.number},
    )
    return entitlement


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


# --- activations (L3) ------------------------------------------------------------------------


@transaction.atomic
def activation_add(
    *, entitlement: Entitlement, machine_id: str, actor: User | None, on: date
) -> Activation:
    machine_id = machine_id.strip()
    if entitlement.product.delivery != Product.Delivery.ONLINE:
        raise ValidationError(_("Only online-activated products have machine activations."))
    if not machine_id:
        raise ValidationError({"machine_id": _("Enter the machine id.")})
    active = entitlement.activations.filter(deactivated_on__isnull=True).count()
    if active >= entitlement.quantity:
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
                activated_on=on,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "machine_id": _("Machine %(machine)s already has an active licence of %(part)s.")
                % {"machine": machine_id, "part": entitlement.product.part_number}
            }
        ) from exc


# --- requests staff decide on (L7 transfers, L8 moves) ---------------------------------------


def _lock_pending(queryset, pk: int):
    """The request, locked; refused when it was already approved, confirmed or rejected."""
    item = queryset.select_for_update(of=("self",)).get(pk=pk)
    if item.state != item.State.PENDING:
        raise ValidationError(_("This request was already decided."))
    return item


def _mark_decided(item, *, state: str, actor: User) -> None:
    item.state = state
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save(update_fields=["state", "decided_by", "decided_at"])


# --- site-to-site transfers (L7) -------------------------------------------------------------


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
    active = entitlement.activations.filter(deactivated_on__isnull=True).count()
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
def transfer_approve(*, transfer: SiteTransfer, actor: User, on: date | None = None) -> None:
    """L7: move the quantities atomically: source decreased, target increased (a new
    entitlement with the same coverage periods), an event on both sides."""
    on = on or timezone.localdate()
    transfer = _lock_pending(SiteTransfer.objects, transfer.pk)
    lines = list(transfer.lines.select_related("entitlement__product"))
    locked = {
        ent.pk: ent
        for ent in Entitlement.objects.select_for_update().filter(
            pk__in=[line.entitlement_id for line in lines]
        )
    }
    with acting_as(actor):
        for line in lines:
            source = locked[line.entitlement_id]
            _check_transfer_quantity(source, line.quantity, transfer.source_site)
            _transfer_line(transfer, source, line.quantity, on)
        _mark_decided(transfer, state=SiteTransfer.State.APPROVED, actor=actor)


def _transfer_line(transfer: SiteTransfer, source: Entitlement, quantity: int, on: date) -> None:
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
                happened_on=on,
                quantity_change=-quantity,
                description=_("%(qty)s transferred to site %(site)s (%(poe)s)")
                % {"qty": quantity, "site": target_site.number, "poe": target.poe_number},
            ),
            EntitlementEvent(
                entitlement=target,
                happened_on=on,
                quantity_change=quantity,
                description=_("%(qty)s transferred from site %(site)s (%(poe)s)")
                % {"qty": quantity, "site": transfer.source_site.number, "poe": source.poe_number},
            ),
        ]
    )


@transaction.atomic
def transfer_reject(*, transfer: SiteTransfer, actor: User) -> None:
    transfer = _lock_pending(SiteTransfer.objects, transfer.pk)
    with acting_as(actor):
        _mark_decided(transfer, state=SiteTransfer.State.REJECTED, actor=actor)


# --- moves to a new computer (L8) ------------------------------------------------------------


def versions_released(*, product: Product, on: date) -> list[Version]:
    """L1: the product's versions released by `on`, oldest first. A version entered ahead of
    its release is neither the newest to upgrade to nor a supported one yet."""
    return list(product.versions.filter(release_date__lte=on).order_by("release_date", "pk"))


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


def move_facts(*, entitlement: Entitlement, on: date, purchase: str = "") -> MoveFacts:
    """Gather the plain values L8 needs from the database."""
    product = entitlement.product
    versions = versions_released(product=product, on=on)
    supported = [v for v in versions if v.is_supported_on(on)]
    newest = versions[-1] if versions else None
    oldest_supported = supported[0] if supported else None
    last_move = entitlement.moves.filter(state=LicenceMove.State.CONFIRMED).aggregate(
        last=Max("requested_on")
    )["last"]
    version_supported = entitlement.version.is_supported_on(on) if entitlement.version else True
    return MoveFacts(
        request_date=on,
        offline=product.delivery == Product.Delivery.OFFLINE,
        purchased_on=entitlement.purchased_on,
        last_upgraded_on=entitlement.last_upgraded_on,
        last_moved_on=last_move,
        ss_active=entitlement.is_covered_on(on),
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


def move_quote_for(*, entitlement: Entitlement, on: date, purchase: str = "") -> MoveQuote:
    return move_quote(move_facts(entitlement=entitlement, on=on, purchase=purchase))


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
    on: date,
) -> LicenceMove:
    """L8: the customer asks to move an activation; the quote is fixed at the request date."""
    new_machine_id = new_machine_id.strip()
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
    if entitlement.moves.filter(state=LicenceMove.State.PENDING).exists():
        raise ValidationError(_("A move of this licence is already waiting for confirmation."))
    if purchase not in LicenceMove.Purchase.values:
        raise ValidationError({"purchase": _("Choose what is bought with the move.")})
    if purchase == LicenceMove.Purchase.UPGRADE and not upgrade_target(
        entitlement=entitlement, versions=versions_released(product=entitlement.product, on=on)
    ):
        raise ValidationError(
            {"purchase": _("This licence already has the newest version: there is no upgrade.")}
        )
    quote = move_quote_for(entitlement=entitlement, on=on, purchase=purchase)
    with acting_as(actor):
        return LicenceMove.objects.create(
            entitlement=entitlement,
            old_activation=old_activation,
            lost_or_stolen=lost_or_stolen,
            reason=reason.strip(),
            new_machine_id=new_machine_id,
            purchase=purchase,
            requested_on=on,
            rule=quote.rule,
            fee=quote.fee,
            currency=entitlement.product.currency,
            explanation=quote.explanation,
            requested_by=actor,
        )


@transaction.atomic
def move_confirm(*, move: LicenceMove, actor: User, on: date | None = None) -> Activation:
    """L8: staff confirm; the old activation is deactivated, the new machine activated and
    the customer e-mailed."""
    on = on or timezone.localdate()
    move = _lock_pending(
        LicenceMove.objects.select_related("entitlement__product", "old_activation"), move.pk
    )
    old = move.old_activation
    with acting_as(actor):
        old.deactivated_on = on
        old.deactivation_reason = (
            _("Lost or stolen: %(reason)s") % {"reason": move.reason}
            if move.lost_or_stolen
            else _("Moved to %(machine)s") % {"machine": move.new_machine_id}
        )
        old.save(update_fields=["deactivated_on", "deactivation_reason"])
        try:
            with transaction.atomic():
                new = Activation.objects.create(
                    entitlement=move.entitlement,
                    product=move.entitlement.product,
                    machine_id=move.new_machine_id,
                    activated_on=on,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("Machine %(machine)s was activated elsewhere in the meantime.")
                % {"machine": move.new_machine_id}
            ) from exc
        _mark_decided(move, state=LicenceMove.State.CONFIRMED, actor=actor)
        move_confirmed_email_queue(move)
    return new


@transaction.atomic
def move_reject(*, move: LicenceMove, actor: User) -> None:
    move = _lock_pending(LicenceMove.objects, move.pk)
    with acting_as(actor):
        _mark_decided(move, state=LicenceMove.State.REJECTED, actor=actor)


# --- imports (L6) ----------------------------------------------------------------------------

IMPORT_BATCH_SIZE = 2_000


def coverage_end_default(*, site: Site, product: Product, start: date) -> date:
    """L2: the S&S an order line gives when nothing says otherwise: a subscription runs to the
    agreement's next anniversary, software and hardware 12 months."""
    if product.kind == Product.Kind.SUBSCRIPTION:
        return subscription_end(site=site, ordered_on=start)
    return one_year_of_cover(start)


@dataclass(frozen=True)
class ImportedLine:
    """One valid imported row: its order (inserted first), the line, and the coverage end the
    file gives (None: the L2 default)."""

    order: Order
    line: LineRequest
    coverage_end: date | None = None
    note: str = ""


@dataclass
class ImportCounts:
    orders: int = 0
    lines: int = 0
    entitlements: int = 0


@transaction.atomic
def entitlements_import(
    *,
    orders: Iterable[Order],
    lines: Iterable[ImportedLine],
    batch_size: int = IMPORT_BATCH_SIZE,
) -> ImportCounts:
    """L6: write imported orders, their lines, and for each software, hardware or subscription
    line an entitlement with one coverage period of kind IMPORT.

    The rows must already be valid (licensing.imports checks them with validate_line). Rows
    are written with bulk inserts `batch_size` at a time, so a 100,000-row file takes seconds
    and memory holds one batch: `lines` may be a lazy iterator, read after the orders it
    refers to are inserted. Bulk inserts send no signals, so the import batch record is the
    audit trail (who, when, what) of these rows."""
    orders = list(orders)
    Order.objects.bulk_create(orders, batch_size=batch_size)
    counts = ImportCounts(orders=len(orders))
    iterator = iter(lines)
    while chunk := list(itertools.islice(iterator, batch_size)):
        _import_chunk(chunk, counts)
    return counts


def _import_chunk(chunk: list[ImportedLine], counts: ImportCounts) -> None:
    # Ids rather than objects: assigning related objects costs more than the insert itself.
    order_lines = [
        OrderLine(
            order_id=item.order.pk,
            product_id=item.line.product.pk,
            edition_id=item.line.edition.pk if item.line.edition else None,
            version_id=item.line.version.pk if item.line.version else None,
            quantity=item.line.quantity,
            unit_price=line_unit_price(
                site=item.order.site, line=item.line, ordered_on=item.order.ordered_on
            ),
        )
        for item in chunk
    ]
    OrderLine.objects.bulk_create(order_lines)
    entitlements, notes = [], []
    for item, order_line in zip(chunk, order_lines, strict=True):
        product = item.line.product
        if not product.creates_entitlement:
            continue  # L2: consumables are purchases only
        start = item.order.ordered_on
        site = item.order.site
        entitlements.append(
            Entitlement(
                site_id=site.pk,
                product_id=product.pk,
                edition_id=order_line.edition_id,
                version_id=order_line.version_id,
                quantity=item.line.quantity,
                order_line_id=order_line.pk,
                purchased_on=start,
                coverage_start=start,
                coverage_end=item.coverage_end
                or coverage_end_default(site=site, product=product, start=start),
            )
        )
        notes.append(item.note)
    _unique_poe_numbers(entitlements)
    Entitlement.objects.bulk_create(entitlements)
    CoveragePeriod.objects.bulk_create(
        CoveragePeriod(
            entitlement_id=entitlement.pk,
            starts_on=entitlement.coverage_start,
            ends_on=entitlement.coverage_end,
            kind=CoveragePeriod.Kind.IMPORT,
            note=note[:200],
        )
        for entitlement, note in zip(entitlements, notes, strict=True)
    )
    counts.lines += len(order_lines)
    counts.entitlements += len(entitlements)


def _unique_poe_numbers(entitlements: list[Entitlement]) -> None:
    """Random PoE numbers can clash once there are many; draw again for any number already
    used (a query per 500) or drawn twice in the batch, so one clash never fails a
    whole import."""
    while True:
        numbers = [entitlement.poe_number for entitlement in entitlements]
        taken: set[str] = set()
        for start in range(0, len(numbers), 500):  # SQLite's default limit is 999 parameters
            taken.update(
                Entitlement.objects.filter(poe_number__in=numbers[start : start + 500]).values_list(
                    "poe_number", flat=True
                )
            )
        seen: set[str] = set()
        clashed = False
        for entitlement in entitlements:
            if entitlement.poe_number in taken or entitlement.poe_number in seen:
                entitlement.poe_number = new_poe_number()
                clashed = True
            seen.add(entitlement.poe_number)
        if not clashed:
            return
