"""S4: holidays as data: seeded from the `holidays` package (idempotent), by command or from
the admin's "Seed a country's holidays" page, then edited by staff; the SLA clock skips them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from support.holidays import holidays_seed
from support.models import Holiday
from support.selectors import calendar_for_site
from support.sla import targets
from tests.accounts.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_seeding_poland_adds_its_public_holidays():
    added = holidays_seed(country="PL", years=[2026])

    days = set(Holiday.objects.filter(country="PL").values_list("day", flat=True))
    assert added == len(days) >= 13
    assert {date(2026, 1, 1), date(2026, 5, 3), date(2026, 12, 25), date(2026, 12, 26)} <= days
    assert Holiday.objects.get(country="PL", day=date(2026, 1, 1)).name == "New Year's Day"


def test_seeding_again_adds_nothing_and_keeps_staff_edits():
    holidays_seed(country="PL", years=[2026])
    Holiday.objects.filter(country="PL", day=date(2026, 1, 1)).update(name="Nowy Rok")
    count = Holiday.objects.count()

    assert holidays_seed(country="pl", years=[2026]) == 0

    assert Holiday.objects.count() == count
    assert Holiday.objects.get(country="PL", day=date(2026, 1, 1)).name == "Nowy Rok"


def test_seeding_more_years_adds_only_the_new_days():
    first = holidays_seed(country="TW", years=[2026])
    both = holidays_seed(country="TW", years=[2026, 2027])
    assert first > 0
    assert both > 0
    assert Holiday.objects.filter(country="TW").count() == first + both


def test_an_unknown_country_is_a_clear_error():
    with pytest.raises(ValidationError, match="no public holidays for the country “XX”"):
        holidays_seed(country="XX", years=[2026])
    assert not Holiday.objects.exists()


def test_a_seeded_holiday_moves_the_due_time(world):
    """S4: Easter Monday 2026 (6 April) in Poland: a severity 2 ticket opened on Good Friday
    at 16:30 (site time, UTC+2) is due Tuesday 10:00, not Monday."""
    holidays_seed(country="PL", years=[2026])
    opened = datetime(2026, 4, 3, 14, 30, tzinfo=UTC)
    calendar = calendar_for_site(world.site, start=opened.date())
    due = targets(opened_at=opened, severity=2, calendar=calendar).due_at
    assert due == datetime(2026, 4, 7, 8, 0, tzinfo=UTC)


def test_the_command_seeds_years_and_is_safe_to_run_again(capsys):
    call_command("seed_holidays", "--country", "PL", "--year", "2026", "--year", "2027")
    first = Holiday.objects.count()
    call_command("seed_holidays", "--country", "PL", "--year", "2026", "--year", "2027")

    assert Holiday.objects.count() == first
    assert Holiday.objects.filter(day__year=2027).exists()
    out = capsys.readouterr().out
    assert f"PL 2026, 2027: {first} holiday(s) added" in out
    assert "PL 2026, 2027: 0 holiday(s) added" in out


def test_the_command_refuses_an_unknown_country():
    with pytest.raises(CommandError, match="XX"):
        call_command("seed_holidays", "--country", "XX", "--year", "2026")


def test_the_admin_lists_holidays_with_a_seed_button(admin_client):
    holidays_seed(country="PL", years=[2026])
    page = admin_client.get(reverse("admin:support_holiday_changelist"), {"country__exact": "PL"})
    assert page.status_code == 200
    assert "New Year&#x27;s Day" in page.text or "New Year's Day" in page.text
    assert reverse("admin:support_holiday_seed") in page.text


def test_the_admin_seeds_a_country_and_says_how_many(admin_client):
    year = timezone.localdate().year  # the form offers last year to three years ahead
    page = admin_client.post(
        reverse("admin:support_holiday_seed"), {"country": "PL", "years": [year]}, follow=True
    )
    added = Holiday.objects.filter(country="PL").count()
    assert added >= 13
    assert page.redirect_chain[-1][0].endswith("?country__exact=PL")
    assert f"{added} holiday(s) added for PL ({year})." in page.text


def test_the_seed_form_refuses_an_empty_choice(admin_client):
    page = admin_client.post(reverse("admin:support_holiday_seed"), {})
    assert page.status_code == 200
    assert "This field is required." in page.text
    assert not Holiday.objects.exists()


def test_staff_without_the_add_permission_may_not_seed(client):
    staff = with_totp(UserFactory(email="viewer@vendor.test", is_staff=True))
    staff.user_permissions.add(Permission.objects.get(codename="view_holiday"))
    client.force_login(staff)

    listed = client.get(reverse("admin:support_holiday_changelist"))
    refused = client.post(
        reverse("admin:support_holiday_seed"),
        {"country": "PL", "years": [timezone.localdate().year]},
    )

    assert listed.status_code == 200
    assert reverse("admin:support_holiday_seed") not in listed.text
    assert refused.status_code == 403
    assert not Holiday.objects.exists()
