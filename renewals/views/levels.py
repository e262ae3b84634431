"""Level and commitment pages (N8, N9): the three-year commitment offer and its acceptance,
per agreement."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from accounts.models import Agreement, User
from accounts.selectors import sites_for_user
from portal.core.forms import apply_errors
from renewals.commitments import checked_anniversaries
from renewals.forms_levels import CommitmentForm
from renewals.levels import level_summary
from renewals.models import Commitment
from renewals.services import commitment_accept, commitment_decline, commitment_minimum


def agreements_for_user(*, user: User) -> QuerySet[Agreement]:
    """A4: the agreements of the sites the user may see."""
    return Agreement.objects.filter(pk__in=sites_for_user(user).values("agreement_id"))


def scope_agreement(request, *, number: str, **_kwargs) -> Agreement:
    """A4: another tenant's agreement is a 404, the same answer as a missing one."""
    return get_object_or_404(agreements_for_user(user=request.user), number=number)


def can_commit(user: User, agreement: Agreement) -> bool:
    """N9: those who run a site of the agreement decide its commitment: the primary contact
    and site administrators, the account-managing reseller for its client, staff (the
    holders of `site.view_prices`, as for quotes); STCs and callers 403."""
    if user.is_staff:
        return True
    sites = sites_for_user(user).filter(agreement=agreement).select_related("reseller")
    return any(user.has_perm("site.view_prices", site) for site in sites)


@guarded(scope=scope_agreement, permission=can_commit, replacing="number")
def commitment_accept_page(request, agreement: Agreement):
    """N9: the offer (quantity ≥ 10 and ≥ the current qualifying count), the commitment in
    force, or why there is nothing to accept."""
    as_of = timezone.localdate()
    offer = (
        Commitment.objects.filter(agreement=agreement)
        .exclude(state=Commitment.State.DECLINED)
        .order_by("-invited_on", "-pk")
        .first()
    )
    minimum = commitment_minimum(agreement=agreement, as_of=as_of)
    form = CommitmentForm(
        request.POST if request.method == "POST" else None,
        minimum=minimum,
        initial={"quantity": minimum},
    )
    error = ""
    if request.method == "POST":
        if offer is None or offer.state != Commitment.State.INVITED:
            error = _("There is no three-year commitment offer to accept for this agreement.")
        elif request.POST.get("decline"):
            commitment_decline(commitment_id=offer.pk, actor=request.user, as_of=as_of)
            messages.info(request, _("The three-year commitment offer was declined."))
            return redirect("renewals:commitment_accept", number=agreement.number)
        elif form.is_valid():
            try:
                commitment_accept(
                    commitment_id=offer.pk,
                    quantity=form.cleaned_data["quantity"],
                    actor=request.user,
                    as_of=as_of,
                )
            except ValidationError as refused:
                apply_errors(form, refused)
            else:
                messages.success(
                    request,
                    _("The three-year commitment to %(quantity)s licences is accepted.")
                    % {"quantity": form.cleaned_data["quantity"]},
                )
                return redirect("renewals:commitment_accept", number=agreement.number)
    summary = level_summary(agreement=agreement, as_of=as_of)
    checked = []
    if offer is not None and offer.state == Commitment.State.ACTIVE:
        checked = checked_anniversaries(offer.accepted_on, agreement.anniversary_month)
    return render(
        request,
        "renewals/commitment_accept.html",
        {
            "agreement": agreement,
            "offer": offer,
            "form": form,
            "error": error,
            "summary": summary,
            "minimum": minimum,
            "checked": checked,
        },
    )
