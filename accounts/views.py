"""Site pages: detail, history, contacts, callers, users and invitations; enrolment and the
invitation link; the profile. Views stay thin: selectors read, services write."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.decorators import site_view
from accounts.forms import (
    CallerForm,
    ConfirmForm,
    ContactForm,
    EnrolmentForm,
    InviteUserForm,
    ProfileForm,
    SetPasswordForm,
    SiteNumberConfirmForm,
)
from accounts.signals import refresh_confirmation_flag
from portal.core.audit import audit_rows
from portal.core.forms import apply_errors
from portal.core.pagination import paginate

GET_POST = require_http_methods(["GET", "POST"])


def _site_context(request, site, **extra) -> dict:
    user = request.user
    return {
        "site": site,
        "can_manage": user.has_perm("site.manage", site),
        "can_manage_callers": user.has_perm("site.manage_callers", site),
        "can_change_primary": user.has_perm("site.change_primary", site),
        **extra,
    }


def _confirm_page(
    request, site, *, title: str, message: str, button: str, cancel_url: str, danger: bool = True
):
    form = ConfirmForm()
    form.helper.inputs[0].value = button
    if danger:
        form.helper.inputs[0].field_classes = "btn btn-danger"
    return render(
        request,
        "accounts/confirm.html",
        _site_context(
            request, site, form=form, title=title, message=message, cancel_url=cancel_url
        ),
    )


# --- site pages ----------------------------------------------------------------------------


@site_view(methods=("GET",))
def site_detail(request, site):
    contacts = list(selectors.contacts_for_site(site=site))
    context = _site_context(
        request,
        site,
        contacts=contacts,
        primary=next((c for c in contacts if c.is_primary), None),
        next_anniversary=site.agreement.next_anniversary(date.today()),  # noqa: DTZ011
        roles=selectors.role_labels(selectors.site_roles_for_user(user=request.user, site=site)),
        history=audit_rows(selectors.site_audit_entries(site=site)[:10]),
    )
    return render(request, "accounts/site_detail.html", context)


@site_view(methods=("GET",))
def site_history(request, site):
    page = paginate(request, selectors.site_audit_entries(site=site))
    return render(
        request,
        "accounts/site_history.html",
        _site_context(request, site, page=page, rows=audit_rows(page.object_list)),
    )


# --- contacts (A3) ---------------------------------------------------------------------------


@site_view(methods=("GET",))
def contact_list(request, site):
    page = paginate(request, selectors.contacts_for_site(site=site))
    pending = set(
        selectors.invitations_pending_for_site(site=site).values_list("contact_id", flat=True)
    )
    return render(
        request,
        "accounts/contact_list.html",
        _site_context(request, site, page=page, pending_contact_ids=pending),
    )


@site_view("site.manage")
def contact_add(request, site):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite", False)
        try:
            contact = services.contact_create(
                site=site, actor=request.user, data=data, invite=invite
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": contact.name})
            if invite:
                messages.info(
                    request, _("An invitation was sent to %(email)s.") % {"email": contact.email}
                )
            return redirect("accounts:contact_list", number=site.number)
    return render(
        request,
        "accounts/form.html",
        _site_context(
            request,
            site,
            form=form,
            title=_("Add a contact"),
            cancel_url=reverse("accounts:contact_list", args=[site.number]),
        ),
    )


@site_view("site.manage")
def contact_edit(request, site, contact_id: int):
    contact = selectors.contact_get_for_site(site=site, contact_id=contact_id)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite", False)
        try:
            services.contact_update(contact=contact, actor=request.user, data=data)
            if invite:
                services.invitation_create(contact=contact, invited_by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s was updated.") % {"name": contact.name})
            return redirect("accounts:contact_list", number=site.number)
    return render(
        request,
        "accounts/form.html",
        _site_context(
            request,
            site,
            form=form,
            title=_("Edit %(name)s") % {"name": contact.name},
            cancel_url=reverse("accounts:contact_list", args=[site.number]),
        ),
    )


def _contact_action(
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
    return _confirm_page(
        request,
        site,
        title=title % {"name": contact.name},
        message=message % {"name": contact.name, "site": site.number},
        button=button,
        cancel_url=back_url,
    )


@site_view("site.manage")
def contact_delete(request, site, contact_id: int):
    return _contact_action(
        request,
        site,
        contact_id,
        action=services.contact_delete,
        title=_("Remove %(name)s?"),
        message=_(
            "%(name)s will no longer be a contact of site %(site)s, and loses any portal "
            "access to it. This cannot be undone."
        ),
        button=_("Remove contact"),
        done=_("%(name)s was removed."),
    )


@site_view("site.change_primary")
def contact_make_primary(request, site, contact_id: int):
    return _contact_action(
        request,
        site,
        contact_id,
        action=services.contact_make_primary,
        title=_("Make %(name)s the primary contact?"),
        message=_(
            "%(name)s becomes the primary contact of site %(site)s; the current primary "
            "contact stays a contact without the primary role."
        ),
        button=_("Make primary contact"),
        done=_("%(name)s is now the primary contact."),
    )


@site_view("site.manage")
def contact_invite(request, site, contact_id: int):
    def invite(*, contact, actor):
        services.invitation_create(contact=contact, invited_by=actor)

    return _contact_action(
        request,
        site,
        contact_id,
        action=invite,
        title=_("Invite %(name)s to the portal?"),
        message=_(
            "%(name)s will receive an e-mail with a link, valid for 7 days, to set a "
            "password for site %(site)s. Earlier links to them stop working."
        ),
        button=_("Send invitation"),
        done=_("An invitation was sent to %(name)s."),
    )


# --- authorized callers (A3) -----------------------------------------------------------------


@site_view("site.manage_callers")
def caller_list(request, site):
    callers = selectors.contacts_for_site(site=site).filter(is_authorized_caller=True)
    form = CallerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite", False)
        try:
            contact = services.caller_add(site=site, actor=request.user, data=data, invite=invite)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is now an authorized caller.") % {"name": contact.name}
            )
            return redirect("accounts:caller_list", number=site.number)
    return render(
        request,
        "accounts/caller_list.html",
        _site_context(request, site, page=paginate(request, callers), form=form),
    )


@site_view("site.manage_callers")
def caller_remove(request, site, contact_id: int):
    return _contact_action(
        request,
        site,
        contact_id,
        action=services.caller_remove,
        title=_("Remove %(name)s as an authorized caller?"),
        message=_("%(name)s will no longer be able to open tickets for site %(site)s."),
        button=_("Remove caller"),
        done=_("%(name)s is no longer an authorized caller."),
        back="accounts:caller_list",
    )


# --- users and invitations (A5) --------------------------------------------------------------


@site_view("site.manage", methods=("GET",))
def user_list(request, site):
    return render(
        request,
        "accounts/user_list.html",
        _site_context(
            request,
            site,
            page=paginate(request, selectors.site_users(site=site)),
            invitations=selectors.invitations_pending_for_site(site=site)[:50],
        ),
    )


@site_view("site.manage")
def user_invite(request, site):
    form = InviteUserForm(request.POST or None, initial={"language": site.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_invite(site=site, actor=request.user, **form.cleaned_data)
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
        _site_context(
            request,
            site,
            form=form,
            title=_("Invite a user"),
            cancel_url=reverse("accounts:user_list", args=[site.number]),
        ),
    )


@site_view("site.manage")
def user_remove(request, site, contact_id: int):
    return _contact_action(
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
            services.invitation_revoke(invitation=invitation, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
            )
        return redirect(back_url)
    return _confirm_page(
        request,
        site,
        title=_("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
        message=_("The link in the e-mail stops working at once."),
        button=_("Withdraw invitation"),
        cancel_url=back_url,
    )


# --- the invitation link and the first sign-in (A5) ------------------------------------------


def _invitation_accept_signed_in(request, invitation, context):
    """A signed-in person accepts an invitation addressed to their own account."""
    form = ConfirmForm(request.POST or None)
    form.helper.inputs[0].value = _("Accept invitation")
    if request.method != "POST":
        return render(request, "accounts/invitation_accept.html", {**context, "form": form})
    try:
        services.invitation_accept(invitation=invitation, user=request.user)
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
    problem = services.invitation_problem(invitation)
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
            services.site_number_confirm(contact=pending, number=form.cleaned_data["number"])
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


# --- profile ---------------------------------------------------------------------------------


@login_required
@GET_POST
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    has_totp = selectors.user_has_totp(request.user)
    return render(request, "accounts/profile.html", {"form": form, "has_totp": has_totp})


# --- reseller pages --------------------------------------------------------------------------


def reseller_view(view):
    @login_required
    @GET_POST
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.reseller_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@reseller_view
def reseller_clients(request):
    customers = selectors.customers_for_reseller(reseller=request.user.reseller)
    return render(request, "accounts/reseller_clients.html", {"page": paginate(request, customers)})


@reseller_view
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
