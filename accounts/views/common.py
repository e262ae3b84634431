"""What the site pages share: the page context with the user's permissions, the confirmation
page and the confirm-then-act pattern of contact actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import selectors
from accounts.decorators import guarded
from accounts.forms import ConfirmForm

# Pages about the user's own data or a link (A4 order: sign-in, then the method).
GET_POST = guarded(login=False)


def site_context(request, site, **extra) -> dict:
    user = request.user
    return {
        "site": site,
        "can_manage": user.has_perm("site.manage", site),
        "can_manage_callers": user.has_perm("site.manage_callers", site),
        "can_change_primary": user.has_perm("site.change_primary", site),
        **extra,
    }


def confirm_page(
    request, site, *, title: str, message: str, button: str, cancel_url: str, danger: bool = True
):
    form = ConfirmForm()
    form.helper.inputs[0].value = button
    if danger:
        form.helper.inputs[0].field_classes = "btn btn-danger"
    return render(
        request,
        "accounts/confirm.html",
        site_context(request, site, form=form, title=title, message=message, cancel_url=cancel_url),
    )


def contact_action(
    request,
    site,
    contact_id: int,
    *,
    action,
    title: str,
    message: str,
    button: str,
    done: str,
    back: str = "accounts:contact_list",
):
    contact = selectors.contact_get_for_site(site=site, contact_id=contact_id)
    back_url = reverse(back, args=[site.number])
    if request.method == "POST":
        try:
            action(contact=contact, actor=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, done % {"name": contact.name})
        return redirect(back_url)
    return confirm_page(
        request,
        site,
        title=title % {"name": contact.name},
        message=message % {"name": contact.name, "site": site.number},
        button=button,
        cancel_url=back_url,
    )
