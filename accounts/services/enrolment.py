"""Enrolment (A5): staff or the account-managing reseller enrol a customer site, whose
primary contact then receives the welcome e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User
from accounts.services.invitations import invitation_create
from portal.core.audit import acting_as
from portal.core.formatting import format_day


def enrolled_on(site: Site) -> str:
    """The site's enrolment day in words, at the site (A2: each site has its time zone)."""
    return format_day(site.local_date(site.enrolled_at))


def _primary_to_welcome(site: Site) -> Contact:
    primary = Contact.objects.filter(site=site, is_primary=True).first()
    if primary is None:
        raise ValidationError(
            _("Site %(number)s has no primary contact to welcome.") % {"number": site.number}
        )
    return primary


@transaction.atomic
def site_enrol(*, site: Site, actor: User | None, now: datetime) -> Invitation:
    """A5: mark the site enrolled at `now` and send its primary contact the welcome e-mail.

    An enrolled site is refused with the reason (review #7 item 12): running "Enrol" twice
    must not send a second welcome behind the first; re-sending is `site_welcome_resend`."""
    # The row lock makes two enrolments of one site at once enrol it once.
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.enrolled_at is not None:
        raise ValidationError(
            _(
                "Site %(number)s is already enrolled (on %(date)s). To send its primary "
                "contact a new link, use “Resend the welcome e-mail”."
            )
            % {"number": locked.number, "date": enrolled_on(locked)}
        )
    primary = _primary_to_welcome(locked)
    if primary.user_id is not None:
        raise ValidationError(
            _("The primary contact of site %(number)s already has portal access.")
            % {"number": site.number}
        )
    with acting_as(actor):
        locked.enrolled_at = now
        locked.save(update_fields=["enrolled_at"])
    site.enrolled_at = now
    return invitation_create(
        contact=primary, invited_by=actor, now=now, kind=Invitation.Kind.WELCOME
    )


@transaction.atomic
def site_welcome_resend(*, site: Site, actor: User | None, now: datetime) -> Invitation:
    """A5, review #7 item 12: a new welcome link for an enrolled site's primary contact who
    has not accepted yet. The previous link is superseded: whoever opens it is told that a
    newer one was sent, and when."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.enrolled_at is None:
        raise ValidationError(
            _("Site %(number)s is not enrolled yet: enrol it, which sends the welcome e-mail.")
            % {"number": locked.number}
        )
    primary = _primary_to_welcome(locked)
    if primary.user_id is not None:
        raise ValidationError(
            _(
                "The primary contact of site %(number)s (%(email)s) has already accepted the "
                "welcome e-mail and signs in with their own account."
            )
            % {"number": locked.number, "email": primary.email}
        )
    return invitation_create(
        contact=primary, invited_by=actor, now=now, kind=Invitation.Kind.WELCOME
    )


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
    # Another site of an existing agreement (review #7 item 19): the form offers only the
    # agreements of the reseller's clients.
    agreement: Agreement | None = None


def _check_agreement_of_client(agreement: Agreement, reseller: Organisation | None) -> None:
    """A4: a reseller adds sites only to the agreements of its own clients."""
    if reseller is not None and not agreement.customer.sites.filter(reseller=reseller).exists():
        raise ValidationError({"agreement": _("Choose one of your clients' agreements.")})


@transaction.atomic
def site_create_and_enrol(
    *, request: EnrolmentRequest, reseller: Organisation | None, actor: User, now: datetime
) -> Site:
    """Create (or reuse) the customer and agreement, create the site with its primary contact
    and enrol it. A reseller becomes the site's account manager (A2)."""
    with acting_as(actor):
        if request.agreement is not None:
            _check_agreement_of_client(request.agreement, reseller)
        customer = request.agreement.customer if request.agreement else request.customer
        if customer is None:
            customer = Organisation.objects.create(
                name=request.customer_name, kind=Organisation.Kind.CUSTOMER
            )
        agreement = request.agreement or (
            Agreement.objects.filter(customer=customer, programme=request.programme).first()
        )
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
    site_enrol(site=site, actor=actor, now=now)
    return site
