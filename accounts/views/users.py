"""A site's portal users and its pending invitations (A5)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.decorators import site_view
from accounts.forms import InviteUserForm
from accounts.views.common import confirm_page, contact_action, site_context
from portal.core.forms import apply_errors
from portal.core.pagination import paginate


@site_view("site.manage", methods=("GET",))
def user_list(request, site):
    return render(
        request,
        "accounts/user_list.html",
        site_context(
            request,
            site,
            page=paginate(request, selectors.site_users(site=site)),
            invitations=selectors.invitations_pending_for_site(site=site, now=timezone.now())[:50],
        ),
    )


@site_view("site.manage")
def user_invite(request, site):
    form = InviteUserForm(request.POST or None, initial={"language": site.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_invite(
                site=site, actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:user_list", number=site.number)
    return render(
        request,
        "accounts/form.html",
        site_context(
            request,
            site,
            form=form,
            title=_("Invite a user"),
            cancel_url=reverse("accounts:user_list", args=[site.number]),
        ),
    )


@site_view("site.manage")
def user_remove(request, site, contact_id: int):
    return contact_action(
        request,
        site,
        contact_id,
        action=services.contact_revoke_access,
        title=_("Remove %(name)s's portal access?"),
        message=_(
            "%(name)s will no longer be able to sign in to site %(site)s. They stay on "
            "the contact list."
        ),
        button=_("Remove access"),
        done=_("%(name)s no longer has portal access."),
        back="accounts:user_list",
    )


@site_view("site.manage")
def invitation_revoke(request, site, invitation_id: int):
    invitation = selectors.invitation_get_for_site(site=site, invitation_id=invitation_id)
    back_url = reverse("accounts:user_list", args=[site.number])
    if request.method == "POST":
        try:
            services.invitation_revoke(
                invitation=invitation, actor=request.user, now=timezone.now()
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
            )
        return redirect(back_url)
    return confirm_page(
        request,
        site,
        title=_("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
        message=_("The link in the e-mail stops working at once."),
        button=_("Withdraw invitation"),
        cancel_url=back_url,
    )
