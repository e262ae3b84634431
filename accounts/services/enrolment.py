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


@transaction.atomic
def site_enrol(*, site: Site, actor: User | None, now: datetime) -> Invitation:
    """A5: mark the site enrolled at `now` and send its primary contact the welcome e-mail."""
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
            site.enrolled_at = now
            site.save(update_fields=["enrolled_at"])
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


@transaction.atomic
def site_create_and_enrol(
    *, request: EnrolmentRequest, reseller: Organisation | None, actor: User, now: datetime
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
    site_enrol(site=site, actor=actor, now=now)
    return site
