"""Reseller pages: clients, a client's detail and enrolling a client site (A2, A5)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts import selectors, services
from accounts.decorators import client_in_scope, reseller_view, site_view
from accounts.forms import EnrolmentForm
from accounts.signals import client_flagged_site_counts, site_coverage_counts
from accounts.views.common import confirm_page
from portal.core.forms import apply_errors
from portal.core.pagination import paginate


@reseller_view
def reseller_clients(request):
    reseller = request.user.reseller
    customers = selectors.clients_with_enrolment_for_reseller(reseller=reseller)
    page = paginate(request, customers)
    page.object_list = list(page.object_list)
    # S8: a certified service partner sees which clients have sites with uncovered hardware
    # (one query for the page, answered by support through the signal).
    flagged = (
        client_flagged_site_counts(
            reseller=reseller,
            customer_ids=[customer.pk for customer in page.object_list],
            as_of=timezone.localdate(),
        )
        if reseller.is_certified_service_partner
        else {}
    )
    for customer in page.object_list:
        customer.flagged_site_count = flagged.get(customer.pk, 0)
    return render(
        request,
        "accounts/reseller_clients.html",
        {"page": page, "is_service_partner": reseller.is_certified_service_partner},
    )


@reseller_view(scope=client_in_scope)
def reseller_client_detail(request, customer_id: int):
    """The client's agreements and the sites the reseller manages for it, each with its
    enrolment status, primary contact, licence coverage and actions (review #7 item 19)."""
    reseller = request.user.reseller
    customer = selectors.customer_get_for_reseller(reseller=reseller, customer_id=customer_id)
    now = timezone.now()  # the clock is read here, at the edge
    page = paginate(
        request, selectors.client_sites_for_reseller(reseller=reseller, customer=customer)
    )
    sites = list(page.object_list)
    coverage = site_coverage_counts(site_ids=[site.pk for site in sites], as_of=now.date())
    for site in sites:
        site.enrolment = selectors.enrolment_status(
            enrolled_at=site.enrolled_at, primary_has_access=site.primary_has_access
        )
        site.welcome_expired = bool(site.welcome_expires_at and site.welcome_expires_at <= now)
        site.coverage = coverage.get(site.pk, {})
    return render(
        request,
        "accounts/reseller_client_detail.html",
        {"customer": customer, "page": page, "sites": sites},
    )


def _enrolment_initial(request, reseller) -> dict:
    """Prefill from the client page's "Enrol another site" (?customer=<id>): the client's
    agreement when it has exactly one that can take another site, else the client."""
    customer_id = request.GET.get("customer", "")
    if not customer_id.isdigit():
        return {}
    agreements = list(
        selectors.agreements_for_reseller(reseller=reseller).filter(customer_id=customer_id)[:2]
    )
    if len(agreements) == 1:
        return {"agreement": agreements[0].pk}
    clients = selectors.customer_choices_for_reseller(reseller=reseller)
    return {"customer": customer_id} if clients.filter(pk=customer_id).exists() else {}


@reseller_view
def reseller_enrol(request):
    reseller = request.user.reseller
    form = EnrolmentForm(
        request.POST or None,
        initial=_enrolment_initial(request, reseller),
        customers=selectors.customer_choices_for_reseller(reseller=reseller),
        agreements=selectors.agreements_for_reseller(reseller=reseller),
        reseller=reseller,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            site = services.site_create_and_enrol(
                request=services.EnrolmentRequest(**data),
                reseller=reseller,
                actor=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Site %(number)s is enrolled. %(email)s will receive the welcome e-mail.")
                % {"number": site.number, "email": data["contact_email"]},
            )
            return redirect("accounts:site_detail", number=site.number)
    return render(
        request,
        "accounts/form.html",
        {
            "form": form,
            "title": _("Enrol a client site"),
            "cancel_url": reverse("accounts:reseller_clients"),
        },
    )


RESENT = _lazy("A new welcome e-mail is on its way to %(email)s; the earlier link no longer works.")
ENROLLED = _lazy("Site %(number)s is enrolled; the welcome e-mail is on its way to %(email)s.")


def _manages(user, site) -> bool:
    """The account-managing reseller's own action (staff use the admin action)."""
    return bool(user.reseller_id) and user.reseller_id == site.reseller_id


@site_view(permission=_manages)
def reseller_site_welcome(request, site):
    """A5, review #7 item 12: send the welcome e-mail — enrolling a site not enrolled yet, or
    re-sending it (the previous link stops working) — after a confirmation."""
    back = reverse("accounts:reseller_client_detail", args=[site.customer_id])
    primary = selectors.contacts_for_site(site=site).filter(is_primary=True).first()
    if request.method == "POST":
        resend = site.enrolled_at is not None
        service = services.site_welcome_resend if resend else services.site_enrol
        try:
            service(site=site, actor=request.user, now=timezone.now())
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            done = RESENT if resend else ENROLLED
            messages.success(
                request,
                done % {"number": site.number, "email": primary.email if primary else ""},
            )
        return redirect(back)
    email = primary.email if primary else _("(no primary contact)")
    if site.enrolled_at is not None:
        title = _("Resend the welcome e-mail for site %(number)s") % {"number": site.number}
        message = _(
            "%(email)s will receive a new welcome e-mail with a new link. The link sent "
            "earlier will stop working."
        ) % {"email": email}
        button = _("Resend the welcome e-mail")
    else:
        title = _("Enrol site %(number)s") % {"number": site.number}
        message = _(
            "Site %(number)s will be enrolled and %(email)s will receive the welcome e-mail."
        ) % {"number": site.number, "email": email}
        button = _("Enrol and send the welcome e-mail")
    return confirm_page(
        request, site, title=title, message=message, button=button, cancel_url=back, danger=False
    )
