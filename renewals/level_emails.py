"""E-mails about levels and commitments (N8, N9) through the outbox (E1), one per recipient
in the recipient's language (E2): the customer (the primary and renewal contacts of the
agreement's sites) and the account manager (the users of each reseller managing a site).

Keys: `reconciliation:<agreement>:<A>:<address>`, `commitment-invitation:<id>:<address>`,
`commitment-reminder:<id>:<A>:<days>:<address>`, `commitment-broken:<id>:<address>`,
`commitment-accepted:<id>:<address>`: a job run twice queues nothing twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import Agreement, Contact, Site, User
from portal.core import mail as outbox
from portal.core.mail import email_queue
from portal.core.models import OutgoingEmail
from renewals.emails import Recipient


def agreement_recipients(agreement_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """Each agreement's recipients, for many agreements in three queries (a job's batch):
    the customer's contacts first, then the account managers' users."""
    agreement_ids = list(agreement_ids)
    found: dict[int, dict[str, Recipient]] = defaultdict(dict)
    contacts = (
        Contact.objects.filter(site__agreement_id__in=agreement_ids)
        .filter(Q(is_primary=True) | Q(is_renewal_contact=True))
        .select_related("user")
        .values_list("site__agreement_id", "email", "language", "user__language")
        .order_by("site__agreement_id", "email", "pk")
    )
    for agreement_id, email, language, user_language in contacts:
        address = email.strip().lower()
        if address and address not in found[agreement_id]:
            found[agreement_id][address] = Recipient(address, user_language or language, False)
    managers: dict[int, set[int]] = defaultdict(set)
    for agreement_id, reseller_id in (
        Site.objects.filter(agreement_id__in=agreement_ids, reseller__isnull=False)
        .values_list("agreement_id", "reseller_id")
        .distinct()
    ):
        managers[reseller_id].add(agreement_id)
    if managers:
        users = User.objects.filter(reseller_id__in=managers, is_active=True).order_by("email")
        for reseller_id, email, language in users.values_list("reseller_id", "email", "language"):
            for agreement_id in managers[reseller_id]:
                address = email.lower()
                if address not in found[agreement_id]:
                    found[agreement_id][address] = Recipient(address, language, True)
    return {
        agreement_id: list(found.get(agreement_id, {}).values()) for agreement_id in agreement_ids
    }


def commitment_link(agreement: Agreement) -> str:
    return settings.SITE_URL + reverse(
        "renewals:commitment_accept", kwargs={"number": agreement.number}
    )


def level_emails_queue(
    *,
    key: str,
    template: str,
    recipients: list[Recipient],
    context: dict,
    about: dict,
    existing: set[str] | None = None,
) -> int:
    """Queue `emails/renewals/<template>` to each recipient under `<key>:<address>`; the
    number of new e-mails. `existing`: the keys already in the outbox, when the caller
    looked a batch up at once (else they are looked up here)."""
    keys = {f"{key}:{recipient.email}": recipient for recipient in recipients}
    if existing is None:
        existing = set(OutgoingEmail.objects.filter(key__in=keys).values_list("key", flat=True))
    queued = 0
    for full_key, recipient in keys.items():
        if full_key in existing:
            continue
        email_queue(
            key=full_key,
            to=[recipient.email],
            template=f"renewals/{template}",
            context={**context, "for_reseller": recipient.is_reseller},
            language=recipient.language,
            about=about,
        )
        queued += 1
    return queued


def level_emails_queue_many(items: list[dict]) -> int:
    """The outbox rows of a job's batch in bulk (E1), for jobs that e-mail thousands (the
    VIP reconciliation, N8): each item is level_emails_queue's keywords. The rows are those
    `email_queue` writes — rendered in each recipient's language (E2), keyed per recipient,
    inside the caller's transaction — written with one existence query and one bulk insert
    per batch instead of a few queries per e-mail; each new row is handed to the workers
    after commit, as email_queue does (the sweeper sends any the broker missed)."""
    wanted: dict[str, tuple[Recipient, dict]] = {}
    for item in items:
        for recipient in item["recipients"]:
            wanted[f"{item['key']}:{recipient.email}"] = (recipient, item)
    existing = set(OutgoingEmail.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    rows = []
    for key, (recipient, item) in wanted.items():
        if key in existing:
            continue
        rendered = outbox.email_render(
            template=f"renewals/{item['template']}",
            context={**item["context"], "for_reseller": recipient.is_reseller},
            language=recipient.language,
        )
        rows.append(
            OutgoingEmail(
                key=key,
                to=outbox.header_value(recipient.email)[:500],
                template=f"renewals/{item['template']}",
                language=recipient.language,
                context=item["about"],
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
            )
        )
    OutgoingEmail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    new_keys = [row.key for row in rows]
    for pk in OutgoingEmail.objects.filter(
        key__in=new_keys, status=OutgoingEmail.Status.PENDING
    ).values_list("pk", flat=True):
        outbox.enqueue_on_commit(outbox.email_send_task, pk)
    return len(rows)
