"""The quotes admin (N6, E1, E3): quotes and their PDFs are records — listed with their
agreement, reseller, state and totals in a fixed number of queries, searchable by quote,
agreement and site number, never added, changed or deleted — and staff act on them through
two actions: expire live quotes past their validity, and resend a quote's e-mails (a new
outbox key per resend, so the resend is really sent and the first sending stays on record)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core.models import OutgoingEmail
from renewals.admin.quotes import resend_event
from renewals.models import Quote, QuoteDocument
from tests.accounts.factories import ResellerFactory, SiteFactory, UserFactory, with_totp
from tests.licensing.factories import EntitlementFactory
from tests.renewals.factories import primary_contact, renewal_quote_for

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:renewals_quote_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(
        with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    )
    return client


def open_quote(*, site=None, valid_until=None, series_key=None) -> Quote:
    """An open quote (sent to the customer) for a direct site, issued today."""
    today = timezone.localdate()
    site = site or SiteFactory()
    primary_contact(site, email=f"primary-{site.number}@client.test")
    entitlement = EntitlementFactory(site=site, purchased_on=today - timedelta(days=300))
    return renewal_quote_for(
        [entitlement],
        as_of=today,
        valid_until=valid_until or today + timedelta(days=30),
        series_key=series_key or f"admin:{site.pk}:{entitlement.pk}",
    )


def run_action(admin_client, action: str, quotes):
    return admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [quote.pk for quote in quotes]},
        follow=True,
    )


def test_the_list_shows_each_quote_with_its_agreement_state_and_total(admin_client):
    quote = open_quote()
    content = admin_client.get(CHANGELIST).content.decode()
    assert quote.number in content
    assert quote.agreement.number in content
    assert "Open" in content


@pytest.mark.parametrize("field", ["number", "agreement", "site"])
def test_quotes_are_found_by_number_agreement_or_site(admin_client, field):
    quote, other = open_quote(), open_quote()
    term = {
        "number": quote.number,
        "agreement": quote.agreement.number,
        "site": quote.lines.get().site.number,
    }[field]
    content = admin_client.get(CHANGELIST, {"q": term}).content.decode()
    assert quote.number in content
    assert other.number not in content


@pytest.mark.parametrize("size", [2, 10])
def test_the_list_queries_do_not_grow_with_quotes(
    admin_client, size, django_assert_max_num_queries
):
    reseller = ResellerFactory()
    for _ in range(size):
        open_quote(site=SiteFactory(reseller=reseller))
    with django_assert_max_num_queries(14):
        assert admin_client.get(CHANGELIST).status_code == 200


def test_a_quote_is_read_with_its_lines_and_never_changed(admin_client):
    quote = open_quote()
    url = reverse("admin:renewals_quote_change", args=[quote.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert quote.lines.get().description in response.content.decode()
    assert admin_client.post(url, {}).status_code == 403
    assert admin_client.get(reverse("admin:renewals_quote_add")).status_code == 403
    delete = reverse("admin:renewals_quote_delete", args=[quote.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Quote.objects.filter(pk=quote.pk).exists()


def test_expire_now_expires_live_quotes_past_their_validity_only(admin_client):
    today = timezone.localdate()
    past = open_quote()
    Quote.objects.filter(pk=past.pk).update(valid_until=today - timedelta(days=1))
    valid = open_quote()
    response = run_action(admin_client, "expire_now", [past, valid])
    content = response.content.decode()
    assert "1 quote expired." in content
    assert "1 skipped" in content
    past.refresh_from_db()
    valid.refresh_from_db()
    assert past.state == Quote.State.EXPIRED
    assert valid.state == Quote.State.OPEN


def test_resending_queues_new_emails_and_keeps_the_first_ones(admin_client):
    """E1: the first sending's keys stay; each resend has its own key and is sent."""
    quote = open_quote()
    first = set(
        OutgoingEmail.objects.filter(key__startswith=f"quote:{quote.number}:").values_list(
            "key", flat=True
        )
    )
    assert first  # the customer's e-mail of the issue
    response = run_action(admin_client, "resend_emails", [quote])
    assert "1 e-mail queued." in response.content.decode()
    resent = OutgoingEmail.objects.filter(key__startswith=f"quote:{quote.number}:open-resent-")
    assert resent.count() == 1
    assert resent.get().to == quote.lines.get().site.contacts.get(is_primary=True).email
    assert first <= set(
        OutgoingEmail.objects.filter(key__startswith=f"quote:{quote.number}:").values_list(
            "key", flat=True
        )
    )


def test_a_resend_key_is_new_each_second_and_the_same_within_one(admin_client):
    moment = timezone.make_aware(timezone.datetime(2026, 1, 5, 12, 0, 0))
    assert resend_event(moment) == "resent-20260105T120000"
    assert resend_event(moment + timedelta(seconds=1)) != resend_event(moment)


def test_a_draft_is_resent_to_its_reseller_not_the_customer(admin_client):
    reseller = ResellerFactory()
    UserFactory(reseller=reseller, email="rita@reseller.test")
    site = SiteFactory(reseller=reseller)
    quote = open_quote(site=site)
    assert quote.state == Quote.State.DRAFT
    run_action(admin_client, "resend_emails", [quote])
    resent = OutgoingEmail.objects.filter(key__contains=":for-reseller-resent-")
    assert list(resent.values_list("to", flat=True)) == ["rita@reseller.test"]


def test_replaced_declined_and_expired_quotes_are_not_resent(admin_client):
    quote = open_quote()
    Quote.objects.filter(pk=quote.pk).update(state=Quote.State.EXPIRED)
    response = run_action(admin_client, "resend_emails", [quote])
    assert "1 skipped" in response.content.decode()
    assert not OutgoingEmail.objects.filter(key__contains="resent").exists()


def test_quote_pdfs_are_read_only_records(admin_client):
    quote = open_quote()
    document = QuoteDocument.objects.create(quote=quote, fingerprint="f" * 64)
    changelist = reverse("admin:renewals_quotedocument_changelist")
    assert quote.number in admin_client.get(changelist).content.decode()
    url = reverse("admin:renewals_quotedocument_change", args=[document.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {}).status_code == 403
    assert admin_client.get(reverse("admin:renewals_quotedocument_add")).status_code == 403


def test_the_vendor_total_is_listed(admin_client):
    quote = open_quote()
    assert quote.vendor_total > Decimal(0)
    assert str(quote.vendor_total) in admin_client.get(CHANGELIST).content.decode()
