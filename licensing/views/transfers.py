"""L7: site-to-site transfers: the request form and the list of transfers in and out.
Staff approve or reject them in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
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


# Buttons that only show other entitlements: the form is re-rendered with everything entered
# (review #7 item 11), nothing is validated and nothing is requested.
NAVIGATION_BUTTONS = ("search", "go_to_page")


@site_view("site.manage")
def transfer_create(request, site):
    """The entitlements of the site, a page of them at a time (searchable), each with a
    quantity to transfer; one request per submit. Search and the page buttons submit the whole
    form, so the target, the note and every quantity entered so far are kept."""
    posted = request.POST if request.method == "POST" else None
    navigating = posted is not None and any(name in posted for name in NAVIGATION_BUTTONS)
    state = posted if posted is not None and "q" in posted else request.GET
    query = (state.get("q") or "").strip()
    if posted is not None and "search" in posted:
        page_number = 1
    elif posted is not None and "go_to_page" in posted:
        page_number = posted.get("go_to_page")
    else:
        page_number = (posted or {}).get("page") or request.GET.get("page")
    held = selectors.transferable_entitlements(user=request.user, site=site, search=query)
    page = Paginator(held, TRANSFER_ROWS_PER_PAGE).get_page(page_number)
    entitlements = list(page)
    carried = []
    if posted is not None:
        entered = TransferForm.entered_entitlement_ids(posted) - {e.pk for e in entitlements}
        if entered:  # scoped: another site's entitlement is never carried
            carried = list(
                selectors.transferable_entitlements(user=request.user, site=site).filter(
                    pk__in=entered
                )
            )
    targets = selectors.transfer_targets_for_user(user=request.user, site=site)
    form_kwargs = {"targets": targets, "entitlements": entitlements, "carried": carried}
    if navigating:
        form = TransferForm(**form_kwargs)
        form.initial = {name: posted.get(name) for name in form.fields if name in posted}
    else:
        form = TransferForm(posted, **form_kwargs)
    if posted is not None and not navigating and form.is_valid():
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
            has_targets=targets.exists(),
        ),
    )
