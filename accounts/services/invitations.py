"""Invitations (A5): the single-use, expiring link that lets a contact set a password and
join a site, its e-mail (E1) and the site-number confirmation of a primary contact's first
sign-in. Every service is atomic; auditlog records the change in the same transaction (A7)
with the actor set explicitly."""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Contact, Invitation, User
from accounts.selectors import account_exists
from portal.core.audit import acting_as
from portal.core.formatting import format_day
from portal.core.mail import email_queue

INVITATION_SALT = "accounts.invitation"


def _account_exists() -> ValidationError:
    return ValidationError(
        _("An account with this e-mail address already exists: sign in to accept.")
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.nonce, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points at, whatever its state; None when the link is forged."""
    try:
        nonce = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related(
            "contact__site__customer", "contact__user", "superseded_by"
        )
        .filter(nonce=nonce)
        .first()
    )


def invitation_problem(invitation: Invitation | None, *, now: datetime) -> str | None:
    """Why a link cannot be used at `now`, in words for the person holding it; None when it
    can."""
    if invitation is None:
        return _("This link is not valid. Check that you copied the whole address.")
    if invitation.accepted_at is not None:
        return _(
            "This link has already been used. Sign in with your e-mail address and password, "
            "or reset your password if you have forgotten it."
        )
    site = invitation.contact.site
    if invitation.superseded_by is not None:
        # Review #7 item 12: say plainly that a newer link exists, and when it was sent.
        return _(
            "This link was replaced by a newer one sent on %(date)s; use the latest e-mail."
        ) % {"date": format_day(site.local_date(invitation.superseded_by.created_at))}
    is_welcome = invitation.kind == Invitation.Kind.WELCOME
    if invitation.revoked_at is not None:
        if is_welcome:
            # The holder of a welcome link is the primary contact: only the account
            # manager (the reseller or the vendor) can send another.
            return _("This welcome link was withdrawn. Ask your account manager for a new one.")
        return _("This invitation was withdrawn. Ask the site's primary contact for a new one.")
    if invitation.expires_at <= now:
        expired = {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")}
        if is_welcome:
            return (
                _("This link expired on %(date)s. Ask your account manager to send a new one.")
                % expired
            )
        return (
            _(
                "This link expired on %(date)s. Ask the site's primary contact or your account "
                "manager to send a new one."
            )
            % expired
        )
    return None


@transaction.atomic
def invitation_create(
    *,
    contact: Contact,
    invited_by: User | None,
    now: datetime,
    kind: str = Invitation.Kind.INVITATION,
) -> Invitation:
    """A new single-use link for a contact, valid from `now`; earlier pending links for the
    contact are superseded by it."""
    if contact.user_id is not None:
        raise ValidationError(_("%(email)s already has portal access.") % {"email": contact.email})
    with acting_as(invited_by):
        invitation = Invitation.objects.create(
            contact=contact,
            kind=kind,
            email=contact.email,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + settings.INVITATION_LIFETIME,
        )
        # Only the newest link works; the older ones point at it (review #7 item 12).
        for stale in Invitation.objects.filter(
            contact=contact, accepted_at__isnull=True, revoked_at__isnull=True
        ).exclude(pk=invitation.pk):
            stale.revoked_at = now
            stale.superseded_by = invitation
            stale.save(update_fields=["revoked_at", "superseded_by"])
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
            # A5, review #7 item 13: the link signs an existing account in rather than
            # setting a password, and the e-mail says which it will do.
            "has_account": account_exists(email=invitation.email),
        },
        language=contact.language,
        about={"invitation": invitation.pk, "site": contact.site.number},
        sensitive=True,
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User, now: datetime) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    with acting_as(actor):
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    now: datetime,
    user: User | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A5: use the link once. Creates the account (e-mail verified by the link) or links an
    existing signed-in account whose address matches, then joins the contact to the site."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(locked, now=now)
    if problem:
        raise ValidationError(problem)
    contact = Contact.objects.select_for_update().get(pk=locked.contact_id)
    if user is None:
        if account_exists(email=locked.email):
            raise _account_exists()
        try:
            # A savepoint: a second invitation to the same address accepted at the same
            # moment loses the race on the unique address and gets the same clear refusal.
            with transaction.atomic():
                user = User.objects.create_user(
                    email=locked.email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    language=contact.language,
                )
        except IntegrityError as exc:
            raise _account_exists() from exc
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
            contact.site_number_confirmed_at = now
        contact.save(update_fields=["user", "site_number_confirmed_at"])
        locked.accepted_at = now
        locked.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def site_number_confirm(*, contact: Contact, number: str, now: datetime) -> None:
    """A5: the primary contact confirms the site number on first sign-in."""
    if number.strip() != contact.site.number:
        raise ValidationError(
            _("That is not the number of this site. It is on your welcome e-mail.")
        )
    with acting_as(contact.user):
        contact.site_number_confirmed_at = now
        contact.save(update_fields=["site_number_confirmed_at"])
