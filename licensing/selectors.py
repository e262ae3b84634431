"""Reads for licensing, always scoped through the sites a user may see (A4)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.models import Site, User, site_visibility
from accounts.selectors import sites_for_user
from licensing.models import (
    Activation,
    CoveragePeriod,
    Edition,
    Entitlement,
    EntitlementEvent,
    ImportBatch,
    LicenceMove,
    Order,
    OrderLine,
    PoEDocument,
    Product,
    SiteTransfer,
    SiteTransferLine,
    Version,
)


def entitlements_for_user(user: User) -> QuerySet[Entitlement]:
    """Every entitlement on a site the user may see (A4: Entitlement.objects.for_user)."""
    return Entitlement.objects.for_user(user)


def inventory_for_user(*, user: User, as_of: date) -> QuerySet[Entitlement]:
    """L5: the inventory rows with what the list shows loaded up front and the status (L3)
    computed in the database. Lines transferred away entirely (quantity 0) stay out.

    A reseller's scope is a condition on the joined site (site_visibility) rather than
    `site IN (subquery)`: the database then walks the reseller's sites in (reseller, number)
    index order, so a list sorted by site number reads one page instead of sorting every row
    (tests/bench). tests/licensing/test_inventory_scope.py keeps it equal to sites_for_user."""
    return (
        entitlements_for_user(user)
        .filter(quantity__gt=0)
        .with_status(as_of)
        .select_related("site__customer", "product", "edition", "version")
    )


def entitlement_get_for_user(*, user: User, entitlement_id: int) -> Entitlement:
    return get_object_or_404(
        entitlements_for_user(user)
        .select_related(
            "site__customer",
            "site__agreement",
            "product",
            "edition",
            "version",
            "order_line__order",
        )
        .prefetch_related(
            Prefetch("coverage_periods", queryset=CoveragePeriod.objects.order_by("starts_on")),
            Prefetch("activations", queryset=Activation.objects.order_by("-activated_on")),
            Prefetch("events", queryset=EntitlementEvent.objects.order_by("happened_on")),
            Prefetch("moves", queryset=LicenceMove.objects.select_related("old_activation")),
        ),
        pk=entitlement_id,
    )


def orders_for_user(user: User) -> QuerySet[Order]:
    return Order.objects.for_user(user)


def order_get_for_user(*, user: User, order_id: int) -> Order:
    return get_object_or_404(
        orders_for_user(user).select_related("site__customer", "site__agreement"), pk=order_id
    )


def order_entitlements(*, order: Order, current_only: bool = True) -> QuerySet[Entitlement]:
    """L4: what an order PoE lists: the entitlements the order created, or renewed,
    reinstated or changed (an accepted quote's order, N6), still at its site. With
    current_only=False also those transferred away entirely (quantity 0, L7), which the order
    page shows with their history."""
    applied = OrderLine.objects.filter(order=order, applies_to__isnull=False).values("applies_to")
    entitlements = Entitlement.objects.filter(
        Q(order_line__order=order) | Q(pk__in=applied), site_id=order.site_id
    )
    if current_only:
        entitlements = entitlements.filter(quantity__gt=0)
    return entitlements.select_related("product", "edition", "version").order_by(
        "product__part_number", "pk"
    )


def order_lines(*, order: Order) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order=order).select_related("product", "edition", "version")


def site_orders_with_totals(*, user: User, site: Site, with_totals: bool = True) -> QuerySet[Order]:
    """L2: a site's orders, newest first, each with its line count and (for those who may see
    prices, SPEC §1 / L5) its total."""
    line_total = ExpressionWrapper(
        F("lines__quantity") * F("lines__unit_price"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    totals = {"total": Sum(line_total)} if with_totals else {}
    return (
        orders_for_user(user)
        .filter(site=site)
        .select_related("reseller", "created_by")
        .annotate(line_count=Count("lines"), **totals)
        .order_by("-ordered_on", "-pk")
    )


def entitlement_search(entitlements: QuerySet[Entitlement], text: str) -> QuerySet[Entitlement]:
    """Search a site's holdings by product name, part number or PoE number, any part of them
    (the transfer form; the inventory's search is anchored, for its index at 200,000 rows)."""
    text = text.strip()
    if not text:
        return entitlements
    return entitlements.filter(
        Q(product__name__icontains=text)
        | Q(product__part_number__icontains=text)
        | Q(poe_number__icontains=text)
    )


def transferable_entitlements(*, user: User, site: Site, search: str = "") -> QuerySet[Entitlement]:
    """L7: what a site holds and could transfer, optionally searched."""
    held = (
        entitlements_for_user(user)
        .filter(site=site, quantity__gt=0)
        .select_related("product", "edition", "version")
    )
    return entitlement_search(held, search).order_by("product__part_number", "pk")


def transfer_targets_for_user(*, user: User, site: Site) -> QuerySet[Site]:
    """L7: the other sites of the same customer that the user can also see."""
    return (
        sites_for_user(user)
        .filter(customer_id=site.customer_id)
        .exclude(pk=site.pk)
        .order_by("number")
    )


def active_activations(*, entitlement: Entitlement) -> QuerySet[Activation]:
    return Activation.objects.filter(entitlement=entitlement, deactivated_on__isnull=True).order_by(
        "machine_id"
    )


def richer_editions(*, entitlement: Entitlement) -> QuerySet[Edition]:
    """L9: the editions an entitlement could change to (a step down is not offered)."""
    if entitlement.edition is None:
        return Edition.objects.none()
    return Edition.objects.filter(
        product_id=entitlement.product_id, rank__gt=entitlement.edition.rank
    ).order_by("rank")


def poe_get_for_user(*, user: User, poe_id: int) -> PoEDocument:
    return get_object_or_404(PoEDocument.objects.for_user(user), pk=poe_id)


def transfers_for_user(user: User) -> QuerySet[SiteTransfer]:
    """L7: the transfers out of or into a site the user may see (A4, site_visibility)."""
    source = site_visibility(user, via="source_site__")
    if source is None:
        return SiteTransfer.objects.none()
    return SiteTransfer.objects.filter(source | site_visibility(user, via="target_site__"))


def transfers_for_site(*, user: User, site: Site) -> QuerySet[SiteTransfer]:
    """L7: transfers out of and into a site, with their lines."""
    return (
        transfers_for_user(user)
        .filter(Q(source_site=site) | Q(target_site=site))
        .select_related("source_site", "target_site", "requested_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=SiteTransferLine.objects.select_related("entitlement__product").order_by(
                    "pk"
                ),
            )
        )
    )


def product_families() -> list[str]:
    return list(Product.objects.order_by("family").values_list("family", flat=True).distinct())


def versions_released(*, product: Product, as_of: date) -> list[Version]:
    """L1: the product's versions released by `as_of`, oldest first. A version entered ahead
    of its release is neither the newest to upgrade to nor a supported one yet."""
    return list(product.versions.filter(release_date__lte=as_of).order_by("release_date", "pk"))


# --- imports (L6) ----------------------------------------------------------------------------


def import_sites_for_user(user: User) -> QuerySet[Site]:
    """L6/A4: an import writes only to the sites its user may see (Site.objects.for_user):
    a reseller user's import reaches the sites its reseller manages, staff every site."""
    return Site.objects.for_user(user).select_related("agreement")


def import_sites_for_operator() -> QuerySet[Site]:
    """L6: the import command runs as the operator, for every site."""
    return Site.objects.select_related("agreement")


def batches_for_user(user: User) -> QuerySet[ImportBatch]:
    """Who sees an upload (A4): staff every one, a reseller user its reseller's, nobody else.
    Not site_visibility: one file spans many sites, and a contact of one of them must not see
    the reseller's whole upload (ImportBatch.objects.for_user)."""
    return ImportBatch.objects.for_user(user).select_related("created_by", "imported_by", "site")


def batch_get_for_user(*, user: User, batch_id: int) -> ImportBatch:
    """Another reseller's import is a 404, like one that does not exist (A4)."""
    return get_object_or_404(batches_for_user(user), pk=batch_id)


# --- the dashboard (review #7 item 21) -------------------------------------------------------


def entitlement_status_counts(*, user: User, as_of: date) -> dict[str, int]:
    """L3: how many inventory lines the user may see are covered, expiring and lapsed on
    `as_of`, in one aggregate over the inventory's own rows and status annotation, so each
    count equals what the inventory filtered by that status lists."""
    rows = inventory_for_user(user=user, as_of=as_of).select_related(None).order_by()
    return rows.aggregate(
        **{
            status.value: Count("pk", filter=Q(status=status.value))
            for status in Entitlement.Status
        }
    )


def transfers_pending_for_user(user: User) -> QuerySet[SiteTransfer]:
    """L7: transfers awaiting staff approval, out of or into a site the user may see."""
    return (
        transfers_for_user(user)
        .filter(state=SiteTransfer.State.PENDING)
        .select_related("source_site", "target_site")
        .order_by("requested_at", "pk")
    )


def moves_pending_for_user(user: User) -> QuerySet[LicenceMove]:
    """L8: moves to a new computer awaiting staff confirmation, on sites the user may see."""
    visible = site_visibility(user, via="entitlement__site__")
    if visible is None:
        return LicenceMove.objects.none()
    return (
        LicenceMove.objects.filter(visible, state=LicenceMove.State.PENDING)
        .select_related("entitlement__site", "entitlement__product")
        .order_by("created_at", "pk")
    )
