"""Dates and times in the reader's locale (issue #10 item 1, SPEC E2): the one formatting
function of each kind in portal.core.formatting, then pages and an e-mail rendered in Polish
and Traditional Chinese through the `day`, `when` and `month` filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services
from portal.core.formatting import format_day, format_month, format_when
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory, with_totp
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory
from tests.support.factories import ticket_opened

WINTER = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 14, 5, tzinfo=UTC)  # 16:05 CEST in Warsaw
NBSP = "\u00a0"

# fmt: off
MOMENTS = [
    # language, zone, moment, with the zone's name?, expected
    ("en", "UTC", WINTER, False, "1 Dec 2026, 14:05"),
    ("pl", "UTC", WINTER, False, "1 gru 2026, 14:05"),
    ("zh-hant", "UTC", WINTER, False, "2026年12月1日 14:05"),
    ("en", "UTC", WINTER, True, "1 Dec 2026, 14:05 UTC"),
    ("pl", "UTC", WINTER, True, "1 gru 2026, 14:05 UTC"),
    ("zh-hant", "UTC", WINTER, True, "2026年12月1日 14:05 UTC"),
    ("en", "Europe/Warsaw", WINTER, True, "1 Dec 2026, 15:05 CET"),
    ("en", "Europe/Warsaw", SUMMER, True, "1 Jul 2026, 16:05 CEST"),
    ("pl", "Europe/Warsaw", SUMMER, True, "1 lip 2026, 16:05 CEST"),
    ("zh-hant", "Europe/Warsaw", SUMMER, False, "2026年7月1日 16:05"),
    # a naive moment is taken to be in the current zone already
    ("en", "Europe/Warsaw", datetime(2026, 7, 1, 16, 5), True, "1 Jul 2026, 16:05 CEST"),  # noqa: DTZ001
]
# fmt: on


@pytest.mark.parametrize(("language", "zone", "moment", "named", "expected"), MOMENTS)
def test_a_moment_reads_in_the_readers_locale_and_time_zone(
    language, zone, moment, named, expected
):
    with timezone.override(zone):
        assert format_when(moment, language=language, zone=named) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "2 Jul 2026"), ("pl", "2 lip 2026"), ("zh-hant", "2026年7月2日")],
)
def test_the_day_of_a_moment_is_the_day_in_the_current_time_zone(language, expected):
    """23:30 UTC on 1 July is already 2 July in Warsaw (summer time, UTC+2)."""
    with timezone.override("Europe/Warsaw"):
        moment = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
        assert format_day(moment, language=language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "December 2026"), ("pl", "grudzień 2026"), ("zh-hant", "2026年12月")],
)
def test_a_month_stands_alone_in_the_readers_locale(language, expected):
    assert format_month(date(2026, 12, 1), language=language) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ moment|when }}", "1 gru 2026, 14:05"),
        ('{{ moment|when:"zone" }}', "1 gru 2026, 14:05 UTC"),
        ("{{ moment.isoformat|when }}", "1 gru 2026, 14:05"),
        ("{{ moment|day|nbsp }}", f"1{NBSP}gru{NBSP}2026"),
        ("{{ moment.date.isoformat|day }}", "1 gru 2026"),
        ("{{ moment|month }}", "grudzień 2026"),
        ("{{ nothing|when }}{{ nothing|day }}{{ nothing|month }}", ""),
    ],
)
def test_the_filters_format_in_the_active_language(source, expected):
    template = Template("{% load portal_format %}" + source)
    with translation.override("pl"):
        assert template.render(Context({"moment": WINTER, "nothing": None})) == expected


# --- pages and an e-mail in Polish and Traditional Chinese ---------------------------------

# What each language's dates look like, written independently of the formatting functions.
LOOKS = {
    "pl": re.compile(r"\d{1,2}[ \u00a0]gru[ \u00a0]\d{4}"),
    "zh-hant": re.compile(r"\d{4}年12月\d{1,2}日"),
}


@pytest.fixture
def reader(world, request):
    """The caller of `world`, reading in the test's language."""
    user = world.users["caller"]
    user.language = request.param
    user.save(update_fields=["language"])
    return request.param


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["pl", "zh-hant"], indirect=True)
def test_the_inventory_shows_coverage_ends_in_the_readers_locale(client, world, reader):
    EntitlementFactory(
        site=world.site, coverage_start=date(2026, 1, 1), coverage_end=date(2026, 12, 31)
    )
    client_for(client, world, "caller")
    page = client.get(reverse("licensing:inventory")).content.decode()
    expected = format_day(date(2026, 12, 31), language=reader).replace(" ", NBSP)
    assert expected in page
    assert LOOKS[reader].search(page)
    assert "2026-12-31<" not in page  # no ISO date as text


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["pl", "zh-hant"], indirect=True)
def test_the_ticket_page_shows_its_moments_in_the_readers_locale(client, world, reader):
    ticket = ticket_opened(world, now=WINTER)
    client_for(client, world, "caller")
    page = client.get(
        reverse("support:ticket_detail", kwargs={"number": ticket.number})
    ).content.decode()
    assert format_when(WINTER, language=reader) in page
    assert format_when(ticket.response_due_at, language=reader) in page
    assert LOOKS[reader].search(page)
    assert "2026-12-01 14:05" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["pl", "zh-hant"])
def test_the_invitation_gives_its_expiry_in_the_recipients_locale(
    language, django_capture_on_commit_callbacks
):
    site = SiteFactory(number="4440002")
    contact = ContactFactory(site=site, email="ola@acme.test", language=language)
    staff = with_totp(UserFactory(email="staff@vendor.test", is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(contact=contact, invited_by=staff, now=WINTER)
    message = mail.outbox[0]
    expected = format_when(invitation.expires_at, language=language, zone=True)
    for part in (message.body, message.alternatives[0][0]):
        assert expected in part
        assert LOOKS[language].search(part)
