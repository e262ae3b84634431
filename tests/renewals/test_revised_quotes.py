"""Revised anniversary quotes (N4): a purchase after the anniversary quote was sent gives one
revision with the new lines, to the same recipients, at most one per agreement and account
manager per day; purchases from the first day of the anniversary month belong to next year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.core.models import OutgoingEmail
from renewals.models import Quote
from renewals.notices import renewal_notices_send, revised_quotes_send
from tests.accounts.factories import AgreementFactory, ResellerFactory
from tests.licensing.factories import ProductFactory
from tests.renewals.notice_world import bought, emails, site_with_contacts

pytestmark = pytest.mark.django_db

NOTICE_DAY = date(2026, 12, 31)  # A = 31 Mar 2027


@pytest.fixture
def product():
    return ProductFactory(name="Atlas", annual_ss_price=Decimal("240.00"))


@pytest.fixture
def site(product):
    site = site_with_contacts(
        primary="primary@example.test",
        renewal="renewals@example.test",
        agreement__anniversary_month=3,
    )
    bought(site, product, date(2026, 3, 11))
    renewal_notices_send(as_of=NOTICE_DAY)
    return site


def _live(site) -> Quote:
    return Quote.objects.live().get(agreement=site.agreement)


def test_a_purchase_after_the_anniversary_quote_gives_one_revision_with_the_new_line(site, product):
    """N4: bought on 10 Jan 2027 → the revision of 11 Jan holds the old due line and the new
    one as a co-term line (it ends 9 Jan 2028, co-termed to 31 Mar 2028), supersedes the
    first quote and goes to the same recipients."""
    first = _live(site)
    bought(site, product, date(2027, 1, 10))
    revised_quotes_send(as_of=date(2027, 1, 11))
    first.refresh_from_db()
    revision = _live(site)
    assert (first.state, revision.revision, revision.supersedes_id, revision.series_key) == (
        "superseded",
        1,
        first.pk,
        first.series_key,
    )
    assert [
        (line.covers_from, line.covers_to, line.months, line.is_optional)
        for line in revision.lines.order_by("position")
    ] == [
        (date(2027, 3, 11), date(2028, 3, 31), 13, False),
        (date(2028, 1, 10), date(2028, 3, 31), 3, True),
    ]
    sent = emails(key__startswith=f"quote:{revision.number}:")
    assert [e.to for e in sent] == ["primary@example.test", "renewals@example.test"]
    assert sent[0].subject == (
        f"Revised anniversary renewal quote {revision.number} for March 2027 (revision 1)"
        " – S&S to 31 Mar 2028"
    )


def test_no_purchase_no_revision(site):
    """N4: nothing bought since the quote: nothing to revise."""
    summary = revised_quotes_send(as_of=date(2027, 1, 11))
    assert summary.counts == {}
    assert Quote.objects.count() == 1


def test_at_most_one_revision_per_day_and_a_second_run_is_a_no_op(site, product):
    """N4, N10: two purchases on one day, the job run twice: one revision. A purchase on the
    next day gives the next day's revision."""
    bought(site, product, date(2027, 1, 10))
    bought(site, product, date(2027, 1, 10), quantity=3)
    revised_quotes_send(as_of=date(2027, 1, 11))
    emails_after_first = OutgoingEmail.objects.count()
    revised_quotes_send(as_of=date(2027, 1, 11))
    assert Quote.objects.count() == 2
    assert OutgoingEmail.objects.count() == emails_after_first
    assert _live(site).lines.count() == 3
    bought(site, product, date(2027, 1, 11))  # bought later on the day of the revision
    revised_quotes_send(as_of=date(2027, 1, 12))
    assert (_live(site).revision, _live(site).lines.count()) == (2, 4)


def test_a_purchase_in_the_anniversary_month_gives_no_revision(site, product):
    """N4 (seed 001 FAQ): from the first day of the anniversary month the purchase belongs to
    next year's anniversary quote."""
    bought(site, product, date(2027, 3, 1))
    for day in (date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 10)):
        revised_quotes_send(as_of=day)
    assert Quote.objects.count() == 1


def test_a_purchase_on_the_last_day_before_the_anniversary_month_is_revised(site, product):
    """N4: 28 Feb is before the window closes (1 Mar)."""
    bought(site, product, date(2027, 2, 28))
    revised_quotes_send(as_of=date(2027, 3, 1))
    assert _live(site).revision == 1


def test_a_purchase_through_another_account_manager_revises_only_its_quote(product):
    """N4: revisions are per agreement and account manager."""
    agreement = AgreementFactory(anniversary_month=3)
    reseller = ResellerFactory()
    direct = site_with_contacts(primary="d@example.test", agreement=agreement)
    managed = site_with_contacts(primary="m@example.test", agreement=agreement, reseller=reseller)
    for each in (direct, managed):
        bought(each, product, date(2026, 3, 11))
    renewal_notices_send(as_of=NOTICE_DAY)
    bought(managed, product, date(2027, 1, 20))
    revised_quotes_send(as_of=date(2027, 1, 21))
    revisions = dict(Quote.objects.live().values_list("reseller_id", "revision"))
    assert revisions == {None: 0, reseller.pk: 1}
    # Still a draft waiting for the reseller's price: the revision is again the reseller's.
    assert Quote.objects.live().get(reseller=reseller).state == "draft"


def test_a_dry_run_revises_nothing(site, product):
    bought(site, product, date(2027, 1, 10))
    summary = revised_quotes_send(as_of=date(2027, 1, 11), dry_run=True)
    assert summary.counts["revisions"] == 1
    assert Quote.objects.count() == 1
