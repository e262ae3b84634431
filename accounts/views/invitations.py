"""The invitation link and the primary contact's first sign-in (A5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import ConfirmForm, SetPasswordForm, SiteNumberConfirmForm
from accounts.signals import refresh_confirmation_flag
from accounts.views.common import GET_POST
from portal.core.forms import apply_errors


def _invitation_accept_signed_in(request, invitation, context):
    """A signed-in person accepts an invitation addressed to their own account."""
    form = ConfirmForm(request.POST or None)
    form.helper.inputs[0].value = _("Accept invitation")
    if request.method != "POST":
        return render(request, "accounts/invitation_accept.html", {**context, "form": form})
    try:
        services.invitation_accept(invitation=invitation, user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("dashboard")
    refresh_confirmation_flag(request, request.user)
    number = invitation.contact.site.number
    messages.success(request, _("You now have access to site %(number)s.") % {"number": number})
    return redirect("accounts:site_detail", number=number)


@GET_POST
def invitation_accept(request, token: str):
    invitation = services.invitation_from_token(token)
    problem = services.invitation_problem(invitation, now=timezone.now())
    if problem:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"problem": problem},
            status=410 if invitation else 404,
        )
    has_account = selectors.account_exists(email=invitation.email)
    context = {
        "invitation": invitation,
        "site": invitation.contact.site,
        "has_account": has_account,
    }
    if request.user.is_authenticated:
        return _invitation_accept_signed_in(request, invitation, context)
    if has_account:
        return redirect(reverse("account_login") + "?next=" + request.path)
    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                now=timezone.now(),
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome to Entitle."))
            return redirect(
                "accounts:site_confirm" if invitation.contact.is_primary else "dashboard"
            )
    return render(request, "accounts/invitation_accept.html", {**context, "form": form})


@login_required
@GET_POST
def site_confirm(request):
    pending = selectors.sites_pending_confirmation(user=request.user).first()
    if pending is None:
        refresh_confirmation_flag(request, request.user)
        return redirect("dashboard")
    form = SiteNumberConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_number_confirm(
                contact=pending, number=form.cleaned_data["number"], now=timezone.now()
            )
        except ValidationError as error:
            form.add_error("number", error)
        else:
            refresh_confirmation_flag(request, request.user)
            messages.success(
                request,
                _("Site %(number)s is confirmed. You can now invite other users.")
                % {"number": pending.site.number},
            )
            return redirect("accounts:site_detail", number=pending.site.number)
    return render(
        request,
        "accounts/site_confirm.html",
        {"form": form, "contact": pending, "customer": pending.site.customer},
    )
