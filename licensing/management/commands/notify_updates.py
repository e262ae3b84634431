"""L10 (N10): the daily update-notification job, runnable by hand for any day."""

from django.utils import timezone

from licensing.updates import updates_notify_due, version_no_file_message
from portal.core.batch import BatchJobCommand


class Command(BatchJobCommand):
    help = (
        "Notice every version released by --as-of that nobody was told about yet (users of "
        "sites whose S&S covers the product on the release date), then e-mail those who want "
        "to hear at once. Weekly readers get the release in send_update_digests."
    )

    def run(self, *, as_of, dry_run):
        summary = updates_notify_due(as_of=as_of, now=timezone.now(), dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        for result in summary.releases:
            version = result.version
            print(
                f"{prefix}{version.product.part_number} {version.version} "
                f"(released {version.release_date}): {result.recipients} users, "
                f"{result.immediate} at once, {result.weekly} in the weekly digest"
            )
        for version in summary.waiting_for_file:  # review #7 item 10: nothing to download yet
            print(f"{prefix}{version_no_file_message(version)}")
        verb = "would send" if dry_run else "sent"
        print(
            f"{prefix}notify_updates as of {as_of}: {len(summary.releases)} releases noticed "
            f"for {summary.recipients} users; {verb} {summary.sent} update e-mails."
        )
