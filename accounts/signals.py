"""Session bookkeeping at sign-in (A5, A6)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver
from django.utils import timezone

from accounts.selectors import sites_pending_confirmation

SESSION_AUTH_AT = "entitle.auth_at"
SESSION_CONFIRM_PENDING = "entitle.confirm_site_pending"
SESSION_MFA_ENROLLED = "entitle.mfa_enrolled"


def refresh_confirmation_flag(request, user) -> None:
    request.session[SESSION_CONFIRM_PENDING] = sites_pending_confirmation(user=user).exists()


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_AUTH_AT] = timezone.now().timestamp()
    refresh_confirmation_flag(request, user)


# Pages of this layer that show figures owned by a higher one (a client's sites with their
# licence coverage, review #7 item 19) ask for them with this signal, since accounts imports
# no higher layer (STYLE, layers). Sent with `site_ids` and `as_of` (a date); each receiver
# returns {site_id: {"covered": n, "expiring": n, "lapsed": n}}; licensing answers it
# (licensing/site_counts.py).
site_coverage_requested = Signal()


def site_coverage_counts(*, site_ids: list[int], as_of) -> dict[int, dict[str, int]]:
    """The receivers' answers merged: per site, licences by coverage status (L3)."""
    merged: dict[int, dict[str, int]] = {}
    for _receiver, answer in site_coverage_requested.send(
        sender=None, site_ids=site_ids, as_of=as_of
    ):
        for site_id, counts in (answer or {}).items():
            merged.setdefault(site_id, {}).update(counts)
    return merged


# S8: the Clients page flags a certified service partner's clients whose sites hold hardware
# its support does not cover (their tickets are refused). Sent with `reseller`, `customer_ids`
# and `as_of`; a receiver returns {customer_id: number of such sites}; support answers it
# (support/receivers.py), in one query for the page.
client_flags_requested = Signal()


def client_flagged_site_counts(*, reseller, customer_ids: list[int], as_of) -> dict[int, int]:
    merged: dict[int, int] = {}
    for _receiver, answer in client_flags_requested.send(
        sender=None, reseller=reseller, customer_ids=customer_ids, as_of=as_of
    ):
        for customer_id, count in (answer or {}).items():
            merged[customer_id] = merged.get(customer_id, 0) + count
    return merged
