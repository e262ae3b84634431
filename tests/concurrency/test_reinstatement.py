"""N5 with concurrent writers: two people pressing "Get a reinstatement quote" for the same
lapsed product at the same moment get one quote between them (the lapsed lines are locked
first, and one live quote per series is a constraint), never a second quote or an error."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.utils import timezone

from renewals.models import Quote
from renewals.services.reinstatement import reinstatement_quote_request
from tests.accounts.factories import SiteFactory, UserFactory
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import EntitlementFactory, ProductFactory


@concurrent
def test_two_requests_at_once_issue_one_reinstatement_quote():
    today = timezone.localdate()
    user = UserFactory()
    seen, quotes = [], []
    for _run in range(REPEATS):
        site = SiteFactory()
        product = ProductFactory()
        start = today - timedelta(days=500)
        lapsed = [
            EntitlementFactory(
                site=site,
                product=product,
                purchased_on=start,
                coverage_start=start,
                coverage_end=start + timedelta(days=364),
            )
            for _ in range(2)
        ]
        outcomes = at_once(
            *(
                partial(
                    reinstatement_quote_request,
                    entitlement_id=entitlement.pk,
                    actor=user,
                    as_of=today,
                    now=timezone.now(),
                )
                for entitlement in lapsed
            )
        )
        seen.append(kinds(outcomes))
        quotes.append(
            Quote.objects.filter(series_key=f"reinstatement:{site.pk}:{product.pk}").count()
        )
    assert_every_run(seen, [["ok", "ok"]] * REPEATS)
    assert quotes == [1] * REPEATS
