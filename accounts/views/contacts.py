"""A site's contacts and their roles, and its authorized technical callers (A3)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.decorators import site_view
from accounts.forms import CallerForm, ContactForm
from accounts.views.common import contact_action, site_context
from portal.core.forms import apply_errors
from portal.core.pagination import paginate

# --- contacts (A3) ---------------------------------------------------------------------------


@site_view(methods=("GET",))
def contact_list(request, site):
    page = paginate(request, selectors.contacts_for_site(site=site))
    pending = selectors.contact_ids_invited(site=site, now=timezone.now())
    return render(
        request,
        "accounts/contact_list.html",
        site_context(request, site, page=page, pending_contact_ids=pending),
    )


@site_view("site.manage")
def contact_add(request, site):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite", False)
        try:
            contact = services.contact_create(
                site=site, actor=request.user, data=data, invite=invite, now=timezone.now()
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
        site_context(
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
                services.invitation_create(
                    contact=contact, invited_by=request.user, now=timezone.now()
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s was updated.") % {"name": contact.name})
            return redirect("accounts:contact_list", number=site.number)
    return render(
        request,
        "accounts/form.html",
        site_context(
            request,
            site,
            form=form,
            title=_("Edit %(name)s") % {"name": contact.name},
            cancel_url=reverse("accounts:contact_list", args=[site.number]),
        ),
    )


@site_view("site.manage")
def contact_delete(request, site, contact_id: int):
    return contact_action(
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
    return contact_action(
        request,
        site,
        contact_id,
        action=partial(services.contact_make_primary, now=timezone.now()),
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
        services.invitation_create(contact=contact, invited_by=actor, now=timezone.now())

    return contact_action(
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
    callers = selectors.callers_for_site(site=site)
    form = CallerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite", False)
        try:
            contact = services.caller_add(
                site=site, actor=request.user, data=data, invite=invite, now=timezone.now()
            )
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
        site_context(request, site, page=paginate(request, callers), form=form),
    )


@site_view("site.manage_callers")
def caller_remove(request, site, contact_id: int):
    return contact_action(
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
