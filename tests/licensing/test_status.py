"""L3: the entitlement status is defined once (licensing.status): the rule on plain values,
the database annotation, the model property and the statement's counts agree on every
boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from licensing.models import Entitlement
from licensing.statement import statement_registration
from licensing.status import EXPIRING_WITHIN, EntitlementStatus, entitlement_status
from tests.licensing.factories import EntitlementFactory

AS_OF = date(2025, 6, 15)
# Days from AS_OF to the last day of coverage, around both edges of the rule.
OFFSETS = (-400, -1, 0, 1, 89, 90, 91, 400)
EXPECTED = {
    -400: EntitlementStatus.LAPSED,
    -1: EntitlementStatus.LAPSED,
    0: EntitlementStatus.EXPIRING,  # the last day of coverage is still covered
    1: EntitlementStatus.EXPIRING,
    89: EntitlementStatus.EXPIRING,
    90: EntitlementStatus.EXPIRING,  # "within 90 days" includes the 90th
    91: EntitlementStatus.COVERED,
    400: EntitlementStatus.COVERED,
}


@pytest.mark.parametrize("offset", OFFSETS)
def test_the_rule_on_plain_values(offset):
    assert entitlement_status(AS_OF + timedelta(days=offset), AS_OF) == EXPECTED[offset]


def test_expiring_means_within_ninety_days():
    assert timedelta(days=90) == EXPIRING_WITHIN


@pytest.mark.django_db
def test_the_annotation_the_property_and_the_counts_agree_with_the_rule(world):
    for offset in OFFSETS:
        end = AS_OF + timedelta(days=offset)
        EntitlementFactory(
            site=world.site, coverage_start=min(end, AS_OF) - timedelta(days=30), coverage_end=end
        )

    rows = Entitlement.objects.filter(site=world.site).with_status(AS_OF)

    for row in rows:
        rule = entitlement_status(row.coverage_end, AS_OF)
        assert (row.status, row.status_on(AS_OF)) == (rule, rule), row.coverage_end
    counts = statement_registration(site=world.site, as_of=AS_OF).counts
    assert counts == {
        status.value: sum(1 for expected in EXPECTED.values() if expected == status)
        for status in EntitlementStatus
    }
