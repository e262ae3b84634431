"""The signed-in user's own profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import ProfileForm
from accounts.views.common import GET_POST


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
