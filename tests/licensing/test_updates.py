"""L10: product update notifications (recipients, preferences, idempotent e-mails, the daily
and weekly jobs, the admin action) and downloads of the versions users are entitled to."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from licensing import services, updates
from licensing.models import (
    CoveragePeriod,
    Entitlement,
    Order,
    UpdateNotice,
    UpdatePreference,
    Version,
)
from licensing.tasks import update_digests_send_task, updates_notify_due_task
from portal.core.models import OutgoingEmail
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory, with_totp
from tests.conftest import client_for
from tests.licensing.factories import ProductFactory, VersionFactory

# The jobs commit e-mail by e-mail and the outbox sends on commit (E1): real transactions.
pytestmark = pytest.mark.django_db(transaction=True)

WORLD_SITE_USERS = ("primary", "site_admin", "stc", "caller")


def buy(site, product, *, days_ago: int, version=None, quantity: int = 1) -> Entitlement:
    order = services.order_place(
        site=site,
        ordered_on=timezone.localdate() - timedelta(days=days_ago),
        lines=[services.LineRequest(product, quantity, None, version, Decimal(100))],
        actor=None,
        source=Order.Source.ADMIN,
        as_of=timezone.localdate(),
    )
    return Entitlement.objects.get(order_line__order=order)


def release(product, version: str, *, days_ago: int, download: bytes | None = b"PK\x03\x04"):
    released = timezone.localdate() - timedelta(days=days_ago)
    found = VersionFactory(
        product=product,
        version=version,
        release_date=released,
        eos_date=released + timedelta(days=1500),
    )
    if download is not None:
        found.download.save(f"{product.part_number}-{version}.zip", ContentFile(download))
    return found


@pytest.fixture
def catalogue(world):
    """world.site is covered for Atlas (bought 100 days ago); the other tenant's Atlas lapsed
    long ago, at version 9; a third site holds only Beacon."""
    atlas = ProductFactory(part_number="ATL-DB-100", name="Atlas Database Server")
    beacon = ProductFactory(part_number="BCN-AN-200", name="Beacon Analytics Desktop")
    old = release(atlas, "9.0", days_ago=900)
    buy(world.site, atlas, days_ago=100)
    buy(world.other_site, atlas, days_ago=800, version=old)
    beacon_site = SiteFactory(number="3333333")
    ContactFactory(site=beacon_site, user=UserFactory(email="beacon@gamma.test"))
    buy(beacon_site, beacon, days_ago=50)
    return {"atlas": atlas, "beacon": beacon, "old": old}


def users_of(world, *roles):
    return {world.users[role] for role in roles}


# --- recipients ------------------------------------------------------------------------------


def test_recipients_are_the_portal_users_of_sites_covered_on_the_release_date(world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    assert set(updates.release_recipients(version=version)) == users_of(world, *WORLD_SITE_USERS)


def test_recipients_are_found_in_one_query(world, catalogue, django_assert_num_queries):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    with django_assert_num_queries(1):
        assert len(list(updates.release_recipients(version=version))) == 4


def test_reseller_staff_and_contacts_without_an_account_are_not_recipients(world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    recipients = set(updates.release_recipients(version=version))
    assert world.users["reseller"] not in recipients
    assert world.users["staff"] not in recipients
    assert not Contact.objects.filter(site=world.site, user__isnull=True, user__in=recipients)


def test_a_site_whose_coverage_lapsed_before_the_release_is_not_told(world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    assert world.users["other_customer"] not in set(updates.release_recipients(version=version))


def test_a_release_in_a_gap_between_lapse_and_reinstatement_is_not_covered(world, catalogue):
    """L3: coverage periods, not the span from first start to last end, decide."""
    today = timezone.localdate()
    site = SiteFactory(number="4444444")
    user = UserFactory(email="gap@delta.test")
    ContactFactory(site=site, user=user)
    entitlement = buy(site, catalogue["atlas"], days_ago=700)  # covered until ~335 days ago
    services.coverage_add(
        entitlement=entitlement,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=334),
        kind=CoveragePeriod.Kind.REINSTATEMENT,
    )
    in_gap = release(catalogue["atlas"], "10.0", days_ago=100)
    after = release(catalogue["atlas"], "11.0", days_ago=10)
    assert user not in set(updates.release_recipients(version=in_gap))
    assert user in set(updates.release_recipients(version=after))


def test_an_inactive_user_or_a_never_preference_is_not_a_recipient(world, catalogue):
    world.users["caller"].is_active = False
    world.users["caller"].save()
    UpdatePreference.objects.create(user=world.users["stc"], frequency="never")
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    assert set(updates.release_recipients(version=version)) == users_of(
        world, "primary", "site_admin"
    )


# --- the daily job ---------------------------------------------------------------------------


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        call_command(command, *args)
    return out.getvalue()


@pytest.fixture
def preferences(world):
    UpdatePreference.objects.create(user=world.users["site_admin"], frequency="weekly")
    UpdatePreference.objects.create(user=world.users["stc"], frequency="never")
    # primary and caller have no preference row: at once is the default.


def test_the_daily_job_mails_immediate_readers_and_queues_weekly_ones(
    world, catalogue, preferences
):
    version = release(catalogue["atlas"], "11.0", days_ago=1)
    output = run("notify_updates")
    assert {tuple(message.to) for message in mail.outbox} == {
        ("primary@alpha.test",),
        ("caller@alpha.test",),
    }
    notices = UpdateNotice.objects.filter(version=version)
    assert {n.user for n in notices} == users_of(world, "primary", "caller", "site_admin")
    assert {n.user for n in notices.filter(sent_at__isnull=True)} == users_of(world, "site_admin")
    keys = set(OutgoingEmail.objects.values_list("key", flat=True))
    assert keys == {f"update:{version.pk}:{world.users[r].pk}" for r in ("primary", "caller")}
    version.refresh_from_db()
    assert version.notified_at is not None
    assert "ATL-DB-100 11.0" in output
    assert "3 users, 2 at once, 1 in the weekly digest" in output
    assert "sent 2 update e-mails" in output


def test_the_release_e_mail_says_what_and_where_to_download(world, catalogue, preferences):
    version = release(catalogue["atlas"], "11.0", days_ago=1)
    run("notify_updates")
    message = next(m for m in mail.outbox if m.to == ["primary@alpha.test"])
    assert message.subject == "[Entitle] Atlas Database Server 11.0 is available"
    download = reverse("licensing:download", args=[version.pk])
    assert download in message.body
    assert reverse("licensing:update_preferences") in message.body
    html = message.alternatives[0][0]
    assert download in html
    assert (
        message.extra_headers["X-Entitle-Key"] == f"update:{version.pk}:{world.users['primary'].pk}"
    )


def test_the_e_mail_is_rendered_in_the_recipients_language(world, catalogue):
    world.users["primary"].language = "pl"
    world.users["primary"].save()
    release(catalogue["atlas"], "11.0", days_ago=1)
    run("notify_updates")
    html = {m.to[0]: m.alternatives[0][0] for m in mail.outbox}
    assert '<html lang="pl">' in html["primary@alpha.test"]
    assert '<html lang="en">' in html["caller@alpha.test"]


def test_running_the_daily_job_again_sends_nothing_twice(world, catalogue, preferences):
    release(catalogue["atlas"], "11.0", days_ago=1)
    run("notify_updates")
    sent = len(mail.outbox)
    notices = UpdateNotice.objects.count()
    output = run("notify_updates")
    assert len(mail.outbox) == sent
    assert UpdateNotice.objects.count() == notices
    assert "0 releases noticed" in output


def test_a_crash_after_noticing_is_caught_up_by_the_next_run(world, catalogue, monkeypatch):
    version = release(catalogue["atlas"], "11.0", days_ago=1)
    updates.version_release(version=version, now=timezone.now())  # noticed, never sent
    assert mail.outbox == []
    run("notify_updates")
    assert len(mail.outbox) == 4


def test_a_dry_run_writes_and_sends_nothing(world, catalogue, preferences):
    version = release(catalogue["atlas"], "11.0", days_ago=1)
    output = run("notify_updates", "--dry-run")
    assert mail.outbox == []
    assert not UpdateNotice.objects.exists()
    version.refresh_from_db()
    assert version.notified_at is None
    assert output.startswith("[dry run] ATL-DB-100 11.0")
    assert "would send 2 update e-mails" in output


def test_the_daily_job_ignores_old_releases_nobody_was_told_about(world, catalogue):
    """Going live with years of catalogue history must not e-mail about version 9.0."""
    old = release(catalogue["atlas"], "10.0", days_ago=updates.RELEASE_CATCH_UP.days + 1)
    caught_up = release(catalogue["atlas"], "10.1", days_ago=updates.RELEASE_CATCH_UP.days)
    run("notify_updates")
    old.refresh_from_db()
    caught_up.refresh_from_db()
    assert old.notified_at is None
    assert caught_up.notified_at is not None


def test_a_future_release_waits_for_its_date(world, catalogue):
    version = release(catalogue["atlas"], "12.0", days_ago=-7)
    run("notify_updates")
    assert mail.outbox == []
    run("notify_updates", "--as-of", (timezone.localdate() + timedelta(days=7)).isoformat())
    version.refresh_from_db()
    assert version.notified_at is not None
    assert len(mail.outbox) == 4


def test_other_products_releases_tell_only_their_own_sites(world, catalogue):
    release(catalogue["beacon"], "7.0", days_ago=1)
    run("notify_updates")
    assert [m.to for m in mail.outbox] == [["beacon@gamma.test"]]


def test_noticing_a_release_takes_the_same_queries_for_3_or_30_recipients(world, catalogue):
    counts = []
    for extra_sites in (0, 9):
        for n in range(extra_sites):
            site = SiteFactory()
            for k in range(3):
                ContactFactory(site=site, user=UserFactory(email=f"u{n}-{k}@many.test"))
            buy(site, catalogue["atlas"], days_ago=100)
        version = release(catalogue["atlas"], f"11.{extra_sites}", days_ago=1)
        with CaptureQueriesContext(connection) as captured:
            result = updates.version_release(version=version, now=timezone.now())
        counts.append((result.recipients, len(captured)))
    assert [recipients for recipients, _queries in counts] == [4, 31]
    assert counts[0][1] == counts[1][1]


def test_the_celery_tasks_run_the_jobs(world, catalogue):
    release(catalogue["atlas"], "11.0", days_ago=1)
    updates_notify_due_task.delay()
    assert len(mail.outbox) == 4
    update_digests_send_task.delay()  # nobody reads weekly: nothing to send
    assert len(mail.outbox) == 4


def test_beat_runs_both_jobs_daily(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "licensing.tasks.updates_notify_due_task",
        "licensing.tasks.update_digests_send_task",
    } <= tasks


# --- the weekly digest -----------------------------------------------------------------------


def monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def test_the_digest_lists_last_weeks_releases_in_one_e_mail(world, catalogue, preferences):
    first = release(catalogue["atlas"], "11.0", days_ago=3)
    second = release(catalogue["atlas"], "11.1", days_ago=2)
    run("notify_updates")
    mail.outbox.clear()
    monday = monday_after(timezone.localdate())
    output = run("send_update_digests", "--as-of", monday.isoformat())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@alpha.test"]
    assert message.subject == "[Entitle] Your weekly digest: 2 new product versions"
    assert "Atlas Database Server (ATL-DB-100) 11.0" in message.body
    assert "Atlas Database Server (ATL-DB-100) 11.1" in message.body
    week = updates.week_label(monday)
    assert OutgoingEmail.objects.filter(
        key=f"digest:{world.users['site_admin'].pk}:{week}"
    ).exists()
    assert not UpdateNotice.objects.filter(version__in=[first, second], sent_at__isnull=True)
    assert f"week {week}): sent 1 digests listing 2 releases" in output


def test_a_second_run_in_the_same_week_sends_no_second_digest(world, catalogue, preferences):
    release(catalogue["atlas"], "11.0", days_ago=3)
    run("notify_updates")
    mail.outbox.clear()
    monday = monday_after(timezone.localdate())
    run("send_update_digests", "--as-of", monday.isoformat())
    # A release noticed late, dated last week: it waits for next week's digest.
    release(catalogue["atlas"], "11.1", days_ago=2)
    run("notify_updates")
    output = run("send_update_digests", "--as-of", (monday + timedelta(days=2)).isoformat())
    digests = [m for m in mail.outbox if m.to == ["admin@alpha.test"]]
    assert len(digests) == 1
    assert "1 users already had this week's digest" in output
    run("send_update_digests", "--as-of", (monday + timedelta(days=7)).isoformat())
    digests = [m for m in mail.outbox if m.to == ["admin@alpha.test"]]
    assert len(digests) == 2
    assert "11.1" in digests[1].body


def test_this_weeks_releases_wait_for_next_weeks_digest(world, catalogue, preferences):
    today = timezone.localdate()
    release(catalogue["atlas"], "11.0", days_ago=0)
    run("notify_updates")
    mail.outbox.clear()
    run("send_update_digests", "--as-of", today.isoformat())
    assert mail.outbox == []
    run("send_update_digests", "--as-of", monday_after(today).isoformat())
    assert len(mail.outbox) == 1


def test_a_digest_dry_run_sends_nothing(world, catalogue, preferences):
    release(catalogue["atlas"], "11.0", days_ago=3)
    run("notify_updates")
    mail.outbox.clear()
    output = run(
        "send_update_digests",
        "--dry-run",
        "--as-of",
        monday_after(timezone.localdate()).isoformat(),
    )
    assert mail.outbox == []
    assert UpdateNotice.objects.filter(sent_at__isnull=True).count() == 1
    assert output.startswith("[dry run] send_update_digests")
    assert "would send 1 digests listing 1 releases" in output


# --- the admin action ------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    root = with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    client.force_login(root)
    return client


def test_the_admin_action_tells_entitled_users_at_once(
    admin_client, world, catalogue, django_capture_on_commit_callbacks
):
    version = release(catalogue["atlas"], "11.0", days_ago=0)
    future = release(catalogue["atlas"], "12.0", days_ago=-30)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:licensing_version_changelist"),
            {"action": "release_notify", "_selected_action": [version.pk, future.pk]},
            follow=True,
        )
    assert response.status_code == 200
    content = response.content.decode()
    assert "ATL-DB-100 11.0: 4 users are told" in content
    assert "ATL-DB-100 12.0 is released on" in content
    assert len(mail.outbox) == 4
    future.refresh_from_db()
    assert future.notified_at is None
    with django_capture_on_commit_callbacks(execute=True):
        again = admin_client.post(
            reverse("admin:licensing_version_changelist"),
            {"action": "release_notify", "_selected_action": [version.pk]},
            follow=True,
        )
    assert "was already notified" in again.content.decode()
    assert len(mail.outbox) == 4


# --- downloads -------------------------------------------------------------------------------


def test_downloads_list_the_versions_released_while_covered(client, world, catalogue):
    current = release(catalogue["atlas"], "11.0", days_ago=10)
    release(catalogue["atlas"], "8.0", days_ago=400)  # before the site bought Atlas
    release(catalogue["atlas"], "12.0", days_ago=-5)  # not released yet
    release(catalogue["atlas"], "11.1", days_ago=5, download=None)  # nothing to download
    release(catalogue["beacon"], "7.0", days_ago=5)  # a product the site does not hold
    client_for(client, world, "caller")
    response = client.get(reverse("licensing:downloads"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [current]


def test_a_licence_keeps_the_download_of_the_version_it_holds(client, world, catalogue):
    """The other tenant's Atlas 9.0 lapsed long ago: 9.0 stays, 11.0 is not theirs."""
    release(catalogue["atlas"], "11.0", days_ago=10)
    client_for(client, world, "other_customer")
    response = client.get(reverse("licensing:downloads"))
    assert list(response.context["page"].object_list) == [catalogue["old"]]


def test_an_entitled_user_downloads_the_file(client, world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=10, download=b"atlas 11 installer")
    client_for(client, world, "stc")
    response = client.get(reverse("licensing:download", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"atlas 11 installer"
    disposition = response["Content-Disposition"]  # storage may add a suffix to the name
    assert disposition.startswith('attachment; filename="ATL-DB-100-11')
    assert disposition.endswith('.zip"')


@pytest.mark.parametrize("role", ["other_customer", "other_reseller"])
def test_a_version_the_user_is_not_entitled_to_is_404(client, world, catalogue, role):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    client_for(client, world, role)
    assert client.get(reverse("licensing:download", args=[version.pk])).status_code == 404


def test_a_version_without_a_file_or_not_released_is_404(client, world, catalogue):
    no_file = release(catalogue["atlas"], "11.0", days_ago=10, download=None)
    future = release(catalogue["atlas"], "12.0", days_ago=-10)
    client_for(client, world, "primary")
    assert client.get(reverse("licensing:download", args=[no_file.pk])).status_code == 404
    assert client.get(reverse("licensing:download", args=[future.pk])).status_code == 404
    assert client.get(reverse("licensing:download", args=[999999])).status_code == 404


def test_the_reseller_sees_its_clients_downloads(client, world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    client_for(client, world, "reseller")
    assert client.get(reverse("licensing:download", args=[version.pk])).status_code == 200


def test_the_downloads_list_paginates_in_constant_queries(
    client, world, catalogue, django_assert_max_num_queries
):
    client_for(client, world, "primary")
    url = reverse("licensing:downloads")
    counts = []
    for total in (2, 30):
        while (
            Version.objects.filter(product=catalogue["atlas"]).exclude(download="").count() <= total
        ):
            n = Version.objects.count()
            release(catalogue["atlas"], f"10.{n}", days_ago=1 + n % 90)
        client.get(url)
        with django_assert_max_num_queries(12) as captured:
            response = client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(response.context["page"].object_list) == 25


def test_downloads_need_a_sign_in(client, world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=10)
    for url in (reverse("licensing:downloads"), reverse("licensing:download", args=[version.pk])):
        assert client.get(url)["Location"].startswith(reverse("account_login"))


# --- the preference ---------------------------------------------------------------------------


def test_the_preference_page_shows_at_once_by_default_and_saves_a_choice(client, world):
    client_for(client, world, "primary")
    url = reverse("licensing:update_preferences")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["frequency"].value() == "immediate"
    response = client.post(url, {"frequency": "weekly"})
    assert response.status_code == 302
    assert UpdatePreference.objects.get(user=world.users["primary"]).frequency == "weekly"
    assert client.get(url).context["form"]["frequency"].value() == "weekly"


def test_an_unknown_preference_is_refused(client, world):
    client_for(client, world, "primary")
    response = client.post(reverse("licensing:update_preferences"), {"frequency": "hourly"})
    assert response.status_code == 200
    assert response.context["form"].errors["frequency"]
    assert not UpdatePreference.objects.exists()


# --- a release without a file (review #7 item 10) ---------------------------------------------
# Reading: the release e-mail promises a download, and /downloads/ lists only versions with a
# file, so a version is announced only once it has its file. Until then the daily job leaves
# it un-notified (it goes out on the first run after the upload, within the catch-up window),
# the admin action refuses it with the reason, and saving such a version in the admin warns.


def test_a_release_without_a_file_is_not_announced_until_its_file_is_uploaded(world, catalogue):
    version = release(catalogue["atlas"], "11.0", days_ago=1, download=None)

    output = run("notify_updates")

    version.refresh_from_db()
    assert (version.notified_at, mail.outbox) == (None, [])
    assert not UpdateNotice.objects.exists()
    assert "ATL-DB-100 11.0 has no file to download yet: nobody is told" in output
    version.download.save("atlas-11.zip", ContentFile(b"PK\x03\x04"))
    run("notify_updates")
    assert len(mail.outbox) == 4
    download = reverse("licensing:download", args=[version.pk])
    assert all(download in message.body for message in mail.outbox)


def test_a_notice_whose_file_was_removed_waits_for_the_file(world, catalogue, preferences):
    version = release(catalogue["atlas"], "11.0", days_ago=3)
    updates.version_release(version=version, now=timezone.now())  # noticed, not sent yet
    Version.objects.filter(pk=version.pk).update(download="")

    run("notify_updates")
    run("send_update_digests", "--as-of", monday_after(timezone.localdate()).isoformat())

    assert mail.outbox == []
    assert UpdateNotice.objects.filter(sent_at__isnull=True).count() == 3


def test_the_admin_action_refuses_a_version_without_a_file(
    admin_client, world, catalogue, django_capture_on_commit_callbacks
):
    version = release(catalogue["atlas"], "11.0", days_ago=0, download=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:licensing_version_changelist"),
            {"action": "release_notify", "_selected_action": [version.pk]},
            follow=True,
        )

    content = response.content.decode()
    assert "ATL-DB-100 11.0 has no file to download yet: nobody is told" in content
    assert "Upload its file, then release it." in content
    assert mail.outbox == []
    version.refresh_from_db()
    assert version.notified_at is None
    assert not UpdateNotice.objects.exists()


def test_saving_a_released_version_without_a_file_warns_that_nobody_is_told(
    admin_client, catalogue
):
    today = timezone.localdate()

    response = admin_client.post(
        reverse("admin:licensing_version_add"),
        {
            "product": catalogue["atlas"].pk,
            "version": "11.0",
            "release_date": today.isoformat(),
            "eos_date": (today + timedelta(days=900)).isoformat(),
            "upgrade_price": "100.00",
        },
        follow=True,
    )

    content = response.content.decode()
    assert Version.objects.filter(version="11.0").exists()
    assert "ATL-DB-100 11.0 has no file to download yet: nobody is told" in content


def test_saving_a_version_with_its_file_gives_no_warning(admin_client, catalogue):
    today = timezone.localdate()

    response = admin_client.post(
        reverse("admin:licensing_version_add"),
        {
            "product": catalogue["atlas"].pk,
            "version": "11.0",
            "release_date": today.isoformat(),
            "eos_date": (today + timedelta(days=900)).isoformat(),
            "upgrade_price": "100.00",
            "download": ContentFile(b"PK\x03\x04", name="atlas-11.zip"),
        },
        follow=True,
    )

    assert Version.objects.exclude(download="").filter(version="11.0").exists()
    assert "has no file to download yet" not in response.content.decode()


def render_release_email(world, catalogue, *, with_file: bool) -> tuple[str, str]:
    version = release(
        catalogue["atlas"], "11.1" if with_file else "11.0", days_ago=1, download=None
    )
    context = {
        "user": world.users["primary"],
        "version": version,
        "product": version.product,
        **updates._links(version),
    }
    if with_file:
        context["download_url"] = "https://portal.test/downloads/1/"
    return (
        render_to_string("emails/update_release.txt", context),
        render_to_string("emails/update_release.html", context),
    )


def test_the_release_e_mail_promises_the_download_only_with_a_file(world, catalogue):
    text, html = render_release_email(world, catalogue, with_file=True)
    assert "you may download and install it" in text
    assert "you may download and install it" in html

    text, html = render_release_email(world, catalogue, with_file=False)
    assert "download and install" not in text
    assert "download and install" not in html
    assert "its file will be on your downloads page" in text


def test_the_release_e_mail_writes_the_date_for_the_reader(world, catalogue):
    text, _html = render_release_email(world, catalogue, with_file=True)
    released = timezone.localdate() - timedelta(days=1)
    assert f"was released on {released.day} {released:%b} {released.year}" in text
