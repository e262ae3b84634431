"""Today is passed in (STYLE): the accounts rules take `now` and read no clock, so a moment
is a plain argument; the site's own calendar date decides its anniversary (A1, A2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts import services
from accounts.models import Agreement, Invitation, Site
from accounts.selectors import invitations_pending_for_site

NEW_YEARS_EVE_NOON_UTC = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def invitation(world) -> Invitation:
    return world.invitation


def test_an_invitation_is_usable_until_the_instant_it_expires(invitation):
    """A5: usable one second before `expires_at`, not at it."""
    assert invitation.is_usable(now=invitation.expires_at - timedelta(seconds=1))
    assert not invitation.is_usable(now=invitation.expires_at)


def test_the_problem_with_a_link_depends_on_the_moment_given(invitation):
    """A5: the same link is fine now and expired a week and a second later."""
    later = invitation.expires_at + timedelta(seconds=1)

    assert services.invitation_problem(invitation, now=invitation.created_at) is None
    assert "expired" in services.invitation_problem(invitation, now=later)


def test_an_invitation_reports_its_status_at_a_moment(invitation):
    assert invitation.status_at(now=invitation.created_at) == "pending"
    assert invitation.status_at(now=invitation.expires_at) == "expired"


def test_pending_invitations_are_those_usable_at_the_moment_given(world, invitation):
    """A5: the user list shows invitations pending at `now`; later, the same one is gone."""
    site = world.site
    after_expiry = invitation.expires_at + timedelta(seconds=1)

    assert list(invitations_pending_for_site(site=site, now=invitation.created_at)) == [invitation]
    assert not invitations_pending_for_site(site=site, now=after_expiry).exists()


def test_enrolment_records_the_moment_given(world, django_capture_on_commit_callbacks):
    """A5: the enrolment and its welcome link are stamped with `now`, not the clock."""
    site = world.other_site
    world.other_contact.user = None
    world.other_contact.save(update_fields=["user"])
    moment = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)

    invitation = services.site_enrol(site=site, actor=world.users["staff"], now=moment)

    site.refresh_from_db()
    assert site.enrolled_at == moment
    assert invitation.created_at == moment
    assert invitation.expires_at == moment + timedelta(days=7)


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [("UTC", date(2025, 12, 31)), ("Pacific/Auckland", date(2026, 1, 1))],
)
def test_a_sites_date_is_the_date_in_its_own_time_zone(time_zone, expected):
    """A2: noon UTC on 31 December is already New Year's Day in Auckland."""
    assert Site(time_zone=time_zone).local_date(NEW_YEARS_EVE_NOON_UTC) == expected


def test_the_next_anniversary_is_counted_from_the_sites_own_date():
    """A1: a December anniversary is 31 December 2025 in London on New Year's Eve, but
    31 December 2026 in Auckland, where that day has already passed."""
    agreement = Agreement(anniversary_month=12)
    london, auckland = Site(time_zone="Europe/London"), Site(time_zone="Pacific/Auckland")

    assert agreement.next_anniversary(london.local_date(NEW_YEARS_EVE_NOON_UTC)) == date(
        2025, 12, 31
    )
    assert agreement.next_anniversary(auckland.local_date(NEW_YEARS_EVE_NOON_UTC)) == date(
        2026, 12, 31
    )
