"""A4/L5: the inventory's reseller scope is written as a join for speed
(licensing.selectors.inventory_for_user); it must stay exactly sites_for_user's scope."""

from __future__ import annotations

import pytest
from django.utils import timezone

from licensing.selectors import entitlements_for_user, inventory_for_user
from tests.accounts.factories import SiteFactory
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(world):
    """Entitlements on a managed site, a direct site, and the other reseller's site."""
    direct = SiteFactory(number="5555555")
    for site in (world.site, world.other_site, direct):
        EntitlementFactory(site=site)
        EntitlementFactory(site=site, quantity=0)  # transferred away: never listed
    return world


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "role", ["primary", "caller", "reseller", "other_reseller", "other_customer", "staff"]
)
def test_the_inventory_lists_exactly_the_entitlements_the_user_may_see(spread, role):
    user = spread.users[role]
    expected = ids(entitlements_for_user(user).filter(quantity__gt=0))
    assert ids(inventory_for_user(user=user, as_of=timezone.localdate())) == expected
    assert expected


def test_an_inactive_reseller_user_sees_nothing(spread):
    user = spread.users["reseller"]
    user.is_active = False
    user.save()
    assert not inventory_for_user(user=user, as_of=timezone.localdate()).exists()


def test_a_reseller_user_with_the_staff_flag_sees_everything_as_staff(spread):
    user = spread.users["reseller"]
    user.is_staff = True
    user.save()
    expected = ids(entitlements_for_user(user).filter(quantity__gt=0))
    assert ids(inventory_for_user(user=user, as_of=timezone.localdate())) == expected
    assert len(expected) == 3


def test_the_site_filter_lists_escaped_options_and_keeps_the_choice(client, spread):
    spread.site.name = "<b>Alpha</b> & Co"
    spread.site.save()
    client_for(client, spread, "reseller")
    content = client.get("/inventory/", {"site": spread.site.number}).content.decode()
    assert (
        f'<option value="{spread.site.number}" selected>'
        f"{spread.site.number} &lt;b&gt;Alpha&lt;/b&gt; &amp; Co</option>"
    ) in content
    assert '<select name="site" class="manyoptionsselect form-select" id="id_site">' in content
    assert spread.other_site.number not in content  # another reseller's site is no option
