"""Writes for accounts: enrolment, invitations, contacts and their roles (A2, A3, A5, A7).

Every service is atomic; auditlog records the change in the same transaction (A7) with the
actor set explicitly, and e-mails are queued on commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User
from accounts.selectors import account_exists
from portal.core.audit import acting_as
from portal.core.mail import email_queue

INVITATION_SALT = "accounts.invitation"

ROLE_FIELDS = (
    "is_primary",
    "is_site_admin",
    "stc_role",
    "is_authorized_caller",
    "is_poe_contact",
    "is_renewal_contact",
    "is_billing_contact",
    "is_media_contact",
)
PERSON_FIELDS = ("name", "email", "phone", "language")


# --- invitations (A5) -------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.nonce, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points at, whatever its state; None when the link is forged."""
    try:
        nonce = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("contact__site__customer", "contact__user")
        .filter(nonce=nonce)
        .first()
    )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why a link cannot be used, in words for the person holding it; None when it can."""
    if invitation is None:
        return _("This link is not valid. Check that you copied the whole address.")
    if invitation.accepted_at is not None:
        return _(
            "This link has already been used. Sign in with your e-mail address and password, "
            "or reset your password if you have forgotten it."
        )
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn. Ask the site's primary contact for a new one.")
    if invitation.expires_at <= timezone.now():
        return _(
            "This link expired on %(date)s. Ask the site's primary contact or your account "
            "manager to send a new one."
        ) % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")}
    return None


@transaction.atomic
def invitation_create(
    *, contact: Contact, invited_by: User | None, kind: str = Invitation.Kind.INVITATION
) -> Invitation:
    """A new single-use link for a contact; earlier pending links for the contact are revoked."""
    if contact.user_id is not None:
        raise ValidationError(_("%(email)s already has portal access.") % {"email": contact.email})
    now = timezone.now()
    with acting_as(invited_by):
        for stale in Invitation.objects.filter(
            contact=contact, accepted_at__isnull=True, revoked_at__isnull=True
        ):
            stale.revoked_at = now
            stale.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            contact=contact,
            kind=kind,
            email=contact.email,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + settings.INVITATION_LIFETIME,
        )
        _invitation_email_queue(invitation)
    return invitation


def _invitation_email_queue(invitation: Invitation) -> None:
    """A5, E1: the welcome (or invitation) e-mail with the single-use link, written to the
    outbox in the invitation's own transaction, so neither exists without the other."""
    contact = invitation.contact
    link = settings.SITE_URL + reverse(
        "accounts:invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    email_queue(
        key=f"invitation:{invitation.pk}",
        to=[invitation.email],
        template="welcome" if invitation.kind == Invitation.Kind.WELCOME else "invitation",
        context={
            "invitation": invitation,
            "contact": contact,
            "site": contact.site,
            "link": link,
            "expires_at": invitation.expires_at,
        },
        language=contact.language,
        about={"invitation": invitation.pk, "site": contact.site.number},
        sensitive=True,
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    with acting_as(actor):
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A5: use the link once. Creates the account (e-mail verified by the link) or links an
    existing signed-in account whose address matches, then joins the contact to the site."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(locked)
    if problem:
        raise ValidationError(problem)
    contact = Contact.objects.select_for_update().get(pk=locked.contact_id)
    if user is None:
        if account_exists(email=locked.email):
            raise ValidationError(
                _("An account with this e-mail address already exists: sign in to accept.")
            )
        user = User.objects.create_user(
            email=locked.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            language=contact.language,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif user.email.lower() != locked.email.lower():
        raise ValidationError(
            _("This invitation is for %(email)s. Sign out and open the link again.")
            % {"email": locked.email}
        )
    if contact.user_id is not None and contact.user_id != user.pk:
        raise ValidationError(_("This contact is already linked to another account."))
    if Contact.objects.filter(site_id=contact.site_id, user=user).exclude(pk=contact.pk).exists():
        raise ValidationError(_("You already have access to this site."))
    with acting_as(user):
        contact.user = user
        # Only the primary contact's first sign-in asks to confirm the site number (A5).
        if not contact.is_primary:
            contact.site_number_confirmed_at = timezone.now()
        contact.save(update_fields=["user", "site_number_confirmed_at"])
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def site_number_confirm(*, contact: Contact, number: str) -> None:
    """A5: the primary contact confirms the site number on first sign-in."""
    if number.strip() != contact.site.number:
        raise ValidationError(
            _("That is not the number of this site. It is on your welcome e-mail.")
        )
    with acting_as(contact.user):
        contact.site_number_confirmed_at = timezone.now()
        contact.save(update_fields=["site_number_confirmed_at"])


# --- enrolment (A5) ---------------------------------------------------------------------------


@transaction.atomic
def site_enrol(*, site: Site, actor: User | None) -> Invitation:
    """A5: mark the site enrolled and send its primary contact the welcome e-mail."""
    primary = Contact.objects.filter(site=site, is_primary=True).first()
    if primary is None:
        raise ValidationError(
            _("Site %(number)s has no primary contact to welcome.") % {"number": site.number}
        )
    if primary.user_id is not None:
        raise ValidationError(
            _("The primary contact of site %(number)s already has portal access.")
            % {"number": site.number}
        )
    with acting_as(actor):
        if site.enrolled_at is None:
            site.enrolled_at = timezone.now()
            site.save(update_fields=["enrolled_at"])
    return invitation_create(contact=primary, invited_by=actor, kind=Invitation.Kind.WELCOME)


@dataclass(frozen=True)
class EnrolmentRequest:
    """What the reseller enrolment form collects (A5)."""

    customer: Organisation | None
    customer_name: str
    programme: str
    agreement_number: str
    anniversary_month: int
    site_number: str
    site_name: str
    address_line1: str
    address_line2: str
    city: str
    postcode: str
    country: str
    time_zone: str
    language: str
    contact_name: str
    contact_email: str
    contact_phone: str


@transaction.atomic
def site_create_and_enrol(
    *, request: EnrolmentRequest, reseller: Organisation | None, actor: User
) -> Site:
    """Create (or reuse) the customer and agreement, create the site with its primary contact
    and enrol it. A reseller becomes the site's account manager (A2)."""
    with acting_as(actor):
        customer = request.customer
        if customer is None:
            customer = Organisation.objects.create(
                name=request.customer_name, kind=Organisation.Kind.CUSTOMER
            )
        agreement = Agreement.objects.filter(customer=customer, programme=request.programme).first()
        if agreement is None:
            if Agreement.objects.filter(number=request.agreement_number).exists():
                raise ValidationError(
                    {
                        "agreement_number": _("Agreement number %(number)s is already in use.")
                        % {"number": request.agreement_number}
                    }
                )
            agreement = Agreement.objects.create(
                customer=customer,
                programme=request.programme,
                number=request.agreement_number,
                anniversary_month=request.anniversary_month,
            )
        elif request.agreement_number and request.agreement_number != agreement.number:
            raise ValidationError(
                {
                    "agreement_number": _(
                        "This customer's %(programme)s agreement is %(number)s; use that number."
                    )
                    % {"programme": agreement.programme, "number": agreement.number}
                }
            )
        site = Site(
            number=request.site_number,
            name=request.site_name,
            address_line1=request.address_line1,
            address_line2=request.address_line2,
            city=request.city,
            postcode=request.postcode,
            country=request.country,
            time_zone=request.time_zone,
            language=request.language,
            customer=customer,
            agreement=agreement,
            reseller=reseller,
        )
        site.full_clean()
        site.save()
        Contact.objects.create(
            site=site,
            name=request.contact_name,
            email=request.contact_email.lower(),
            phone=request.contact_phone,
            language=request.language,
            is_primary=True,
        )
    site_enrol(site=site, actor=actor)
    return site


# --- contacts and roles (A3) ------------------------------------------------------------------


def _check_site_roles(site: Site) -> None:
    """A3 invariants that span contacts: exactly one primary contact; secondary STCs need a
    primary STC. Runs inside the writing transaction, after the change."""
    contacts = Contact.objects.filter(site=site)
    if not contacts.filter(is_primary=True).exists():
        raise ValidationError(_("A site always has a primary contact. Name another one first."))
    has_secondary = contacts.filter(stc_role=Contact.STCRole.SECONDARY).exists()
    if has_secondary and not contacts.filter(stc_role=Contact.STCRole.PRIMARY).exists():
        raise ValidationError(
            {"stc_role": _("Name a primary site technical contact before secondary ones.")}
        )


def _save_contact(contact: Contact) -> None:
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:
        raise ValidationError(_duplicate_contact_message(contact)) from exc


def _duplicate_contact_message(contact: Contact) -> dict:
    if (
        Contact.objects.filter(site_id=contact.site_id, email=contact.email)
        .exclude(pk=contact.pk)
        .exists()
    ):
        return {
            "email": _("%(email)s is already a contact of this site.") % {"email": contact.email}
        }
    if contact.stc_role == Contact.STCRole.PRIMARY:
        return {"stc_role": _("This site already has a primary STC; make this one secondary.")}
    return {"is_primary": _("This site already has a primary contact.")}


@transaction.atomic
def contact_create(*, site: Site, actor: User, data: dict, invite: bool = False) -> Contact:
    """Add a contact with its roles; optionally invite them to the portal."""
    if data.get("is_primary"):
        raise ValidationError(
            {"is_primary": _("Add the person first, then make them the primary contact.")}
        )
    contact = Contact(
        site=site, **{k: v for k, v in data.items() if k in (*PERSON_FIELDS, *ROLE_FIELDS)}
    )
    contact.email = contact.email.lower()
    with acting_as(actor):
        _save_contact(contact)
        _check_site_roles(site)
    if invite:
        invitation_create(contact=contact, invited_by=actor)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: User, data: dict) -> Contact:
    """Change a contact's details and roles. The primary flag moves only with
    contact_make_primary, so nobody can leave a site without a primary contact."""
    if "is_primary" in data and bool(data["is_primary"]) != contact.is_primary:
        raise ValidationError(
            {"is_primary": _("Use “Make primary contact” to hand over the primary role.")}
        )
    if "email" in data and contact.user_id and data["email"].lower() != contact.email:
        raise ValidationError(
            {
                "email": _(
                    "This contact signs in with this address; they can change it in their profile."
                )
            }
        )
    for field in (*PERSON_FIELDS, *ROLE_FIELDS):
        if field in data and field != "is_primary":
            setattr(contact, field, data[field])
    contact.email = contact.email.lower()
    with acting_as(actor):
        _save_contact(contact)
        _check_site_roles(contact.site)
    return contact


@transaction.atomic
def contact_make_primary(*, contact: Contact, actor: User) -> Contact:
    """Hand the primary-contact role to another contact of the same site, atomically."""
    if contact.is_primary:
        return contact
    with acting_as(actor):
        for previous in Contact.objects.select_for_update().filter(
            site_id=contact.site_id, is_primary=True
        ):
            previous.is_primary = False
            previous.save(update_fields=["is_primary"])
        contact.is_primary = True
        # The new primary confirms the site number at their next sign-in (A5).
        contact.site_number_confirmed_at = None if contact.user_id is None else timezone.now()
        contact.save(update_fields=["is_primary", "site_number_confirmed_at"])
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User) -> None:
    if contact.is_primary:
        raise ValidationError(
            _("%(name)s is the primary contact. Make someone else primary before removing them.")
            % {"name": contact.name}
        )
    site = contact.site
    with acting_as(actor):
        contact.delete()
        _check_site_roles(site)


@transaction.atomic
def contact_revoke_access(*, contact: Contact, actor: User) -> None:
    """Remove a person's portal access to the site; the contact record stays."""
    if contact.is_primary:
        raise ValidationError(
            _("The primary contact keeps portal access. Make someone else primary first.")
        )
    if actor.pk == contact.user_id:
        raise ValidationError(_("You cannot remove your own access."))
    with acting_as(actor):
        contact.user = None
        contact.save(update_fields=["user"])


@transaction.atomic
def caller_add(*, site: Site, actor: User, data: dict, invite: bool = False) -> Contact:
    """A3: an STC names an authorized technical caller (a new or existing contact)."""
    email = data["email"].lower()
    existing = Contact.objects.filter(site=site, email=email).first()
    if existing is not None:
        if existing.is_authorized_caller:
            raise ValidationError(
                {"email": _("%(email)s is already an authorized caller.") % {"email": email}}
            )
        with acting_as(actor):
            existing.is_authorized_caller = True
            existing.save(update_fields=["is_authorized_caller"])
        contact = existing
    else:
        contact = contact_create(
            site=site,
            actor=actor,
            data={
                **{k: data[k] for k in PERSON_FIELDS if k in data},
                "email": email,
                "is_authorized_caller": True,
            },
        )
    if invite and contact.user_id is None:
        invitation_create(contact=contact, invited_by=actor)
    return contact


@transaction.atomic
def caller_remove(*, contact: Contact, actor: User) -> None:
    """A3: take the authorized-caller role away; a contact left with no role and no account
    is removed altogether."""
    with acting_as(actor):
        contact.is_authorized_caller = False
        holds_nothing = contact.user_id is None and not any(
            getattr(contact, field) for field in ROLE_FIELDS
        )
        if holds_nothing:
            contact.delete()
        else:
            contact.save(update_fields=["is_authorized_caller"])


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, language: str) -> User:
    with acting_as(user):
        user.first_name, user.last_name, user.language = first_name, last_name, language
        user.save(update_fields=["first_name", "last_name", "language"])
    return user


@transaction.atomic
def user_invite(
    *, site: Site, actor: User, name: str, email: str, role: str, language: str
) -> Invitation:
    """Invite a person to the portal for a site with one role (site admin, STC or caller).

    An existing contact with the same address gains the role; someone who already has access
    is refused. An STC becomes the primary STC when the site has none, else a secondary one.
    """
    email = email.lower()
    contact = Contact.objects.filter(site=site, email=email).first()
    if contact is not None and contact.user_id is not None:
        raise ValidationError(
            {"email": _("%(email)s already has access to this site.") % {"email": email}}
        )
    if contact is None:
        contact = Contact(site=site, name=name, email=email, language=language)
    if role == "site_admin":
        contact.is_site_admin = True
    elif role == "stc":
        if not contact.stc_role:
            has_primary_stc = Contact.objects.filter(
                site=site, stc_role=Contact.STCRole.PRIMARY
            ).exists()
            contact.stc_role = (
                Contact.STCRole.SECONDARY if has_primary_stc else Contact.STCRole.PRIMARY
            )
    elif role == "caller":
        contact.is_authorized_caller = True
    else:
        raise ValidationError({"role": _("Choose a role.")})
    with acting_as(actor):
        _save_contact(contact)
        _check_site_roles(site)
    return invitation_create(contact=contact, invited_by=actor)
