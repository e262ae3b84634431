"""Browser test of the import pages (L6; review #7 item 22): a reseller uploads a small valid
file at a phone's width and at a laptop's and sees the preview. Every page loaded is audited
(tests/e2e/audit.py): nothing wider than the viewport (tables scroll inside their card, long
column lists wrap) and no serious axe finding (the `code` colour contrast on /imports/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from licensing.models import Entitlement, ImportBatch
from tests.accounts.factories import OrganisationFactory, SiteFactory, UserFactory, with_totp
from tests.e2e.helpers import field, sign_in
from tests.licensing.factories import ProductFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def reseller_estate(transactional_db):
    reseller = OrganisationFactory(name="Delta Partners", kind="reseller")
    SiteFactory(number="3141592", name="Orbit Logistics Gdynia Headquarters", reseller=reseller)
    ProductFactory(part_number="ATL-DB-100", name="Atlas Database Server")
    with_totp(UserFactory(email="dora@delta.test", reseller=reseller))
    return reseller


@pytest.mark.parametrize("width", [390, 1366])
def test_a_reseller_uploads_a_file_and_sees_the_preview_at_phone_and_laptop_widths_l6(
    new_context, reseller_estate, tmp_path, width
):
    page = new_context(width=width).new_page()
    path = tmp_path / "licences.csv"
    path.write_text(
        "site_number,part_number,quantity,order_date,order_number,a_column_not_imported\n"
        "3141592,ATL-DB-100,5,2026-01-15,PO-2026-0001-ORBIT-GDYNIA,note\n",
        encoding="utf-8",
    )
    sign_in(page, "dora@delta.test", totp=True)
    page.goto("/imports/")
    expect(page.get_by_role("heading", name="Import entitlements")).to_be_visible()

    field(page, "CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("Every row is valid")).to_be_visible()
    expect(
        page.get_by_text("1 row: 1 order, 1 entitlement, 5 licences or units in all.")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="PO-2026-0001-ORBIT-GDYNIA")).to_be_visible()
    assert ImportBatch.objects.get().state == ImportBatch.State.READY
    assert not Entitlement.objects.exists()

    page.goto("/imports/")  # now with the earlier upload listed
    expect(page.get_by_role("link", name="licences.csv")).to_be_visible()
