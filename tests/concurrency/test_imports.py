"""L6 with concurrent writers: a previewed import is imported once, however many times (and
however simultaneously) "Import" is pressed."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from licensing import imports
from licensing.models import Entitlement, ImportBatch, Order
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import ProductFactory

HEADER = (
    "site_number,part_number,quantity,order_date,edition,version,coverage_end,order_number,"
    "unit_price"
)
ALREADY_IMPORTED = "This file was already imported."


def previewed_batch(world, order_number: str) -> ImportBatch:
    """A reseller's file of one order with two lines, checked and ready to import."""
    rows = (
        f"{world.site.number},ATL-DB,5,2025-03-14,,,,{order_number},",
        f"{world.site.number},ATL-DB,2,2025-03-14,,,,{order_number},",
    )
    data = "\n".join((HEADER, *rows)) + "\n"
    user = world.users["reseller"]
    batch = imports.batch_upload(
        upload=SimpleUploadedFile("entitlements.csv", data.encode(), "text/csv"),
        actor=user,
        reseller=user.reseller,
        as_of=timezone.localdate(),
    )
    assert batch.state == ImportBatch.State.READY, batch.errors
    return batch


def confirm(batch_id: int, actor) -> bool:
    """What the import page does on "Import": load the batch, then confirm it."""
    return imports.batch_confirm(
        batch=ImportBatch.objects.get(pk=batch_id), actor=actor, now=timezone.now()
    )


@concurrent
def test_confirming_one_import_twice_at_the_same_moment_imports_it_once_l6(world):
    """Two confirmations of the same preview at the same moment: one order with its two
    entitlements, once; the other is told the file was already imported."""
    ProductFactory(part_number="ATL-DB", name="Atlas Database", list_price=Decimal(1000))
    seen = []
    for run in range(REPEATS):
        number = f"PO-RACE-{run}"
        batch = previewed_batch(world, number)
        outcomes = at_once(
            partial(confirm, batch.pk, world.users["reseller"]),
            partial(confirm, batch.pk, world.users["staff"]),
        )
        batch.refresh_from_db()
        seen.append(
            (
                kinds(outcomes),
                Order.objects.filter(number=number).count(),
                Entitlement.objects.filter(order_line__order__number=number).count(),
                batch.state,
                [m for o in outcomes for m in o.messages],
            )
        )

    expected = (["ok", "refused"], 1, 2, ImportBatch.State.IMPORTED, [ALREADY_IMPORTED])
    assert_every_run(seen, [expected] * REPEATS)
