"""A site's own pages: its detail and its history (A2, A7)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from accounts import selectors
from accounts.decorators import site_view
from accounts.views.common import site_context
from portal.core.audit import audit_rows
from portal.core.pagination import paginate


@site_view(methods=("GET",))
def site_detail(request, site):
    contacts = list(selectors.contacts_for_site(site=site))
    context = site_context(
        request,
        site,
        contacts=contacts,
        primary=next((c for c in contacts if c.is_primary), None),
        next_anniversary=site.agreement.next_anniversary(site.local_date(timezone.now())),
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
        site_context(request, site, page=page, rows=audit_rows(page.object_list)),
    )
