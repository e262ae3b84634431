"""L10: product update notifications and downloads (reads and writes in one module).

Who hears about a release: the **contacts with portal accounts** (active users) of every site
holding an entitlement to the product whose S&S coverage includes the release date. Reseller
users are not notified: they are not a site's users, they manage many clients' sites, and a
release mail per client release would drown them; they still see the downloads of their
clients' sites. Staff are notified only if they are a site's contact.

How they hear about it follows their UpdatePreference (no row: at once):

- at once: one e-mail per release, key ``update:<version>:<user>``;
- weekly: one digest per ISO week listing releases dated before that week, key
  ``digest:<user>:<yyyy>-W<ww>``; the daily job sends it on its first run of the week, so a
  missed run is caught up the next day;
- never: no notice is recorded at all.

Only a version with a file to download is announced (review #7 item 10): the e-mail says
"you may download and install it" and /downloads/ lists only versions with a file. A version
released without one waits, un-notified: the daily job announces it on its first run after the
file is uploaded (within the catch-up window), or staff use the admin action. A notice whose
file was removed after it was recorded waits for the file too.

Everything is set-based: one query finds the recipients of a release, notices are inserted
with ``bulk_create(ignore_conflicts=True)`` (the unique (user, version) pair makes a re-run a
no-op), and e-mails go out per user (E1: each claimed by its key before sending, so a re-run,
a retried task or a crash never sends one twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Contact, User
from accounts.selectors import sites_for_user
from licensing.models import CoveragePeriod, UpdateNotice, UpdatePreference, Version
from portal.core.jobs import enqueue_on_commit
from portal.core.mail import email_queue
from portal.core.models import OutgoingEmail

Frequency = UpdatePreference.Frequency
NOTICE_BATCH = 1000
# The daily job looks this far back for releases nobody was told about, so a missed day is
# caught up, but a catalogue loaded with years of history (or this feature going live) does
# not e-mail about old versions. Staff can still notify any version with the admin action.
RELEASE_CATCH_UP = timedelta(days=14)


# --- reads ---------------------------------------------------------------------------------


def covered_sites_on_release(*, version: Version) -> QuerySet:
    """Ids of the sites holding the product with a coverage period over the release date
    (L3: the periods, so a gap between lapsing and reinstatement does not count)."""
    return CoveragePeriod.objects.filter(
        entitlement__product_id=version.product_id,
        entitlement__quantity__gt=0,
        starts_on__lte=version.release_date,
        ends_on__gte=version.release_date,
    ).values("entitlement__site_id")


def release_recipients(*, version: Version) -> QuerySet[User]:
    """L10: the users to tell about a release (see the module docstring): one query."""
    contacts = Contact.objects.filter(
        site_id__in=covered_sites_on_release(version=version), user__isnull=False
    )
    return (
        User.objects.filter(is_active=True, pk__in=contacts.values("user_id"))
        .exclude(update_preference__frequency=Frequency.NEVER)
        .order_by("pk")
    )


def update_frequency(user: User) -> str:
    preference = UpdatePreference.objects.filter(user=user).values_list("frequency", flat=True)
    return preference.first() or Frequency.IMMEDIATE


def _released_unnotified(*, as_of: date) -> QuerySet[Version]:
    return (
        Version.objects.filter(
            notified_at__isnull=True,
            release_date__lte=as_of,
            release_date__gte=as_of - RELEASE_CATCH_UP,
        )
        .select_related("product")
        .order_by("release_date", "pk")
    )


def versions_due_for_release(*, as_of: date) -> QuerySet[Version]:
    """Released by `as_of` (within the catch-up window), with a file to download, and nobody
    told yet: the daily job's work."""
    return _released_unnotified(as_of=as_of).exclude(download="")


def versions_waiting_for_file(*, as_of: date) -> QuerySet[Version]:
    """Released within the catch-up window but not announced: no file to download yet."""
    return _released_unnotified(as_of=as_of).filter(download="")


def _immediate_pending() -> QuerySet[UpdateNotice]:
    return (
        UpdateNotice.objects.filter(sent_at__isnull=True, user__is_active=True)
        .exclude(user__update_preference__frequency__in=[Frequency.WEEKLY, Frequency.NEVER])
        .exclude(version__download="")
    )


def week_label(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digest_notices_due(*, as_of: date) -> QuerySet[UpdateNotice]:
    """Weekly readers' unsent notices of releases dated before the week of `as_of`."""
    return UpdateNotice.objects.filter(
        sent_at__isnull=True,
        user__update_preference__frequency=Frequency.WEEKLY,
        user__is_active=True,
        version__release_date__lt=week_start(as_of),
    ).exclude(version__download="")


def versions_downloadable_for_user(*, user: User, as_of: date) -> QuerySet[Version]:
    """L10: versions released by `as_of` with a file, that the user's sites are entitled to: an
    entitlement to the product covered on the version's release date, or holding that very
    version (a licence bought for an older version keeps its download after S&S lapses)."""
    sites = sites_for_user(user)
    covered_at_release = CoveragePeriod.objects.filter(
        entitlement__site__in=sites,
        entitlement__quantity__gt=0,
        entitlement__product_id=OuterRef("product_id"),
        starts_on__lte=OuterRef("release_date"),
        ends_on__gte=OuterRef("release_date"),
    )
    holds_it = CoveragePeriod.objects.filter(
        entitlement__site__in=sites,
        entitlement__quantity__gt=0,
        entitlement__version_id=OuterRef("pk"),
    )
    return (
        Version.objects.filter(release_date__lte=as_of)
        .exclude(download="")
        .filter(Exists(covered_at_release) | Exists(holds_it))
        .select_related("product")
        .order_by("product__name", "-release_date", "pk")
    )


# --- writes --------------------------------------------------------------------------------


@dataclass
class ReleaseResult:
    version: Version
    recipients: int = 0
    immediate: int = 0
    weekly: int = 0
    already_notified: bool = False
    no_file: bool = False  # nothing to download yet: nobody is told (see the docstring)


@transaction.atomic
def version_release(*, version: Version, now: datetime, dry_run: bool = False) -> ReleaseResult:
    """L10: record a notice for everyone to tell about the release, and mark it notified.
    Sending is separate (update_notices_send_immediate, update_digests_send)."""
    version = (
        Version.objects.select_for_update(of=("self",)).select_related("product").get(pk=version.pk)
    )
    if version.notified_at is not None:
        return ReleaseResult(version=version, already_notified=True)
    if not version.download:
        return ReleaseResult(version=version, no_file=True)
    recipients = release_recipients(version=version)
    counts = recipients.aggregate(
        total=Count("pk"),
        weekly=Count("pk", filter=Q(update_preference__frequency=Frequency.WEEKLY)),
    )
    result = ReleaseResult(
        version=version,
        recipients=counts["total"],
        weekly=counts["weekly"],
        immediate=counts["total"] - counts["weekly"],
    )
    if dry_run:
        return result
    user_ids = recipients.values_list("pk", flat=True).iterator(chunk_size=NOTICE_BATCH)
    UpdateNotice.objects.bulk_create(
        (UpdateNotice(user_id=user_id, version=version) for user_id in user_ids),
        batch_size=NOTICE_BATCH,
        ignore_conflicts=True,
    )
    version.notified_at = now
    version.save(update_fields=["notified_at"])
    return result


def version_label(version: Version) -> str:
    return f"{version.product.part_number} {version.version}"


def version_no_file_message(version: Version) -> str:
    """Why a released version was not announced (the daily job's summary, the admin)."""
    return _(
        "%(version)s has no file to download yet: nobody is told until its file is uploaded."
    ) % {"version": version_label(version)}


def _links(version: Version | None = None) -> dict:
    links = {
        "downloads_url": settings.SITE_URL + reverse("licensing:downloads"),
        "preferences_url": settings.SITE_URL + reverse("licensing:update_preferences"),
    }
    if version is not None and version.download:
        links["download_url"] = settings.SITE_URL + reverse(
            "licensing:download", kwargs={"version_id": version.pk}
        )
    return links


def update_notice_send(*, notice: UpdateNotice, now: datetime) -> None:
    """E1/E2: one release e-mail in the user's language, written to the outbox under its key
    in the same transaction that marks the notice sent."""
    user, version = notice.user, notice.version
    with transaction.atomic():
        email_queue(
            key=f"update:{version.pk}:{user.pk}",
            to=[user.email],
            template="update_release",
            context={
                "user": user,
                "version": version,
                "product": version.product,
                **_links(version),
            },
            language=user.language,
            about={"version": version.pk, "user": user.pk},
        )
        UpdateNotice.objects.filter(pk=notice.pk).update(sent_at=now)


def update_notices_send_immediate(
    *, now: datetime, version_id: int | None = None, dry_run: bool = False
) -> int:
    """Send the unsent notices of users who want them at once (all releases, or one)."""
    pending = _immediate_pending().filter(version__notified_at__isnull=False)
    if version_id is not None:
        pending = pending.filter(version_id=version_id)
    if dry_run:
        return pending.count()
    sent = 0
    for notice in pending.select_related("user", "version__product").iterator(chunk_size=500):
        update_notice_send(notice=notice, now=now)
        sent += 1
    return sent


@dataclass
class NotifySummary:
    as_of: date
    releases: list[ReleaseResult] = field(default_factory=list)
    waiting_for_file: list[Version] = field(default_factory=list)
    sent: int = 0

    @property
    def recipients(self) -> int:
        return sum(result.recipients for result in self.releases)


def updates_notify_due(*, as_of: date, now: datetime, dry_run: bool = False) -> NotifySummary:
    """The daily job (N10): notice every release dated by `as_of` not yet notified, then send
    every unsent notice of users who want them at once (including ones a crash left)."""
    summary = NotifySummary(
        as_of=as_of, waiting_for_file=list(versions_waiting_for_file(as_of=as_of))
    )
    for version in versions_due_for_release(as_of=as_of):
        summary.releases.append(version_release(version=version, now=now, dry_run=dry_run))
    summary.sent = update_notices_send_immediate(now=now, dry_run=dry_run)
    if dry_run:
        summary.sent += sum(result.immediate for result in summary.releases)
    return summary


@dataclass
class DigestSummary:
    as_of: date
    week: str
    users: int = 0
    notices: int = 0
    skipped: int = 0  # this week's digest already went out; their notices wait a week


def update_digests_send(*, as_of: date, now: datetime, dry_run: bool = False) -> DigestSummary:
    """The weekly digest (run daily, N10): per weekly reader, one e-mail listing their unsent
    notices of releases dated before this ISO week, at most one per user per week."""
    week = week_label(as_of)
    summary = DigestSummary(as_of=as_of, week=week)
    due = digest_notices_due(as_of=as_of)
    user_ids = list(due.order_by().values_list("user_id", flat=True).distinct())
    already = set(
        OutgoingEmail.objects.filter(
            key__in=[f"digest:{user_id}:{week}" for user_id in user_ids]
        ).values_list("key", flat=True)
    )
    for user_id in user_ids:
        key = f"digest:{user_id}:{week}"
        if key in already:
            summary.skipped += 1
            continue
        notices = list(
            due.filter(user_id=user_id)
            .select_related("user", "version__product")
            .order_by("version__product__name", "version__release_date", "pk")
        )
        summary.users += 1
        summary.notices += len(notices)
        if dry_run or not notices:
            continue
        user = notices[0].user
        with transaction.atomic():
            email_queue(
                key=key,
                to=[user.email],
                template="update_digest",
                context={
                    "user": user,
                    "week": week,
                    "versions": [notice.version for notice in notices],
                    **_links(),
                },
                language=user.language,
                about={"user": user.pk, "week": week},
            )
            UpdateNotice.objects.filter(pk__in=[notice.pk for notice in notices]).update(
                sent_at=now
            )
    return summary


def update_preference_set(*, user: User, frequency: str) -> UpdatePreference:
    preference, _created = UpdatePreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return preference


def release_now(*, version: Version, now: datetime) -> ReleaseResult:
    """The admin action: notice the release now and send the at-once e-mails from the worker
    when the transaction commits."""
    result = version_release(version=version, now=now)
    if not (result.already_notified or result.no_file):
        enqueue_on_commit(update_notices_send_task, version.pk)
    return result


@shared_task(
    name="licensing.tasks.update_notices_send_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def update_notices_send_task(version_id: int) -> None:
    """L10: after staff release a version, e-mail the users who want to hear at once."""
    update_notices_send_immediate(now=timezone.now(), version_id=version_id)
