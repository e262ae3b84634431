"""Reseller pages: clients, a client's detail and enrolling a client site (A2, A5)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.decorators import client_in_scope, reseller_view
from accounts.forms import EnrolmentForm
from portal.core.forms import apply_errors
from portal.core.pagination import paginate


@reseller_view
def reseller_clients(request):
    customers = selectors.customers_for_reseller(reseller=request.user.reseller)
    return render(request, "accounts/reseller_clients.html", {"page": paginate(request, customers)})


@reseller_view(scope=client_in_scope)
def reseller_client_detail(request, customer_id: int):
    customer = selectors.customer_get_for_reseller(
        reseller=request.user.reseller, customer_id=customer_id
    )
    return render(request, "accounts/reseller_client_detail.html", {"customer": customer})


@reseller_view
def reseller_enrol(request):
    reseller = request.user.reseller
    form = EnrolmentForm(
        request.POST or None, customers=selectors.customers_for_reseller(reseller=reseller)
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
