"""Review #7 item 20: the Django admin names requests by site numbers, lists them in a fixed
number of queries, keeps "release notified" for the release service (L10), and keeps transfers
(L7), moves (L8) and the e-mail log (E1) as records: nobody deletes them, one by one or in bulk
(A7: what happened stays on record)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.models import LicenceMove, SiteTransfer, Version
from portal.core.mail import email_queue
from portal.core.models import OutgoingEmail
from tests.accounts.factories import SiteFactory, UserFactory, with_totp
from tests.licensing.factories import (
    ActivationFactory,
    EntitlementFactory,
    ProductFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def annex_of(world, number="1234568"):
    return SiteFactory(number=number, agreement=world.site.agreement, reseller=world.reseller)


def transfer(world, target, quantity: int = 1) -> SiteTransfer:
    held = EntitlementFactory(site=world.site, quantity=quantity + 1)
    return services.transfer_request(
        source_site=world.site,
        target_site=target,
        quantities={held: quantity},
        actor=world.users["primary"],
    )


def move(world, machine: str = "NEW-PC") -> LicenceMove:
    today = timezone.localdate()
    entitlement = EntitlementFactory(
        site=world.site,
        product=ProductFactory(),
        quantity=1,
        purchased_on=today - timedelta(days=100),
    )
    activation = ActivationFactory(entitlement=entitlement, machine_id=f"OLD-{machine}")
    return services.move_request(
        entitlement=entitlement,
        old_activation=activation,
        new_machine_id=machine,
        lost_or_stolen=False,
        reason="",
        purchase="",
        actor=world.users["primary"],
        as_of=today,
    )


# --- names -------------------------------------------------------------------------------------


def test_a_transfer_is_named_by_its_site_numbers_not_record_ids(world):
    found = transfer(world, annex_of(world))

    assert str(found) == "1234567 → 1234568 (Awaiting approval)"


def test_a_move_is_named_by_its_site_number_and_poe_number(world):
    found = move(world)

    assert str(found) == (
        f"1234567 {found.entitlement.poe_number}: OLD-NEW-PC → NEW-PC (Awaiting confirmation)"
    )


def test_the_transfer_change_page_is_titled_by_site_numbers(admin_client, world):
    found = transfer(world, annex_of(world))

    page = admin_client.get(reverse("admin:licensing_sitetransfer_change", args=[found.pk]))

    assert "1234567 → 1234568" in page.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_the_transfer_changelist_takes_the_same_queries_for_2_or_20(
    admin_client, world, n, django_assert_max_num_queries
):
    for index in range(n):
        transfer(world, annex_of(world, number=f"{2000000 + index}"))
    url = reverse("admin:licensing_sitetransfer_changelist")
    admin_client.get(url)

    with django_assert_max_num_queries(12):
        page = admin_client.get(url)

    assert page.content.decode().count('<th class="field-__str__"><a href') == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_move_changelist_takes_the_same_queries_for_2_or_20(
    admin_client, world, n, django_assert_max_num_queries
):
    for index in range(n):
        move(world, machine=f"PC-{index}")
    url = reverse("admin:licensing_licencemove_changelist")
    admin_client.get(url)

    with django_assert_max_num_queries(12):
        page = admin_client.get(url)

    assert page.content.decode().count('<th class="field-__str__"><a href') == n


# --- release notified (L10) ---------------------------------------------------------------


def test_release_notified_is_read_only_on_a_new_version(admin_client):
    page = admin_client.get(reverse("admin:licensing_version_add")).content.decode()

    assert 'name="notified_at' not in page


def test_saving_a_version_cannot_set_release_notified(admin_client):
    product = ProductFactory()
    today = timezone.localdate()

    admin_client.post(
        reverse("admin:licensing_version_add"),
        {
            "product": product.pk,
            "version": "2.0",
            "release_date": today.isoformat(),
            "eos_date": (today + timedelta(days=900)).isoformat(),
            "upgrade_price": "100.00",
            "notified_at_0": today.isoformat(),
            "notified_at_1": "10:00:00",
        },
    )

    assert Version.objects.get(version="2.0").notified_at is None


def test_release_notified_is_read_only_on_an_existing_version(admin_client):
    version = VersionFactory(upgrade_price=Decimal(10))

    page = admin_client.get(reverse("admin:licensing_version_change", args=[version.pk]))

    assert 'name="notified_at' not in page.content.decode()


# --- records are not deleted ---------------------------------------------------------------


def e_mail() -> OutgoingEmail:
    email_queue(key="records:1", to=["someone@alpha.test"], template="welcome", context={})
    return OutgoingEmail.objects.get(key="records:1")


RECORDS = {
    "sitetransfer": lambda world: transfer(world, annex_of(world)),
    "licencemove": move,
}


@pytest.mark.parametrize("model", list(RECORDS))
def test_a_request_record_cannot_be_deleted_in_the_admin(admin_client, world, model):
    found = RECORDS[model](world)
    url = reverse(f"admin:licensing_{model}_delete", args=[found.pk])

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert type(found).objects.filter(pk=found.pk).exists()


@pytest.mark.parametrize("model", list(RECORDS))
def test_request_records_have_no_bulk_delete_action(admin_client, world, model):
    found = RECORDS[model](world)
    changelist = reverse(f"admin:licensing_{model}_changelist")

    page = admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [found.pk], "post": "yes"}
    )

    assert "delete_selected" not in page
    assert response.status_code in (200, 302)
    assert type(found).objects.filter(pk=found.pk).exists()


def test_the_e_mail_log_cannot_be_deleted_in_the_admin(admin_client, db):
    email = e_mail()
    url = reverse("admin:portal_outgoingemail_delete", args=[email.pk])
    changelist = reverse("admin:portal_outgoingemail_changelist")

    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in admin_client.get(changelist).content.decode()
    assert OutgoingEmail.objects.filter(pk=email.pk).exists()
