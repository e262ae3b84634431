"""N9: three-year commitments. A VIP Select customer is invited once; accepting (at least 10
and at least the current qualifying count) moves level 2/3/4 to 12/13/14 and fixes prices for
the term, products added during it included; quotes use the fixed prices and warn when they
renew less than the commitment; reminders before each checked anniversary, once; after an
anniversary with the committed quantity not renewed, the licences bought at 3YC prices are
returned, level 1, both parties e-mailed; at the end of the term, completed. The seed's
examples A (120 → 150 in year 2 → renew 120 in year 3: kept) and B (100 + 20 → commit 120)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from licensing.models import Entitlement, EntitlementEvent, OrderLine, Product
from portal.core.models import OutgoingEmail
from renewals.models import AgreementLevel, Commitment, CommitmentPrice, LevelChange
from renewals.services import (
    commitment_accept,
    commitment_invitations_send,
    commitment_reminders_send,
    commitments_enforce,
)
from tests.accounts.factories import ResellerFactory, UserFactory
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.renewals.factories import renewal_quote_for
from tests.renewals.level_factories import (
    agreement_site,
    buy,
    invited,
    level_set,
    renew_to,
    subscription,
)

pytestmark = pytest.mark.django_db

A1, A2, A3 = date(2026, 5, 31), date(2027, 5, 31), date(2028, 5, 31)


@pytest.fixture
def reseller():
    reseller = ResellerFactory(name="Partner One")
    UserFactory(email="am@partner.test", reseller=reseller)
    return reseller


@pytest.fixture
def site(reseller):
    return agreement_site(programme="VIP", month=5, reseller=reseller)


@pytest.fixture
def product():
    return subscription()


@pytest.fixture
def customer(site):
    return site.contacts.get(is_primary=True).user


def _code(site) -> str:
    return AgreementLevel.objects.get(agreement=site.agreement).level.code


def _accept(site, customer, quantity, on):
    commitment = Commitment.objects.get(agreement=site.agreement, state="invited")
    return commitment_accept(
        commitment_id=commitment.pk, quantity=quantity, actor=customer, as_of=on
    )


def _emails(prefix: str) -> list[str]:
    return sorted(OutgoingEmail.objects.filter(key__startswith=prefix).values_list("to", flat=True))


# --- invitations ---------------------------------------------------------------------------


def test_a_customer_reaching_vip_select_is_invited_once_by_email(site, product):
    buy(site, product, 12, date(2025, 6, 10))  # N8: raised to level 2 at once
    first = commitment_invitations_send(as_of=date(2025, 6, 11))
    again = commitment_invitations_send(as_of=date(2025, 6, 12))
    commitment = Commitment.objects.get(agreement=site.agreement)
    assert (commitment.state, commitment.invited_on) == ("invited", date(2025, 6, 11))
    assert first.counts == {"invitations": 1, "emails": 3}
    assert again.counts == {}
    assert _emails("commitment-invitation:") == sorted(
        [
            "am@partner.test",
            f"primary-{site.number}@customer.test",
            f"renewals-{site.number}@customer.test",
        ]
    )


def test_a_customer_below_vip_select_is_not_invited(site, product):
    buy(site, product, 9, date(2025, 6, 10))
    assert commitment_invitations_send(as_of=date(2025, 6, 11)).counts == {}


# --- acceptance --------------------------------------------------------------------------


def test_accepting_moves_the_level_to_its_3yc_level_and_fixes_the_term(site, product, customer):
    buy(site, product, 60, date(2025, 6, 10))  # level 3
    invited(site, date(2025, 6, 11))
    commitment = _accept(site, customer, 60, date(2025, 6, 15))
    assert _code(site) == "13"
    assert (commitment.state, commitment.quantity, commitment.ends_on) == ("active", 60, A3)
    assert commitment.level_before == "3"
    change = LevelChange.objects.get(key=f"commitment:{commitment.pk}")
    assert (change.old_code, change.new_code, change.reason) == ("3", "13", "commitment")


def test_a_commitment_below_ten_is_refused_with_a_clear_message(site, product, customer):
    level_set(site, "2", since=date(2025, 6, 1), vip_select=True)
    invited(site, date(2025, 6, 11))
    with pytest.raises(ValidationError) as refused:
        _accept(site, customer, 9, date(2025, 6, 15))
    assert refused.value.message_dict["quantity"] == ["Commit to at least 10 licences."]
    assert Commitment.objects.get(agreement=site.agreement).state == "invited"


def test_seed_example_b_commits_to_everything_held_after_adding_licences(site, product, customer):
    """Seed 004, example B: 100 licences, then 20 more, then a commitment to 120 — not
    fewer than the current count."""
    buy(site, product, 100, date(2025, 6, 10))
    buy(site, product, 20, date(2025, 9, 1))
    invited(site, date(2025, 9, 2))
    with pytest.raises(ValidationError) as refused:
        _accept(site, customer, 110, date(2025, 9, 10))
    assert refused.value.message_dict["quantity"] == [
        "You hold 120 qualifying licences now: commit to at least 120."
    ]
    commitment = _accept(site, customer, 120, date(2025, 9, 10))
    assert (commitment.quantity, _code(site)) == (120, "14")


def test_a_commitment_is_accepted_once(site, product, customer):
    buy(site, product, 12, date(2025, 6, 10))
    commitment = invited(site, date(2025, 6, 11))
    commitment_accept(commitment_id=commitment.pk, quantity=12, actor=customer, as_of=A1)
    with pytest.raises(ValidationError, match="already accepted"):
        commitment_accept(commitment_id=commitment.pk, quantity=15, actor=customer, as_of=A1)
    assert Commitment.objects.get(pk=commitment.pk).quantity == 12


def test_the_catalogues_prices_are_fixed_for_the_term_new_products_included(
    site, product, customer
):
    buy(site, product, 12, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    commitment = _accept(site, customer, 12, date(2025, 6, 15))
    assert CommitmentPrice.objects.get(commitment=commitment, product=product).list_price == (
        Decimal("1200.00")
    )
    Product.objects.filter(pk=product.pk).update(list_price=Decimal("2400.00"))
    later = subscription(list_price=Decimal("600.00"))  # added to the catalogue in the term
    Product.objects.filter(pk=later.pk).update(list_price=Decimal("900.00"))
    order = buy(site, product, 1, date(2025, 9, 1))
    # The fixed 1,200 a year, 9 started months to 31 May, at level 12 (10 % off).
    assert OrderLine.objects.get(order=order).unit_price == Decimal("810.00")
    newer = buy(site, later, 1, date(2025, 9, 1))
    assert OrderLine.objects.get(order=newer).unit_price == Decimal("405.00")


def test_renewal_quotes_use_the_fixed_prices_and_warn_below_the_commitment(site, product, customer):
    buy(site, product, 12, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    _accept(site, customer, 12, date(2025, 6, 15))
    Product.objects.filter(pk=product.pk).update(annual_ss_price=Decimal("2400.00"))
    entitlements = list(Entitlement.objects.filter(site=site).select_related("product", "site"))
    quote = renewal_quote_for(entitlements, as_of=date(2026, 3, 1))
    line = quote.lines.get()
    assert (line.base_price, line.under_commitment, quote.level_code) == (
        Decimal("1200.00"),
        True,
        "12",
    )
    assert quote.commitment_warning == ""
    Entitlement.objects.filter(pk=entitlements[0].pk).update(quantity=8)
    fewer = list(Entitlement.objects.filter(site=site).select_related("product", "site"))
    warned = renewal_quote_for(fewer, as_of=date(2026, 3, 1), series_key="fewer")
    assert "renews 8 qualifying licences, fewer than the 12" in warned.commitment_warning
    assert "31 May 2026" in warned.commitment_warning


# --- reminders -------------------------------------------------------------------------


def test_reminders_go_sixty_and_thirty_days_before_each_anniversary_once(site, product, customer):
    buy(site, product, 12, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    commitment = _accept(site, customer, 12, date(2025, 6, 15))
    assert commitment_reminders_send(as_of=date(2026, 3, 31)).counts == {}
    assert commitment_reminders_send(as_of=date(2026, 4, 1)).counts["reminders"] == 1
    assert commitment_reminders_send(as_of=date(2026, 4, 2)).counts == {}
    assert commitment_reminders_send(as_of=date(2026, 5, 1)).counts["reminders"] == 1
    keys = set(
        OutgoingEmail.objects.filter(key__startswith="commitment-reminder:").values_list(
            "key", flat=True
        )
    )
    assert f"commitment-reminder:{commitment.pk}:2026-05-31:60:am@partner.test" in keys
    assert f"commitment-reminder:{commitment.pk}:2026-05-31:30:am@partner.test" in keys
    assert len(keys) == 6  # two reminders × (primary, renewal contact, account manager)


# --- enforcement -------------------------------------------------------------------------


def test_seed_example_a_holding_150_then_renewing_120_keeps_the_commitment(site, product, customer):
    """Seed 004, example A: 120 licences, commitment to 120; 150 held in year 2, only 120
    renewed for year 3 — kept, and buying above never raised the commitment."""
    buy(site, product, 120, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    commitment = _accept(site, customer, 120, date(2025, 6, 15))
    renew_to(site, A2)  # year 2: the 120 renewed at the first anniversary
    assert commitments_enforce(as_of=date(2026, 6, 1)).counts == {"kept": 1}
    buy(site, product, 30, date(2026, 7, 1))  # 150 in year 2
    renew_to(site, A3, quantity=120)  # year 3: only the committed 120
    assert commitments_enforce(as_of=date(2027, 6, 1)).counts == {"kept": 1}
    commitment.refresh_from_db()
    assert (commitment.state, commitment.quantity, commitment.checked_through) == (
        "active",
        120,
        A2,
    )
    assert not EntitlementEvent.objects.exists()
    assert commitments_enforce(as_of=date(2028, 6, 1)).counts == {"completed": 1}
    commitment.refresh_from_db()
    assert commitment.state == "completed"
    assert _code(site) == "4"  # the 3YC level ends with the term


def test_not_renewing_the_commitment_returns_the_3yc_licences_and_drops_to_level_one(
    site, product, customer
):
    buy(site, product, 100, date(2025, 6, 10))
    buy(site, product, 20, date(2025, 9, 1))
    invited(site, date(2025, 9, 2))
    commitment = _accept(site, customer, 120, date(2025, 9, 10))
    bought_under = buy(site, product, 10, date(2025, 10, 1))  # at 3YC prices
    first = Entitlement.objects.filter(site=site).order_by("pk").first()
    renew_to(site, A2, quantity=first.quantity)  # only the first 100 renewed
    summary = commitments_enforce(as_of=date(2026, 6, 1))
    assert summary.counts == {"emails": 3, "broken": 1}
    commitment.refresh_from_db()
    assert (commitment.state, commitment.ended_on) == ("broken", date(2026, 6, 1))
    returned = Entitlement.objects.get(order_line__order=bought_under)
    assert returned.quantity == 0
    event = EntitlementEvent.objects.get(entitlement=returned)
    assert (event.quantity_change, event.description) == (
        -10,
        "returned: 3-year commitment not renewed",
    )
    assert returned.coverage_periods.exists()  # the coverage history is kept
    assert Entitlement.objects.get(pk=first.pk).quantity == 100  # bought before: kept
    state = AgreementLevel.objects.get(agreement=site.agreement)
    assert (state.level.code, state.vip_select_since) == ("1", None)
    assert _emails("commitment-broken:") == sorted(
        [
            "am@partner.test",
            f"primary-{site.number}@customer.test",
            f"renewals-{site.number}@customer.test",
        ]
    )


def test_enforcement_run_twice_for_one_day_does_nothing_new(site, product, customer):
    buy(site, product, 12, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    _accept(site, customer, 12, date(2025, 6, 15))
    commitments_enforce(as_of=date(2026, 6, 1))  # nothing renewed: broken
    emails = OutgoingEmail.objects.count()
    assert commitments_enforce(as_of=date(2026, 6, 1)).counts == {}
    assert OutgoingEmail.objects.count() == emails
    assert LevelChange.objects.filter(reason="commitment_broken").count() == 1


def test_nothing_is_enforced_on_the_anniversary_itself(site, product, customer):
    buy(site, product, 12, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    _accept(site, customer, 12, date(2025, 6, 15))
    assert commitments_enforce(as_of=A1).counts == {}


def test_a_dry_run_changes_nothing(site, product, customer):
    buy(site, product, 12, date(2025, 6, 10))
    invited(site, date(2025, 6, 11))
    commitment = _accept(site, customer, 12, date(2025, 6, 15))
    assert commitments_enforce(as_of=date(2026, 6, 1), dry_run=True).counts == {"broken": 1}
    commitment.refresh_from_db()
    assert commitment.state == "active"


# --- two clicks at once (PostgreSQL) ---------------------------------------------------


@concurrent
def test_two_acceptances_at_once_accept_once(reseller):
    seen, expected = [], []
    for _run in range(REPEATS):
        site = agreement_site(programme="VIP", month=5, reseller=reseller)
        level_set(site, "2", since=date(2025, 6, 1), vip_select=True)
        commitment = invited(site, date(2025, 6, 11))
        user = site.contacts.get(is_primary=True).user

        def accept(quantity, commitment=commitment, user=user):
            return commitment_accept(
                commitment_id=commitment.pk, quantity=quantity, actor=user, as_of=A1
            )

        outcomes = at_once(lambda: accept(10), lambda: accept(20))
        seen.append(
            (kinds(outcomes), LevelChange.objects.filter(key=f"commitment:{commitment.pk}").count())
        )
        expected.append((["ok", "refused"], 1))
    assert_every_run(seen, expected)
