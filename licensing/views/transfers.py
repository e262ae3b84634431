"""L7: site-to-site transfers: the request form and the list of transfers in and out.
Staff approve or reject them in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import site_view
from licensing import selectors, services
from licensing.forms import TransferForm
from licensing.views.orders import site_page_context
from portal.core.forms import apply_errors
from portal.core.pagination import paginate

TRANSFER_ROWS_PER_PAGE = 50


@site_view(methods=("GET",))
def site_transfers(request, site):
    transfers = selectors.transfers_for_site(user=request.user, site=site)
    return render(
        request,
        "licensing/transfer_list.html",
        site_page_context(
            request,
            site,
            tab="transfers",
            page=paginate(request, transfers),
            is_staff=request.user.is_staff,
        ),
    )


@site_view("site.manage")
def transfer_create(request, site):
    """The entitlements of the site, a page of them at a time (searchable), each with a
    quantity to transfer; one request per submit."""
    query = (request.GET.get("q") or "").strip()
    held = selectors.transferable_entitlements(user=request.user, site=site, search=query)
    page = paginate(request, held, per_page=TRANSFER_ROWS_PER_PAGE)
    targets = selectors.transfer_targets_for_user(user=request.user, site=site)
    form = TransferForm(request.POST or None, targets=targets, entitlements=list(page))
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_request(
                source_site=site,
                target_site=form.cleaned_data["target_site"],
                quantities=form.quantities(),
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The transfer to site %(site)s was requested. Vendor staff will approve "
                    "it; the quantities move then."
                )
                % {"site": transfer.target_site.number},
            )
            return redirect("licensing:site_transfers", number=site.number)
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "licensing/transfer_form.html",
        site_page_context(
            request,
            site,
            tab="transfers",
            form=form,
            page=page,
            query=query,
            querystring=keep.urlencode(),
            has_targets=targets.exists(),
        ),
    )
