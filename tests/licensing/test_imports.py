"""L6: CSV import of entitlements — the documented columns and Snipe-IT exports, row errors
with line and column, all-or-nothing imports, file limits, tenant scope (A4), preview then
confirm (once), the admin hook, the management command and the preview's query count."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from licensing import imports
from licensing.imports import batches, reader
from licensing.models import CoveragePeriod, Entitlement, ImportBatch, Order, OrderLine, Product
from tests.accounts.factories import UserFactory, with_totp
from tests.conftest import client_for
from tests.licensing.factories import EditionFactory, OrderFactory, ProductFactory, VersionFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "site_number,part_number,quantity,order_date,edition,version,coverage_end,order_number,"
    "unit_price"
)
SNIPEIT_HEADER = (
    "ID,Item name,Serial number,seats,Remaining seats,expiration date,Purchase Date,"
    "Order Number,Purchase Cost,Licensed to Name,Licensed to Email,notes"
)


@pytest.fixture
def catalogue(db):
    atlas = ProductFactory(part_number="ATL-DB", name="Atlas Database", list_price=Decimal(1000))
    EditionFactory(product=atlas, name="Standard", rank=1, price=Decimal(1000))
    EditionFactory(product=atlas, name="Pro", rank=2, price=Decimal(1500))
    VersionFactory(product=atlas, version="2024")
    return {
        "atlas": atlas,
        "cloud": ProductFactory(
            part_number="CLD-SUB", name="Cloud Seats", kind=Product.Kind.SUBSCRIPTION
        ),
        "toner": ProductFactory(
            part_number="TNR-1",
            name="Toner",
            kind=Product.Kind.CONSUMABLE,
            counts_toward_volume=False,
        ),
        "retired": ProductFactory(
            part_number="OLD-1", name="Old Tool", end_of_sale=date(2020, 12, 31)
        ),
    }


def csv_file(*lines: str, name: str = "entitlements.csv", newline: str = "\n", bom=False):
    data = newline.join(lines) + newline
    raw = data.encode()
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + raw, "text/csv")


def upload(world, *lines: str, role: str = "reseller", site=None, **kwargs) -> ImportBatch:
    user = world.users[role]
    return imports.batch_upload(
        upload=csv_file(*lines, **kwargs),
        actor=user,
        reseller=user.reseller,
        site=site,
        as_of=timezone.localdate(),
    )


def errors_of(batch: ImportBatch) -> list[tuple[int, str]]:
    return [(error["line"], error["column"]) for error in batch.errors]


# --- the documented columns -------------------------------------------------------------------


def test_documented_columns_import_orders_entitlements_and_import_coverage_l6(world, catalogue):
    batch = upload(
        world,
        HEADER,
        "1234567,ATL-DB,5,2025-03-14,Pro,2024,,PO-1,199.00",
        "1234567,ATL-DB,2,2025-03-14,,,2027-03-13,PO-1,",
        "1234567,TNR-1,10,2025-04-01,,,,,",
    )
    assert batch.state == ImportBatch.State.READY, batch.errors

    assert imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())

    orders = Order.objects.filter(site=world.site).order_by("ordered_on")
    assert [(o.number, o.source, o.reseller) for o in orders] == [
        ("PO-1", Order.Source.IMPORT, world.reseller),
        (f"IMP-{batch.pk}-000002", Order.Source.IMPORT, world.reseller),
    ]
    pro, plain = Entitlement.objects.filter(site=world.site).order_by("-quantity")
    assert (pro.edition.name, pro.version.version, pro.order_line.unit_price) == (
        "Pro",
        "2024",
        Decimal("199.00"),
    )
    assert (pro.coverage_start, pro.coverage_end) == (date(2025, 3, 14), date(2026, 3, 13))
    assert plain.coverage_end == date(2027, 3, 13)  # the file's coverage end wins
    assert plain.order_line.unit_price == Decimal("1000.00")  # the list price, as an order
    kinds = set(CoveragePeriod.objects.values_list("kind", flat=True))
    assert kinds == {CoveragePeriod.Kind.IMPORT}


def test_consumables_are_imported_as_purchases_without_entitlements_l6_l2(world, catalogue):
    batch = upload(world, HEADER, "1234567,TNR-1,10,2025-04-01,,,,,")
    imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())
    assert OrderLine.objects.filter(product=catalogue["toner"]).count() == 1
    assert not Entitlement.objects.exists()


def test_imported_subscriptions_run_to_the_next_anniversary_l6_l2(world, catalogue):
    # The world's agreement has its anniversary in March: the last day of March.
    batch = upload(world, HEADER, "1234567,CLD-SUB,3,2025-05-10,,,,,")
    imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())
    entitlement = Entitlement.objects.get()
    assert entitlement.coverage_end == world.site.agreement.next_anniversary(date(2025, 5, 11))
    assert entitlement.coverage_end.month == 3


def test_rows_without_order_number_form_one_order_per_site_and_date_l6(world, catalogue):
    batch = upload(
        world,
        HEADER,
        "1234567,ATL-DB,1,2025-03-14,,,,,",
        "1234567,ATL-DB,2,2025-03-14,,,,,",
        "1234567,ATL-DB,3,2025-03-15,,,,,",
    )
    assert (batch.order_count, batch.summary["orders"]) == (2, 2)
    imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())
    assert sorted(o.lines.count() for o in Order.objects.all()) == [1, 2]


def test_column_names_ignore_case_order_and_spaces_and_extra_columns_are_ignored_l6(
    world, catalogue
):
    batch = upload(
        world,
        "Quantity,Part Number,Comment,Order-Date,SITE_NUMBER",
        "4,ATL-DB,hello,2025-01-02,1234567",
    )
    assert batch.state == ImportBatch.State.READY, batch.errors
    assert batch.summary["ignored_columns"] == ["Comment"]


# --- Snipe-IT -----------------------------------------------------------------------------------


def test_snipeit_export_imports_into_the_chosen_site_l6(world, catalogue):
    batch = upload(
        world,
        SNIPEIT_HEADER,
        "17,Atlas Database,XXXX-YYYY,10,2,2026-06-30,2025-07-01,SO-77,1500.00,,,renewed",
        '18,ATL-DB,"KEY,WITH,COMMAS",4,4,,2025-02-01 00:00:00,,"1,000.00",Ann,ann@x.test,',
        site=world.site,
    )
    assert (batch.state, batch.format) == (ImportBatch.State.READY, ImportBatch.Format.SNIPEIT)

    imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())

    by_quantity = {e.quantity: e for e in Entitlement.objects.filter(site=world.site)}
    assert set(by_quantity) == {10, 4}
    named = by_quantity[10]
    assert (named.product, named.purchased_on, named.coverage_end) == (
        catalogue["atlas"],
        date(2025, 7, 1),
        date(2026, 6, 30),
    )
    assert named.order_line.order.number == "SO-77"
    assert named.order_line.unit_price == Decimal("150.00")  # 1,500 for 10 seats
    assert by_quantity[4].order_line.unit_price == Decimal("250.00")
    assert by_quantity[4].coverage_end == date(2026, 1, 31)  # no expiration: 12 months


def test_snipeit_export_without_a_chosen_site_is_refused_l6(world, catalogue):
    with pytest.raises(ValidationError, match="Snipe-IT exports have no site number"):
        upload(world, SNIPEIT_HEADER, "17,ATL-DB,K,1,1,,2025-07-01,,,,,")
    assert not ImportBatch.objects.exists()


def test_snipeit_product_names_that_match_several_products_ask_for_the_part_number_l6(
    world, catalogue
):
    ProductFactory(part_number="ATL-DB-2", name="Atlas Database")
    batch = upload(
        world, SNIPEIT_HEADER, "1,Atlas Database,K,1,1,,2025-07-01,,,,,", site=world.site
    )
    assert batch.errors == [
        {
            "line": 2,
            "column": "Item name",
            "message": "2 products are named “Atlas Database”: use the part number instead.",
        }
    ]


# --- errors: line, column, nothing imported -------------------------------------------------------


def test_a_file_with_invalid_rows_imports_nothing_and_lists_every_line_and_column_l6(
    world, catalogue
):
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    batch = upload(
        world,
        HEADER,
        "1234567,ATL-DB,1,2025-03-14,,,,,",  # 2: valid
        "1234567,ATL-DB,-3,2025-03-14,,,,,",  # 3: negative quantity
        "1234567,ATL-DB,0,2025-03-14,,,,,",  # 4: zero
        "1234567,NOPE-1,1,2025-03-14,,,,,",  # 5: unknown part number
        "9999999,ATL-DB,1,2025-03-14,,,,,",  # 6: unknown site
        f"1234567,ATL-DB,1,{future},,,,,",  # 7: order date in the future
        "1234567,OLD-1,1,2025-03-14,,,,,",  # 8: past its end of sale
        "1234567,ATL-DB,1,14/03/2025,Gold,,,,",  # 9: a date as DD/MM/YYYY, unknown edition
        "1234567,ATL-DB,one,2025-03-14,,,2024-01-01,,-5",  # 10: three errors
        "9999999,OLD-1,-1,2025-03-14,,,,,",  # 11: unknown site, quantity, end of sale
    )
    assert batch.state == ImportBatch.State.INVALID
    assert errors_of(batch) == [
        (3, "quantity"),
        (4, "quantity"),
        (5, "part_number"),
        (6, "site_number"),
        (7, "order_date"),
        (8, "part_number"),
        (9, "order_date"),
        (9, "edition"),
        (10, "quantity"),
        (10, "coverage_end"),
        (10, "unit_price"),
        (11, "site_number"),
        (11, "quantity"),
        (11, "part_number"),
    ]
    assert batch.error_count == 14
    with pytest.raises(ValidationError, match="has errors"):
        imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())
    assert not Order.objects.exists()
    assert not Entitlement.objects.exists()


def test_the_preview_page_lists_each_error_with_line_and_column_l6(client, world, catalogue):
    batch = upload(world, HEADER, "1234567,NOPE-1,1,2025-03-14,,,,,")
    response = client_for(client, world, "reseller").get(
        reverse("licensing:import_preview", args=[batch.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown product NOPE-1." in html
    assert '<td class="text-end">2</td>' in html
    assert ">part_number</code>" in html
    assert "Import now" not in html


def test_one_order_number_used_at_two_sites_or_dates_is_an_error_l6(world, catalogue):
    second = world.site.__class__.objects.create(
        number="1111111",
        name="Alpha Branch",
        customer=world.site.customer,
        agreement=world.site.agreement,
        reseller=world.reseller,
        country="PL",
        time_zone="Europe/Warsaw",
    )
    batch = upload(
        world,
        HEADER,
        "1234567,ATL-DB,1,2025-03-14,,,,PO-9,",
        f"{second.number},ATL-DB,1,2025-03-14,,,,PO-9,",
        "1234567,ATL-DB,1,2025-03-15,,,,PO-9,",
    )
    assert errors_of(batch) == [(3, "order_number"), (4, "order_date")]


def test_an_order_number_that_already_exists_is_an_error_so_a_file_imports_once_l6(
    world, catalogue
):
    OrderFactory(number="PO-1", site=world.other_site)
    batch = upload(world, HEADER, "1234567,ATL-DB,1,2025-03-14,,,,PO-1,")
    assert batch.errors == [
        {
            "line": 2,
            "column": "order_number",
            "message": "Order number PO-1 already exists: was this file imported before?",
        }
    ]


def test_malformed_csv_rows_are_reported_with_their_line_l6(world, catalogue):
    batch = upload(
        world,
        HEADER,
        "1234567,ATL-DB,1,2025-03-14",  # 2: too few fields
        "1234567,ATL-DB,1,2025-03-14,,,,,,,",  # 3: empty extra fields are fine
        '1234567,ATL-DB,1,2025-03-14,,,,"PO-"x,',  # 4: a stray quote
    )
    assert errors_of(batch) == [(2, ""), (4, "")]
    assert "not valid CSV" in batch.errors[1]["message"]


def test_line_numbers_count_the_lines_of_quoted_values_that_span_lines_l6(world, catalogue):
    batch = upload(
        world,
        "site_number,part_number,quantity,order_date,comment",
        '1234567,ATL-DB,1,2025-03-14,"first line',
        'second line"',
        "1234567,NOPE-1,1,2025-03-14,",
    )
    assert errors_of(batch) == [(4, "part_number")]


def test_a_large_upload_kept_on_disk_by_django_is_read_l6(client, world, catalogue, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django spools bigger uploads to a temp file
    rows = [f"1234567,ATL-DB,1,2025-03-14,{'x' * 500}" for _ in range(20)]
    response = client_for(client, world, "reseller").post(
        reverse("licensing:import_upload"),
        {"file": csv_file("site_number,part_number,quantity,order_date,comment", *rows)},
    )
    assert response.status_code == 302
    assert ImportBatch.objects.get().summary["quantity"] == 20


def test_a_file_that_is_not_utf8_is_refused_with_a_message_l6(world, catalogue):
    data = (HEADER + "\n1234567,ATL-DB,1,2025-03-14,Ström,,,,\n").encode("latin-1")
    with pytest.raises(ValidationError, match="not UTF-8"):
        imports.batch_upload(
            upload=SimpleUploadedFile("x.csv", data),
            actor=world.users["reseller"],
            reseller=world.reseller,
            as_of=timezone.localdate(),
        )


def test_an_unknown_header_is_refused_with_a_message_l6(world, catalogue):
    with pytest.raises(ValidationError, match="part_number column"):
        upload(world, "a,b,c", "1,2,3")


# --- file encodings and limits ------------------------------------------------------------------


def test_a_bom_semicolons_and_windows_line_endings_are_accepted_l6(world, catalogue):
    batch = upload(
        world,
        HEADER.replace(",", ";"),
        "1234567;ATL-DB;2;2025-03-14;;;;;199,50",
        "",
        "1234567;ATL-DB;3;2025-03-14;;;;;",
        newline="\r\n",
        bom=True,
    )
    assert batch.state == ImportBatch.State.READY, batch.errors
    assert (batch.row_count, batch.summary["quantity"]) == (2, 5)
    imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())
    assert OrderLine.objects.filter(unit_price=Decimal("199.50")).count() == 1


def test_a_file_over_50_mb_is_refused_with_a_message_l6(client, world, catalogue):
    assert imports.MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    padding = b"x" * (imports.MAX_UPLOAD_BYTES + 1 - len(HEADER) - 1)
    big = SimpleUploadedFile("big.csv", HEADER.encode() + b"\n" + padding, "text/csv")
    response = client_for(client, world, "reseller").post(
        reverse("licensing:import_upload"), {"file": big, "file_format": "", "site": ""}
    )
    assert response.status_code == 200
    assert "the limit is 50 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_row_limit_is_refused_with_a_message_l6(world, catalogue, monkeypatch):
    assert imports.MAX_ROWS == 200_000
    monkeypatch.setattr(batches, "MAX_ROWS", 3)
    rows = ["1234567,ATL-DB,1,2025-03-14,,,,,"] * 4
    with pytest.raises(ValidationError, match="more than 3 rows"):
        upload(world, HEADER, *rows)
    assert upload(world, HEADER, *rows[:3]).state == ImportBatch.State.READY


# --- tenant scope (A4) --------------------------------------------------------------------------


def test_a_reseller_cannot_import_into_another_resellers_site_l6_a4(world, catalogue):
    other = upload(world, HEADER, "7654321,ATL-DB,1,2025-03-14,,,,,")
    missing = upload(world, HEADER, "7000000,ATL-DB,1,2025-03-14,,,,,")
    assert other.errors[0]["message"] == "Unknown site 7654321."
    assert missing.errors[0]["message"] == "Unknown site 7000000."  # the same answer: no leak
    assert not Entitlement.objects.exists()


def test_a_confirmation_stays_within_the_uploaders_sites_even_when_staff_confirm_l6_a4(
    world, catalogue
):
    """The scope is the uploading user's (Site.objects.for_user): a site the reseller no
    longer manages is unknown at confirmation, whoever confirms."""
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    assert batch.state == ImportBatch.State.READY
    world.site.reseller = world.other_reseller
    world.site.save()

    assert not imports.batch_confirm(batch=batch, actor=world.users["staff"], now=timezone.now())

    batch.refresh_from_db()
    assert (batch.state, errors_of(batch)) == (ImportBatch.State.INVALID, [(2, "site_number")])
    assert not Entitlement.objects.exists()


def test_a_reseller_cannot_choose_another_resellers_site_on_the_form_l6_a4(
    client, world, catalogue
):
    response = client_for(client, world, "reseller").post(
        reverse("licensing:import_upload"),
        {"file": csv_file(SNIPEIT_HEADER, "1,ATL-DB,K,1,1,,2025-07-01,,,,,"), "site": "7654321"},
    )
    assert response.status_code == 200
    assert "Unknown site." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_another_resellers_import_answers_404_for_every_method_l6_a4(client, world, catalogue):
    batch = upload(world, HEADER, "1234567,ATL-DB,1,2025-03-14,,,,,")
    client_for(client, world, "other_reseller")
    preview = reverse("licensing:import_preview", args=[batch.pk])
    confirm = reverse("licensing:import_confirm", args=[batch.pk])
    assert [client.get(preview).status_code, client.post(preview).status_code] == [404, 404]
    assert [client.get(confirm).status_code, client.post(confirm).status_code] == [404, 404]
    assert not Entitlement.objects.exists()


@pytest.mark.parametrize("role", ["primary", "caller", "other_customer", "staff"])
def test_only_reseller_users_use_the_portal_import_pages_l6(client, world, role):
    response = client_for(client, world, role).get(reverse("licensing:import_upload"))
    assert response.status_code == 403


def test_the_reseller_navigation_links_to_the_import_page_l6(client, world):
    response = client_for(client, world, "reseller").get(reverse("licensing:import_upload"))
    assert response.status_code == 200
    assert f'href="{reverse("licensing:import_upload")}"' in response.content.decode()
    assert "site_number" in response.content.decode()  # the documented columns


# --- preview, then confirm, once --------------------------------------------------------------


def test_preview_then_confirm_imports_the_file_l6(client, world, catalogue):
    client_for(client, world, "reseller")
    response = client.post(
        reverse("licensing:import_upload"),
        {
            "file": csv_file(HEADER, "1234567,ATL-DB,5,2025-03-14,,,,PO-1,"),
            "file_format": "",
            "site": "",
        },
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("licensing:import_preview", args=[batch.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "What the import will create" in preview
    assert "PO-1" in preview
    assert not Entitlement.objects.exists()  # the preview writes nothing

    confirmed = client.post(reverse("licensing:import_confirm", args=[batch.pk]), follow=True)

    assert "The file was imported: 1 order and 1 entitlement." in confirmed.content.decode()
    assert Entitlement.objects.get().quantity == 5
    batch.refresh_from_db()
    assert (batch.state, batch.imported_by) == (ImportBatch.State.IMPORTED, world.users["reseller"])


def test_a_second_confirm_of_the_same_file_does_not_import_twice_l6(client, world, catalogue):
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    client_for(client, world, "reseller")
    url = reverse("licensing:import_confirm", args=[batch.pk])
    client.post(url)

    second = client.post(url, follow=True)

    assert "This file was already imported." in second.content.decode()
    assert Entitlement.objects.count() == 1
    assert Order.objects.count() == 1


def test_confirm_checks_the_file_again_and_imports_nothing_when_a_row_became_invalid_l6(
    world, catalogue
):
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    Product.objects.filter(pk=catalogue["atlas"].pk).update(end_of_sale=date(2025, 1, 1))

    assert not imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())

    batch.refresh_from_db()
    assert (batch.state, errors_of(batch)) == (ImportBatch.State.INVALID, [(2, "part_number")])
    assert not Entitlement.objects.exists()


def test_a_batch_whose_file_is_gone_is_refused_on_confirm_not_an_error_page_l6(world, catalogue):
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    batch.file.storage.delete(batch.file.name)
    with pytest.raises(ValidationError, match="no longer stored"):
        imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())
    assert not Entitlement.objects.exists()


def test_the_preview_page_query_count_does_not_grow_with_rows_l6(
    client, world, catalogue, django_assert_max_num_queries
):
    client_for(client, world, "reseller")
    for size in (5, 400):
        batch = upload(
            world,
            HEADER,
            *[f"1234567,ATL-DB,1,2025-03-{1 + n % 28:02d},,,,PO-{size}-{n}," for n in range(size)],
        )
        url = reverse("licensing:import_preview", args=[batch.pk])
        assert client.get(url).status_code == 200
        with django_assert_max_num_queries(6):  # session, user, batch, session save
            response = client.get(url)
        assert response.status_code == 200
        assert batch.summary["orders"] == size


def test_the_import_page_query_count_does_not_grow_with_earlier_uploads_l6(
    client, world, catalogue, django_assert_max_num_queries
):
    client_for(client, world, "reseller")
    url = reverse("licensing:import_upload")
    for size in (1, 30):
        while ImportBatch.objects.count() < size:
            upload(world, HEADER, "1234567,ATL-DB,1,2025-03-14,,,,,")
        assert client.get(url).status_code == 200
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.content.decode().count("entitlements.csv</a>") == min(size, 25)


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))


def test_staff_import_from_the_entitlement_changelist_in_the_admin_l6(
    client, world, catalogue, superuser
):
    client.force_login(superuser)
    changelist = client.get(reverse("admin:licensing_entitlement_changelist"))
    upload_url = reverse("admin:licensing_entitlement_import")
    assert upload_url in changelist.content.decode()

    response = client.post(
        upload_url,
        {"file": csv_file(HEADER, "7654321,ATL-DB,2,2025-03-14,,,,,"), "site": ""},
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse(
        "admin:licensing_entitlement_import_preview", args=[batch.pk]
    )
    assert client.get(response["Location"]).status_code == 200
    client.post(reverse("admin:licensing_entitlement_import_confirm", args=[batch.pk]))

    entitlement = Entitlement.objects.get()
    assert entitlement.site == world.other_site  # staff import into any site
    assert entitlement.order_line.order.reseller is None


def test_staff_without_the_entitlement_permission_cannot_import_in_the_admin_l6(client, world):
    client_for(client, world, "staff")
    assert client.get(reverse("admin:licensing_entitlement_import")).status_code == 403


# --- the management command ---------------------------------------------------------------------


def write_csv(tmp_path, *lines: str):
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_command_dry_run_imports_nothing_and_the_real_run_imports_l6(
    tmp_path, world, catalogue
):
    path = write_csv(
        tmp_path, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,", "7654321,ATL-DB,1,2025-03-14,,,,,"
    )
    out = io.StringIO()

    call_command("import_entitlements", str(path), "--dry-run", stdout=out)

    assert "Dry run: nothing was imported" in out.getvalue()
    assert "2 rows, 2 orders" in out.getvalue()
    assert not Entitlement.objects.exists()

    call_command("import_entitlements", str(path), stdout=out)

    assert Entitlement.objects.count() == 2
    assert ImportBatch.objects.get().state == ImportBatch.State.IMPORTED


def test_the_command_reads_snipeit_exports_into_the_given_site_l6(tmp_path, world, catalogue):
    path = write_csv(tmp_path, SNIPEIT_HEADER, "1,ATL-DB,K,3,3,,2025-07-01,,,,,")
    call_command(
        "import_entitlements",
        str(path),
        "--site",
        "7654321",
        "--format",
        "snipeit",
        stdout=io.StringIO(),
    )
    assert Entitlement.objects.get().site == world.other_site


def test_the_command_stops_on_errors_and_imports_nothing_l6(tmp_path, world, catalogue):
    path = write_csv(
        tmp_path, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,", "1234567,ATL-DB,0,2025-03-14,,,,,"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_entitlements", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3, quantity: The quantity must be at least 1." in err.getvalue()
    assert not Order.objects.exists()


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("199", "199"),
        ("199.50", "199.50"),
        ("199,50", "199.50"),
        ("1,299.00", "1299.00"),
        ("1.299,00", "1299.00"),
        ("€ 1 299,00", "1299.00"),
        ("USD 12.5", "12.5"),
    ],
)
def test_amounts_are_read_with_either_decimal_mark_l6(text, amount):
    assert imports.parse_amount(text) == Decimal(amount)


def test_a_large_confirmed_file_is_imported_by_the_worker_while_the_page_polls(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """L6: files above the worker threshold are queued; the preview shows progress, the task
    imports them, and a second confirm while queued is refused."""
    monkeypatch.setattr(batches, "IMPORT_IN_WORKER_ABOVE_ROWS", 1)
    ProductFactory(part_number="QUEUE-1")
    client_for(client, world, "reseller")
    body = (
        "site_number,part_number,quantity,order_date\n"
        f"{world.site.number},QUEUE-1,2,2026-01-05\n"
        f"{world.site.number},QUEUE-1,3,2026-01-06\n"
    )
    upload = SimpleUploadedFile("big.csv", body.encode(), content_type="text/csv")
    response = client.post(
        reverse("licensing:import_upload"), {"file": upload, "file_format": "native"}
    )
    batch = ImportBatch.objects.get(original_name="big.csv")
    assert batch.state == ImportBatch.State.READY, response.content.decode()[:500]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("licensing:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.QUEUED
    page = client.get(reverse("licensing:import_preview", args=[batch.pk])).content.decode()
    assert "data-poll-seconds" in page
    assert "Importing 2 rows" in page
    assert Entitlement.objects.filter(product__part_number="QUEUE-1").count() == 0

    for callback in callbacks:
        callback()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.IMPORTED
    assert Entitlement.objects.filter(product__part_number="QUEUE-1").count() == 2


# --- review #7 item 4: wide headers, oversized fields, header-only files, plurals (L6) ----------


class CountingKey(str):
    """A header key that counts how often it is compared or hashed, to tell a linear header
    check (a set or a Counter: one hash per column) from a quadratic one (list.count per
    column: n comparisons per column)."""

    operations = 0

    def __eq__(self, other):
        CountingKey.operations += 1
        return str.__eq__(self, other)

    def __hash__(self):
        CountingKey.operations += 1
        return str.__hash__(self)


@pytest.fixture
def counted_keys(monkeypatch):

    original = reader.header_key
    calls = []

    def counting(name: str) -> str:
        calls.append(name)
        return CountingKey(original(name))

    monkeypatch.setattr(reader, "header_key", counting)
    CountingKey.operations = 0
    return calls


def test_the_duplicate_column_check_is_linear_in_the_number_of_columns_l6(
    world, catalogue, counted_keys
):
    """Review #7 item 4: the duplicate-column check counted each name with list.count, n
    comparisons per column (60,000 columns took 66 s)."""
    width = imports.MAX_COLUMNS
    extra = [f"extra_{n}" for n in range(width - 5)]
    header = ",".join(["site_number", "part_number", "quantity", "order_date", *extra])
    with pytest.raises(ValidationError, match="names a column twice: extra_7"):
        upload(world, header + ",Extra-7", "1234567,ATL-DB,1,2025-03-14")
    assert len(counted_keys) == width
    assert CountingKey.operations < 10 * width  # quadratic: about width² / 2

    CountingKey.operations = 0
    counted_keys.clear()
    row = "1234567,ATL-DB,1,2025-03-14" + "," * (width - 4)
    batch = upload(world, header + ",last", row)
    assert batch.state == ImportBatch.State.READY, batch.errors
    assert len(batch.summary["ignored_columns"]) == width - 4
    assert CountingKey.operations < 10 * width


def test_a_header_with_too_many_columns_is_refused_with_a_message_before_it_is_checked_l6(
    client, world, catalogue, counted_keys
):
    """Review #7 item 4: a 0.4 MB header-only file of 60,000 columns is refused at once, the
    columns counted before any name is looked at."""
    header = ",".join(f"c{n}" for n in range(60_000))
    response = client_for(client, world, "reseller").post(
        reverse("licensing:import_upload"), {"file": csv_file(header), "file_format": ""}
    )
    assert response.status_code == 200
    assert (
        f"The file has 60,000 columns; at most {imports.MAX_COLUMNS:,} are read."
        in response.content.decode()
    )
    assert counted_keys == []  # refused before a single name was normalised
    assert not ImportBatch.objects.exists()


def test_confirming_reads_the_header_once_more_not_twice_l6(world, catalogue, counted_keys):
    """Review #7 item 4: confirming checks the file again (the catalogue may have changed)
    but writes it with the header that check read, not a third reading."""
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    assert len(counted_keys) == len(HEADER.split(","))
    counted_keys.clear()

    assert imports.batch_confirm(batch=batch, actor=world.users["reseller"], now=timezone.now())

    assert len(counted_keys) == len(HEADER.split(","))
    assert Entitlement.objects.get().quantity == 5


LONG = "x" * 131_073  # one more than the csv module's field size limit


def test_a_header_field_over_the_csv_field_limit_is_refused_with_a_line_error_l6(
    client, world, catalogue, superuser, tmp_path
):
    """Review #7 item 4: a header field over 131,072 characters raised csv.Error (a 500) on
    upload, in the admin and in the command."""
    message = "The header row (line 1) is not valid CSV: a value is longer than 131,072 characters."
    header = f'{HEADER},"{LONG}"'
    with pytest.raises(ValidationError) as refused:
        upload(world, header, "1234567,ATL-DB,1,2025-03-14,,,,,,")
    assert refused.value.messages == [message]

    portal = client_for(client, world, "reseller").post(
        reverse("licensing:import_upload"), {"file": csv_file(header, "1234567,ATL-DB,1")}
    )
    assert (portal.status_code, message in portal.content.decode()) == (200, True)

    client.force_login(superuser)
    admin = client.post(
        reverse("admin:licensing_entitlement_import"), {"file": csv_file(header), "site": ""}
    )
    assert (admin.status_code, message in admin.content.decode()) == (200, True)
    assert not ImportBatch.objects.exists()

    with pytest.raises(CommandError, match=r"line 1\) is not valid CSV: a value is longer"):
        call_command("import_entitlements", str(write_csv(tmp_path, header)), stdout=io.StringIO())


def test_a_row_field_over_the_csv_field_limit_is_a_line_error_l6(world, catalogue):
    batch = upload(
        world,
        HEADER + ",comment",
        "1234567,ATL-DB,1,2025-03-14,,,,,,",
        f'1234567,ATL-DB,1,2025-03-14,,,,,,"{LONG}"',
    )
    assert errors_of(batch) == [(3, "")]
    assert batch.errors[0]["message"] == (
        "This is not valid CSV (a value is longer than 131,072 characters); nothing after it "
        "was read."
    )


def test_confirming_a_stored_file_that_is_now_refused_says_so_and_imports_nothing_l6(
    client, world, catalogue
):
    """Review #7 item 4: a file refused as a whole on confirm (here the stored file's header
    now has an oversized field) is an error on the preview, not a 500, and never "imported"."""
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    storage, name = batch.file.storage, batch.file.name
    storage.delete(name)
    storage.save(name, io.BytesIO(f'{HEADER},"{LONG}"\n1234567,ATL-DB,5\n'.encode()))
    client_for(client, world, "reseller")

    confirmed = client.post(reverse("licensing:import_confirm", args=[batch.pk]), follow=True)

    page = confirmed.content.decode()
    assert confirmed.status_code == 200
    assert "The file was imported" not in page
    assert "a value is longer than 131,072 characters" in page
    batch.refresh_from_db()
    assert (batch.state, errors_of(batch)) == (ImportBatch.State.INVALID, [(1, "")])
    assert not Order.objects.exists()


@pytest.mark.parametrize("lines", [(HEADER,), (HEADER, "", " , ,", "")])
def test_a_file_with_a_header_but_no_rows_is_refused_l6(client, world, catalogue, tmp_path, lines):
    """Review #7 item 4: a header-only file was accepted, and confirming said "The file was
    imported." with nothing imported."""
    with pytest.raises(ValidationError, match="The file has a header but no rows"):
        upload(world, *lines)
    response = client_for(client, world, "reseller").post(
        reverse("licensing:import_upload"), {"file": csv_file(*lines)}
    )
    assert "The file has a header but no rows" in response.content.decode()
    assert not ImportBatch.objects.exists()
    with pytest.raises(CommandError, match="The file has a header but no rows"):
        call_command("import_entitlements", str(write_csv(tmp_path, *lines)), stdout=io.StringIO())
    assert not ImportBatch.objects.exists()


def test_confirming_an_earlier_header_only_upload_never_says_imported_l6(client, world, catalogue):
    """A header-only batch kept as "ready" before files without rows were refused."""
    batch = upload(world, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    storage, name = batch.file.storage, batch.file.name
    storage.delete(name)
    storage.save(name, io.BytesIO((HEADER + "\n").encode()))
    client_for(client, world, "reseller")

    confirmed = client.post(reverse("licensing:import_confirm", args=[batch.pk]), follow=True)

    page = confirmed.content.decode()
    assert "The file was imported" not in page
    assert "Nothing was imported" in page
    assert "The file has a header but no rows" in page
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.INVALID
    assert not Order.objects.exists()


def test_the_import_pages_use_plural_forms_for_every_count_l6(client, world, catalogue):
    """Review #7 item 4: "1 rows: 1 orders" on the summary."""
    batch = upload(world, HEADER, "1234567,ATL-DB,1,2025-03-14,,,,,")
    client_for(client, world, "reseller")
    preview = client.get(reverse("licensing:import_preview", args=[batch.pk])).content.decode()
    assert "1 row: 1 order, 1 entitlement, 1 licence or unit in all." in " ".join(preview.split())

    confirmed = client.post(reverse("licensing:import_confirm", args=[batch.pk]), follow=True)
    page = " ".join(confirmed.content.decode().split())
    assert "The file was imported: 1 order and 1 entitlement." in page
    assert ": 1 order and 1 entitlement." in page.split("Imported ", 1)[1]

    two = upload(
        world, HEADER, "1234567,ATL-DB,1,2025-03-14,,,,,", "1234567,ATL-DB,2,2025-03-15,,,,,"
    )
    preview = client.get(reverse("licensing:import_preview", args=[two.pk])).content.decode()
    assert "2 rows: 2 orders, 2 entitlements, 3 licences or units in all." in " ".join(
        preview.split()
    )


def test_a_row_with_too_few_fields_counts_them_in_plural_forms_l6(world, catalogue):
    batch = upload(world, "site_number,part_number,quantity,order_date", "1234567")
    assert batch.errors[0]["message"] == "This row has 1 field; the header has 4 columns."


def test_import_quantities_are_bounded_by_the_one_line_quantity_constant_l6_l2(world, catalogue):
    """Review #7 item 5 (the import half): at most 1,000,000 per row, read from one constant."""
    assert imports.MAX_LINE_QUANTITY == 1_000_000
    too_many = upload(
        world, HEADER, f"1234567,ATL-DB,{imports.MAX_LINE_QUANTITY + 1},2025-03-14,,,,,"
    )
    assert too_many.errors[0]["message"] == "At most 1,000,000 per row."
    most = upload(world, HEADER, f"1234567,ATL-DB,{imports.MAX_LINE_QUANTITY},2025-03-14,,,,,")
    assert most.state == ImportBatch.State.READY, most.errors


def test_the_command_counts_in_plural_forms_l6(tmp_path, world, catalogue):
    out = io.StringIO()
    path = write_csv(tmp_path, HEADER, "1234567,ATL-DB,5,2025-03-14,,,,,")
    call_command("import_entitlements", str(path), "--dry-run", stdout=out)
    assert "1 row, 1 order, 1 line, 1 entitlement, quantity 5." in out.getvalue()
    assert "1234567 Alpha HQ: 1 order, 1 line, quantity 5" in out.getvalue()
