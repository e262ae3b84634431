"""Reads, always scoped to what a user may see (A4). Another tenant's object is a 404."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User


class Role(StrEnum):
    """The roles of SPEC §1 that a user can hold towards one site."""

    STAFF = "staff"
    RESELLER = "reseller"
    PRIMARY = "primary"
    SITE_ADMIN = "site_admin"
    STC = "stc"
    CALLER = "caller"
    CONTACT = "contact"  # a portal user holding only role-contact duties (PoE, billing, ...)


ROLE_LABELS = {
    Role.STAFF: _("Vendor staff"),
    Role.RESELLER: _("Account-managing reseller"),
    Role.PRIMARY: _("Primary contact"),
    Role.SITE_ADMIN: _("Site administrator"),
    Role.STC: _("Site technical contact"),
    Role.CALLER: _("Authorized technical caller"),
    Role.CONTACT: _("Site contact"),
}


def role_labels(roles: frozenset[Role]) -> list[str]:
    """The roles in the order of SPEC §1, leaving out "contact" when a stronger role is held."""
    shown = [role for role in ROLE_LABELS if role in roles]
    if len(shown) > 1 and Role.CONTACT in shown:
        shown.remove(Role.CONTACT)
    return [str(ROLE_LABELS[role]) for role in shown]


def sites_for_user(user: User) -> QuerySet[Site]:
    """Every site the user may see (A4; the rule is Site.objects.for_user)."""
    return Site.objects.for_user(user)


def site_get_for_user(*, user: User, number: str) -> Site:
    """The site with this number if the user may see it; otherwise 404 (never 403, A4)."""
    return get_object_or_404(
        sites_for_user(user).select_related("customer", "agreement", "reseller"), number=number
    )


def site_roles_for_user(*, user: User, site: Site) -> frozenset[Role]:
    """The user's roles at a site, memoised on the user object for the request."""
    cache: dict[int, frozenset[Role]] = _unwrap(user).__dict__.setdefault("_site_roles", {})
    if site.pk in cache:
        return cache[site.pk]
    roles: set[Role] = set()
    if user.is_authenticated and user.is_active:
        if user.is_staff:
            roles.add(Role.STAFF)
        if user.reseller_id and user.reseller_id == site.reseller_id:
            roles.add(Role.RESELLER)
        contact = Contact.objects.filter(site=site, user=user).first()
        if contact is not None:
            roles.add(Role.CONTACT)
            if contact.is_primary:
                roles.add(Role.PRIMARY)
            if contact.is_site_admin:
                roles.add(Role.SITE_ADMIN)
            if contact.stc_role:
                roles.add(Role.STC)
            if contact.is_authorized_caller:
                roles.add(Role.CALLER)
    cache[site.pk] = frozenset(roles)
    return cache[site.pk]


def _unwrap(user):
    """The user behind request.user's lazy wrapper, so the memo is shared with has_perm."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def site_list_for_user(*, user: User) -> QuerySet[Site]:
    """Sites for list pages, with what the rows show loaded up front."""
    return sites_for_user(user).select_related("customer", "agreement", "reseller")


def contacts_for_site(*, site: Site) -> QuerySet[Contact]:
    return Contact.objects.filter(site=site).select_related("user").order_by("-is_primary", "name")


def contact_get_for_site(*, site: Site, contact_id: int) -> Contact:
    return get_object_or_404(
        Contact.objects.select_related("user", "site"), site=site, pk=contact_id
    )


def site_users(*, site: Site) -> QuerySet[Contact]:
    """The site's portal users: its contacts that have an account."""
    return contacts_for_site(site=site).filter(user__isnull=False)


def invitations_pending_for_site(*, site: Site, now: datetime) -> QuerySet[Invitation]:
    """A5: the site's invitations still usable at `now`, newest first."""
    return (
        Invitation.objects.filter(
            contact__site=site,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("contact", "invited_by")
        .order_by("-created_at")
    )


def contact_ids_invited(*, site: Site, now: datetime) -> set[int]:
    """The contacts of the site with an invitation pending at `now` (the contact list shows
    them as invited)."""
    pending = invitations_pending_for_site(site=site, now=now)
    return set(pending.values_list("contact_id", flat=True))


def callers_for_site(*, site: Site) -> QuerySet[Contact]:
    """A3: the site's authorized technical callers."""
    return contacts_for_site(site=site).filter(is_authorized_caller=True)


def invitation_get_for_site(*, site: Site, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("contact"), contact__site=site, pk=invitation_id
    )


def site_audit_entries(*, site: Site) -> QuerySet[LogEntry]:
    """A7: the history of the site itself and of its contacts and invitations."""
    return (
        LogEntry.objects.filter(
            Q(additional_data__site_id=site.pk) | Q(additional_data__target_site_id=site.pk)
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def customers_for_reseller(*, reseller: Organisation) -> QuerySet[Organisation]:
    """A reseller's clients: customers with at least one site it manages, with counts."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER, sites__reseller=reseller)
        .annotate(
            managed_site_count=Count("sites", filter=Q(sites__reseller=reseller), distinct=True)
        )
        .order_by("name")
    )


def clients_with_enrolment_for_reseller(*, reseller: Organisation) -> QuerySet[Organisation]:
    """The Clients list: each client with its managed sites counted by enrolment status (A5;
    review #7 item 19): accepted by the primary contact, welcome sent but not accepted yet,
    not enrolled."""
    managed = Q(sites__reseller=reseller)
    enrolled = managed & Q(sites__enrolled_at__isnull=False)
    accepted = enrolled & Q(sites__contacts__is_primary=True, sites__contacts__user__isnull=False)
    counted = customers_for_reseller(reseller=reseller).annotate(
        enrolled_site_count=Count("sites", filter=enrolled, distinct=True),
        accepted_site_count=Count("sites", filter=accepted, distinct=True),
    )
    return counted.annotate(
        waiting_site_count=F("enrolled_site_count") - F("accepted_site_count"),
        not_enrolled_site_count=F("managed_site_count") - F("enrolled_site_count"),
    )


def customer_choices_for_reseller(*, reseller: Organisation) -> QuerySet[Organisation]:
    """The reseller's clients for a choice list (no counts)."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER, sites__reseller=reseller)
        .distinct()
        .order_by("name")
    )


def agreements_for_reseller(*, reseller: Organisation) -> QuerySet[Agreement]:
    """The agreements of the reseller's clients that can take another site: a PAE agreement
    has exactly one (A2), so only PA and VIP agreements, or a PAE agreement without a site."""
    clients = Organisation.objects.filter(sites__reseller=reseller).values("pk")
    return (
        Agreement.objects.filter(customer__in=clients)
        .exclude(Q(programme=Agreement.Programme.PAE) & Q(sites__isnull=False))
        .select_related("customer")
        .distinct()
        .order_by("customer__name", "programme", "number")
    )


def customer_get_for_reseller(*, reseller: Organisation, customer_id: int) -> Organisation:
    customers = customers_for_reseller(reseller=reseller).prefetch_related("agreements")
    try:
        return customers.get(pk=customer_id)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


class EnrolmentStatus(StrEnum):
    """A5: where a site is in its enrolment (review #7 item 19)."""

    NOT_ENROLLED = "not_enrolled"
    WELCOME_SENT = "welcome_sent"  # enrolled; the primary contact has not accepted yet
    ENROLLED = "enrolled"  # the primary contact has accepted the welcome


def enrolment_status(*, enrolled_at: datetime | None, primary_has_access: bool) -> EnrolmentStatus:
    if enrolled_at is None:
        return EnrolmentStatus.NOT_ENROLLED
    return EnrolmentStatus.ENROLLED if primary_has_access else EnrolmentStatus.WELCOME_SENT


def client_sites_for_reseller(*, reseller: Organisation, customer: Organisation) -> QuerySet[Site]:
    """A client's sites that the reseller manages, each with its primary contact and its
    latest welcome e-mail, in one query (the client page, review #7 item 19)."""
    primary = Contact.objects.filter(site=OuterRef("pk"), is_primary=True)
    welcome = Invitation.objects.filter(
        contact__site=OuterRef("pk"), kind=Invitation.Kind.WELCOME
    ).order_by("-created_at")
    return (
        Site.objects.filter(reseller=reseller, customer=customer)
        .select_related("agreement")
        .annotate(
            primary_name=Subquery(primary.values("name")[:1]),
            primary_email=Subquery(primary.values("email")[:1]),
            primary_has_access=Exists(primary.filter(user__isnull=False)),
            welcome_sent_at=Subquery(welcome.values("created_at")[:1]),
            welcome_expires_at=Subquery(welcome.values("expires_at")[:1]),
        )
        .order_by("number")
    )


def sites_pending_confirmation(*, user: User) -> QuerySet[Contact]:
    """A5: primary contacts who have not yet confirmed their site number."""
    return Contact.objects.filter(
        user=user, is_primary=True, site_number_confirmed_at__isnull=True
    ).select_related("site")


def user_has_totp(user: User) -> bool:
    """A6: whether the user has an authenticator app (required for resellers and staff)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()
