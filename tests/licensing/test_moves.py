"""L8: moving an online-activated licence to a new computer (the service, the request page with
its "Show the fee" step, staff confirmation in the admin and its e-mail) and L9 quotes on the
entitlement page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.models import Activation, LicenceMove, Product
from portal.core.dates import add_years
from portal.core.mail import email_send_task
from portal.core.models import OutgoingEmail
from tests.accounts.factories import UserFactory, with_totp
from tests.conftest import client_for
from tests.licensing.factories import (
    ActivationFactory,
    CoveragePeriodFactory,
    EditionFactory,
    EntitlementFactory,
    ProductFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def licence(world, today):
    """An online-activated licence at the world's site, bought 200 days ago, on version 10
    (the newest is 12), S&S active, activated on OLD-PC."""
    product = ProductFactory(part_number="ATL-DB-100", name="Atlas Database Server")
    v10 = VersionFactory(
        product=product,
        version="10.0",
        release_date=today - timedelta(days=900),
        eos_date=today + timedelta(days=900),
    )
    VersionFactory(
        product=product,
        version="12.0",
        release_date=today - timedelta(days=100),
        eos_date=today + timedelta(days=1500),
        upgrade_price=Decimal("350.00"),
    )
    entitlement = EntitlementFactory(
        site=world.site,
        product=product,
        version=v10,
        quantity=2,
        purchased_on=today - timedelta(days=200),
    )
    ActivationFactory(entitlement=entitlement, machine_id="OLD-PC")
    return entitlement


def old_activation(entitlement) -> Activation:
    return entitlement.activations.get(machine_id="OLD-PC")


def request_move(entitlement, actor, today, **overrides) -> LicenceMove:
    values = {
        "entitlement": entitlement,
        "old_activation": old_activation(entitlement),
        "new_machine_id": "NEW-PC",
        "lost_or_stolen": False,
        "reason": "",
        "purchase": "",
        "actor": actor,
        "as_of": today,
        **overrides,
    }
    return services.move_request(**values)


# --- the services ------------------------------------------------------------------------------


def test_a_move_request_waits_for_staff_with_the_quote_of_the_request_date(world, licence, today):
    move = request_move(licence, world.users["primary"], today)

    assert move.state == LicenceMove.State.PENDING
    assert (move.rule, move.fee, move.requested_on) == ("L8.2", Decimal("0.00"), today)
    assert "less than 2 years ago" in move.explanation
    assert old_activation(licence).is_active  # nothing moves before staff confirm


def test_a_machine_already_active_elsewhere_is_refused(world, licence, today):
    other = EntitlementFactory(site=world.site, product=licence.product)
    ActivationFactory(entitlement=other, machine_id="NEW-PC")

    with pytest.raises(ValidationError) as refused:
        request_move(licence, world.users["primary"], today)

    assert "NEW-PC already has an active licence" in refused.value.message_dict["new_machine_id"][0]
    assert not LicenceMove.objects.exists()


def test_a_lost_or_stolen_machine_needs_a_reason(world, licence, today):
    with pytest.raises(ValidationError) as refused:
        request_move(licence, world.users["primary"], today, lost_or_stolen=True, reason="  ")

    assert refused.value.message_dict["reason"] == ["Tell us what happened to the old machine."]


def test_a_second_request_waits_for_the_first(world, licence, today):
    request_move(licence, world.users["primary"], today)

    with pytest.raises(ValidationError, match="already waiting for confirmation"):
        request_move(licence, world.users["primary"], today, new_machine_id="THIRD-PC")


def test_confirming_moves_the_activation_and_emails_the_customer_once(
    world, licence, today, django_capture_on_commit_callbacks
):
    move = request_move(licence, world.users["primary"], today)

    with django_capture_on_commit_callbacks(execute=True):
        new = services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())
    email_send_task(OutgoingEmail.objects.get(key=f"move-confirmed:{move.pk}").pk)  # E1: no resend

    old = old_activation(licence)
    assert (old.deactivated_on, old.deactivation_reason) == (today, "Moved to NEW-PC")
    assert (new.machine_id, new.is_active, new.activated_on) == ("NEW-PC", True, today)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["primary@alpha.test"]
    assert "NEW-PC" in mail.outbox[0].subject
    assert "not moved in the last 12 months" in mail.outbox[0].body  # the reason, in words


def test_a_lost_machine_is_deactivated_with_the_reason(
    world, licence, today, django_capture_on_commit_callbacks
):
    move = request_move(
        licence, world.users["primary"], today, lost_or_stolen=True, reason="Stolen from a car"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())

    assert old_activation(licence).deactivation_reason == "Lost or stolen: Stolen from a car"


def test_a_decided_move_cannot_be_confirmed_again(
    world, licence, today, django_capture_on_commit_callbacks
):
    move = request_move(licence, world.users["primary"], today)
    services.move_reject(move=move, actor=world.users["staff"], now=timezone.now())

    with pytest.raises(ValidationError, match="already decided"):
        services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())
    assert old_activation(licence).is_active


def test_confirming_is_refused_when_the_new_machine_was_activated_elsewhere_meanwhile(
    world, licence, today
):
    move = request_move(licence, world.users["primary"], today)
    ActivationFactory(entitlement=EntitlementFactory(product=licence.product), machine_id="NEW-PC")

    with pytest.raises(ValidationError, match="was activated elsewhere in the meantime"):
        services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())

    move.refresh_from_db()
    assert move.state == LicenceMove.State.PENDING
    assert old_activation(licence).is_active  # the whole confirmation rolled back


def test_moving_again_within_twelve_months_costs_twenty_percent(
    world, licence, today, django_capture_on_commit_callbacks
):
    move = request_move(licence, world.users["primary"], today - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        services.move_confirm(
            move=move, actor=world.users["staff"], now=timezone.now() - timedelta(days=29)
        )

    quote = services.move_quote_for(entitlement=licence, as_of=today)

    assert (quote.rule, quote.fee) == ("L8.3", Decimal("200.00"))


def test_a_version_not_released_yet_is_not_the_newest(licence, today):
    VersionFactory(
        product=licence.product,
        version="13.0",
        release_date=today + timedelta(days=30),
        eos_date=today + timedelta(days=2000),
    )

    facts = services.move_facts(entitlement=licence, as_of=today, purchase="upgrade")

    assert (facts.newest_version, facts.newest_upgrade_price) == ("12.0", Decimal("350.00"))


def test_buying_the_upgrade_with_the_move_needs_a_newer_version(world, licence, today):
    licence.version = licence.product.versions.get(version="12.0")
    licence.save()

    with pytest.raises(ValidationError) as refused:
        request_move(licence, world.users["primary"], today, purchase="upgrade")

    assert "already" in refused.value.message_dict["purchase"][0]


def test_an_old_licence_past_eos_quotes_support_and_the_oldest_supported_version(
    world, licence, today
):
    """L8.5 through the service: the facts come from the catalogue and coverage history."""
    licence.version.eos_date = today  # past EOS on its EOS date
    licence.version.save()
    licence.purchased_on = add_years(today, -3)
    licence.coverage_start = licence.purchased_on
    licence.coverage_end = add_years(today, -2)  # lapsed a year ago
    licence.save()

    quote = services.move_quote_for(entitlement=licence, as_of=today)

    # 40 % (3 years old) of version 12.0's list price (the product's, 1,000)
    assert (quote.rule, quote.fee, quote.upgrade_to) == ("L8.5", Decimal("400.00"), "12.0")


# --- race-free by construction (L3, L8) -------------------------------------------------------


def test_a_second_pending_move_of_one_activation_is_refused_by_the_constraint(
    world, licence, today, monkeypatch
):
    """The path two requests sent at the same moment take where the pending check cannot see
    each other: the partial unique constraint refuses the second, with the same message."""
    request_move(licence, world.users["primary"], today)
    monkeypatch.setattr("licensing.services.moves._pending_move_exists", lambda _entitlement: False)

    with pytest.raises(ValidationError, match="already waiting for confirmation"):
        request_move(licence, world.users["primary"], today, new_machine_id="THIRD-PC")

    assert LicenceMove.objects.filter(state=LicenceMove.State.PENDING).count() == 1


def test_the_database_holds_one_pending_move_per_activation(world, licence, today):
    values = {
        "entitlement": licence,
        "old_activation": old_activation(licence),
        "requested_on": today,
        "rule": "L8.2",
        "fee": Decimal(0),
        "explanation": "…",
    }
    LicenceMove.objects.create(new_machine_id="A-PC", state=LicenceMove.State.REJECTED, **values)
    LicenceMove.objects.create(new_machine_id="B-PC", **values)

    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceMove.objects.create(new_machine_id="C-PC", **values)


def test_confirming_is_refused_when_the_old_machine_was_deactivated_meanwhile(
    world, licence, today
):
    move = request_move(licence, world.users["primary"], today)
    Activation.objects.filter(pk=move.old_activation_id).update(deactivated_on=today)

    with pytest.raises(ValidationError, match="OLD-PC was deactivated on"):
        services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())

    move.refresh_from_db()
    assert move.state == LicenceMove.State.PENDING
    assert not licence.activations.filter(machine_id="NEW-PC").exists()


def test_confirming_is_refused_when_the_licence_runs_on_more_machines_than_it_holds(
    world, licence, today
):
    move = request_move(licence, world.users["primary"], today)
    ActivationFactory(entitlement=licence, machine_id="SECOND-PC")
    ActivationFactory(entitlement=licence, machine_id="THIRD-PC")  # 3 active, 2 held

    with pytest.raises(ValidationError, match="activated on 3 machines but holds 2 licences"):
        services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())

    assert old_activation(licence).is_active


def test_an_activation_beyond_the_quantity_is_refused(world, licence, today):
    services.activation_add(entitlement=licence, machine_id="SECOND-PC", actor=None, as_of=today)

    with pytest.raises(ValidationError, match="already activated"):
        services.activation_add(entitlement=licence, machine_id="THIRD-PC", actor=None, as_of=today)


# --- the request page --------------------------------------------------------------------------


def move_url(entitlement) -> str:
    return reverse("licensing:move_create", args=[entitlement.pk])


def detail_url(entitlement) -> str:
    return reverse("licensing:entitlement_detail", args=[entitlement.pk])


def form_data(entitlement, **overrides) -> dict:
    return {
        "old_activation": old_activation(entitlement).pk,
        "new_machine_id": "NEW-PC",
        "purchase": "",
        "reason": "",
        **overrides,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("primary", 200),
        ("site_admin", 200),
        ("reseller", 200),
        ("staff", 200),
        ("stc", 403),
        ("caller", 403),
        ("other_customer", 404),
        ("other_reseller", 404),
    ],
)
def test_who_may_request_a_move(client, world, licence, role, status):
    client_for(client, world, role)

    assert client.get(move_url(licence)).status_code == status
    assert client.post(move_url(licence), form_data(licence)).status_code == status


def test_anonymous_users_are_sent_to_sign_in(client, licence):
    response = client.get(move_url(licence))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_show_the_fee_shows_the_rule_and_why_before_anything_is_requested(client, world, licence):
    client_for(client, world, "primary")

    response = client.post(move_url(licence), {**form_data(licence), "show_fee": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "L8.2" in page
    assert "less than 2 years ago, and not moved in the last 12 months" in page
    assert 'name="request_move"' in page
    assert not LicenceMove.objects.exists()


def test_the_upgrade_bought_with_the_move_shows_its_price(client, world, licence):
    client_for(client, world, "primary")

    response = client.post(
        move_url(licence), {**form_data(licence, purchase="upgrade"), "show_fee": "1"}
    )

    assert response.context["quote"].rule == "L8.1"
    assert response.context["quote"].fee == Decimal("350.00")


def test_requesting_the_move_for_the_fee_shown_leaves_it_pending(client, world, licence):
    client_for(client, world, "primary")
    shown = client.post(move_url(licence), {**form_data(licence), "show_fee": "1"})
    quote = shown.context["quote"]

    response = client.post(
        move_url(licence),
        {
            **form_data(licence),
            "quoted_rule": quote.rule,
            "quoted_fee": str(quote.fee),
            "request_move": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(licence)
    move = LicenceMove.objects.get()
    assert (move.state, move.rule, move.new_machine_id) == ("pending", "L8.2", "NEW-PC")
    assert move.requested_by == world.users["primary"]
    page = client.get(detail_url(licence)).content.decode()
    assert "Awaiting confirmation" in page
    assert "NEW-PC" in page


def test_a_request_for_another_fee_than_the_one_shown_is_shown_again(client, world, licence):
    client_for(client, world, "primary")

    response = client.post(
        move_url(licence),
        {
            **form_data(licence),
            "quoted_rule": "L8.2",
            "quoted_fee": "0.00",
            "purchase": "upgrade",  # changed after the free quote was shown
            "request_move": "1",
        },
    )

    assert response.status_code == 200
    assert "The fee changed since it was shown" in response.content.decode()
    assert response.context["quote"].fee == Decimal("350.00")
    assert not LicenceMove.objects.exists()


def test_the_page_refuses_a_lost_machine_without_a_reason(client, world, licence):
    client_for(client, world, "primary")

    response = client.post(
        move_url(licence),
        {**form_data(licence, lost_or_stolen="on"), "show_fee": "1"},
    )

    assert response.status_code == 200
    assert "Tell us what happened to the old machine." in response.content.decode()
    assert response.context["quote"] is None


def test_the_page_refuses_a_machine_already_active_elsewhere(client, world, licence):
    other = EntitlementFactory(site=world.site, product=licence.product)
    ActivationFactory(entitlement=other, machine_id="NEW-PC")
    client_for(client, world, "primary")

    response = client.post(
        move_url(licence),
        {**form_data(licence), "quoted_rule": "L8.2", "quoted_fee": "0.00", "request_move": "1"},
    )

    assert response.status_code == 200
    assert "Machine NEW-PC already has an active licence" in response.content.decode()
    assert not LicenceMove.objects.exists()


def test_an_offline_licence_has_no_move_form_but_shows_its_fee(client, world, licence):
    licence.product.delivery = Product.Delivery.OFFLINE
    licence.product.save()
    client_for(client, world, "primary")

    move_page = client.get(move_url(licence))
    detail = client.get(detail_url(licence)).content.decode()

    assert move_page.status_code == 200
    assert "form" not in move_page.context
    assert "L8.7" not in detail  # review #7 item 16: the code is for staff
    assert "500.00" in detail
    assert move_url(licence) not in detail


# --- the entitlement page ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "shown"), [("primary", True), ("stc", False), ("caller", False)])
def test_the_move_button_is_for_those_who_may_request(client, world, licence, role, shown):
    client_for(client, world, role)

    page = client.get(detail_url(licence)).content.decode()

    assert (move_url(licence) in page) is shown


def test_the_entitlement_page_quotes_richer_editions_and_the_upgrade(client, world, licence, today):
    plus = EditionFactory(product=licence.product, name="Plus", rank=2, price=Decimal("1600"))
    EditionFactory(product=licence.product, name="Standard", rank=1, price=Decimal("1000"))
    EditionFactory(product=licence.product, name="Pro", rank=3, price=Decimal("2200"))
    licence.edition = plus
    licence.save()
    client_for(client, world, "caller")  # read-only quotes: anyone who sees the site

    response = client.get(detail_url(licence))

    offers = {offer.title: offer.quote for offer in response.context["price_offers"]}
    assert list(offers) == [
        "Upgrade to 12.0",
        "Change to Pro",
        "Change to Pro with the upgrade to 12.0",
    ]
    assert offers["Change to Pro"].total == Decimal("600.00")
    assert offers["Change to Pro with the upgrade to 12.0"].total == Decimal("950.00")
    assert "Edition difference Plus → Pro" in response.content.decode()


def test_a_lapsed_licence_pays_support_with_the_edition_change(client, world, licence, today):
    plus = EditionFactory(product=licence.product, name="Plus", rank=2, price=Decimal("1600"))
    EditionFactory(product=licence.product, name="Pro", rank=3, price=Decimal("2200"))
    licence.edition = plus
    licence.purchased_on = add_years(today, -3)
    licence.coverage_start = licence.purchased_on
    licence.coverage_end = add_years(today, -2)
    licence.save()
    client_for(client, world, "primary")

    response = client.get(detail_url(licence))

    offers = {offer.title: offer.quote for offer in response.context["price_offers"]}
    # 600 difference + 40 % of the 1,000 list price (3 years old, S&S lapsed)
    assert offers["Change to Pro"].total == Decimal("1000.00")


# --- staff confirm in the admin ----------------------------------------------------------------


@pytest.fixture
def superuser():
    return with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))


def test_staff_confirm_a_move_in_the_admin(
    client, world, licence, superuser, django_capture_on_commit_callbacks
):
    move = request_move(licence, world.users["primary"], timezone.localdate())
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:licensing_licencemove_changelist"),
            {"action": "confirm", "index": 0, ACTION_CHECKBOX_NAME: [move.pk]},
        )

    assert response.status_code == 302
    move.refresh_from_db()
    assert (move.state, move.decided_by) == (LicenceMove.State.CONFIRMED, superuser)
    assert not old_activation(licence).is_active
    assert licence.activations.get(machine_id="NEW-PC").is_active
    assert len(mail.outbox) == 1
    entry = LogEntry.objects.get_for_object(move).order_by("-pk").first()
    assert (entry.actor, entry.changes_dict["state"]) == (superuser, ["pending", "confirmed"])


# --- query ceilings ----------------------------------------------------------------------------


def measure(client, url, ceiling, django_assert_max_num_queries):
    assert client.get(url).status_code == 200  # sets the per-session flags first
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
    assert response.status_code == 200
    return response


def grow(entitlement, n: int, today) -> None:
    """n activations (one of them active), n confirmed moves, n coverage periods, n editions."""
    for index in range(n):
        activation = ActivationFactory(
            entitlement=entitlement,
            activated_on=today - timedelta(days=index + 2),
            deactivated_on=today - timedelta(days=index + 1),
        )
        LicenceMove.objects.create(
            entitlement=entitlement,
            old_activation=activation,
            new_machine_id=f"MOVED-{index}",
            requested_on=today - timedelta(days=400 + index),  # over 12 months ago
            rule="L8.2",
            fee=Decimal(0),
            explanation="…",
            state=LicenceMove.State.CONFIRMED,
        )
        CoveragePeriodFactory(entitlement=entitlement)
        EditionFactory(product=entitlement.product, rank=index + 10)


@pytest.mark.parametrize("n", [1, 30])
def test_entitlement_page_queries_do_not_grow(
    client, world, licence, n, django_assert_max_num_queries
):
    today = timezone.localdate()
    licence.edition = EditionFactory(product=licence.product, rank=1)
    licence.save()
    grow(licence, n, today)
    client_for(client, world, "primary")

    response = measure(client, detail_url(licence), 13, django_assert_max_num_queries)

    assert len(response.context["price_offers"]) == 1 + 2 * n


@pytest.mark.parametrize("n", [1, 30])
def test_move_page_queries_do_not_grow(client, world, licence, n, django_assert_max_num_queries):
    today = timezone.localdate()
    grow(licence, n, today)
    client_for(client, world, "primary")

    measure(client, move_url(licence), 13, django_assert_max_num_queries)
    with django_assert_max_num_queries(20):
        response = client.post(move_url(licence), {**form_data(licence), "show_fee": "1"})
    assert response.context["quote"].rule == "L8.2"


# --- rule codes for staff, money for the reader (review #7 item 16) -----------------------------


def shown_text(response) -> str:
    """The page without its hidden inputs (the quote the person saw travels in them)."""
    return re.sub(r'<input type="hidden"[^>]*>', "", response.content.decode())


@pytest.fixture
def dear_licence(licence):
    """The licence at a list price whose 20 % / 50 % fees need a thousands separator."""
    licence.product.list_price = Decimal("80000.00")
    licence.product.save()
    return licence


def moved_recently(licence, today) -> None:
    """A confirmed move 30 days ago: moving again costs 20 % of the list price (L8.3)."""
    activation = ActivationFactory(
        entitlement=licence,
        machine_id="EARLIER-PC",
        activated_on=today - timedelta(days=60),
        deactivated_on=today - timedelta(days=30),
    )
    LicenceMove.objects.create(
        entitlement=licence,
        old_activation=activation,
        new_machine_id="OLD-PC",
        requested_on=today - timedelta(days=30),
        rule="L8.2",
        fee=Decimal(0),
        explanation="Free.",
        state=LicenceMove.State.CONFIRMED,
    )


@pytest.mark.parametrize("role", ["primary", "reseller"])
def test_a_customer_reads_the_fee_in_words_and_local_money_without_the_rule_code(
    client, world, dear_licence, today, role
):
    moved_recently(dear_licence, today)
    client_for(client, world, role)

    response = client.post(move_url(dear_licence), {**form_data(dear_licence), "show_fee": "1"})

    page = shown_text(response)
    assert response.context["quote"].rule == "L8.3"
    assert "€16,000.00" in page
    assert "16000.00" not in page
    assert "L8." not in page
    assert "within the last 12 months: 20 % of the current list price" in page


def test_staff_see_the_rule_code_beside_the_reason(client, world, dear_licence, today):
    moved_recently(dear_licence, today)
    client_for(client, world, "staff")

    response = client.post(move_url(dear_licence), {**form_data(dear_licence), "show_fee": "1"})

    page = response.content.decode()
    assert "Rule L8.3" in page
    assert "€16,000.00" in page


def test_the_entitlement_page_shows_moves_and_quotes_without_codes_to_customers(
    client, world, dear_licence, today
):
    moved_recently(dear_licence, today)
    plus = EditionFactory(product=dear_licence.product, name="Plus", rank=2, price=Decimal("16000"))
    EditionFactory(product=dear_licence.product, name="Pro", rank=3, price=Decimal("32000"))
    dear_licence.edition = plus
    dear_licence.save()
    client_for(client, world, "primary")

    page = client.get(detail_url(dear_licence)).content.decode()

    assert "L8." not in page
    assert "€16,000.00" in page  # the Plus → Pro difference
    assert "16000.00" not in page
    client_for(client, world, "staff")
    assert "L8.2" in client.get(detail_url(dear_licence)).content.decode()


def test_an_offline_licence_fee_is_in_words_and_local_money_for_customers(
    client, world, dear_licence
):
    dear_licence.product.delivery = Product.Delivery.OFFLINE
    dear_licence.product.list_price = Decimal("32000.00")
    dear_licence.product.save()
    client_for(client, world, "primary")

    detail = client.get(detail_url(dear_licence)).content.decode()
    move_page = client.get(move_url(dear_licence)).content.decode()

    assert "€16,000.00" in detail
    assert "L8." not in detail
    assert "L8." not in move_page
    assert "50 percent of the current list price" in move_page
    client_for(client, world, "staff")
    assert "L8.7" in client.get(detail_url(dear_licence)).content.decode()


def test_the_move_request_message_names_no_rule_code(client, world, dear_licence, today):
    moved_recently(dear_licence, today)
    client_for(client, world, "primary")
    shown = client.post(move_url(dear_licence), {**form_data(dear_licence), "show_fee": "1"})
    quote = shown.context["quote"]

    response = client.post(
        move_url(dear_licence),
        {
            **form_data(dear_licence),
            "quoted_rule": quote.rule,
            "quoted_fee": str(quote.fee),
            "request_move": "1",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "The move to NEW-PC was requested (fee €16,000.00)" in page
    assert "L8." not in page


def test_the_move_e_mail_gives_the_reason_in_words_and_local_money(
    world, dear_licence, today, django_capture_on_commit_callbacks
):
    moved_recently(dear_licence, today)
    move = request_move(dear_licence, world.users["primary"], today)

    with django_capture_on_commit_callbacks(execute=True):
        services.move_confirm(move=move, actor=world.users["staff"], now=timezone.now())

    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "€16,000.00" in body
        assert "16000.00" not in body
        assert "L8." not in body
        assert "Rule" not in body
        assert "within the last 12 months" in body
