"""Contacts and their roles (A3), portal users of a site and the profile. Every service is
atomic; auditlog records the change in the same transaction (A7) with the actor set
explicitly."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Contact, Invitation, Site, User
from accounts.services.invitations import invitation_create
from portal.core.audit import acting_as

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
def contact_create(
    *, site: Site, actor: User, data: dict, now: datetime, invite: bool = False
) -> Contact:
    """Add a contact with its roles; optionally invite them to the portal (the link valid from
    `now`)."""
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
        invitation_create(contact=contact, invited_by=actor, now=now)
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
def contact_make_primary(*, contact: Contact, actor: User, now: datetime) -> Contact:
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
        contact.site_number_confirmed_at = None if contact.user_id is None else now
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
def caller_add(
    *, site: Site, actor: User, data: dict, now: datetime, invite: bool = False
) -> Contact:
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
            now=now,
            data={
                **{k: data[k] for k in PERSON_FIELDS if k in data},
                "email": email,
                "is_authorized_caller": True,
            },
        )
    if invite and contact.user_id is None:
        invitation_create(contact=contact, invited_by=actor, now=now)
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


def user_language_set(*, user: User, language: str) -> User:
    """E2: the language the user's pages and e-mails are in (the language switcher)."""
    if user.language != language:
        with acting_as(user):
            user.language = language
            user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_invite(
    *, site: Site, actor: User, name: str, email: str, role: str, language: str, now: datetime
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
    return invitation_create(contact=contact, invited_by=actor, now=now)
