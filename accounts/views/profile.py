"""The signed-in user's own profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from accounts import selectors, services
from accounts.decorators import guarded
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


@guarded(methods=("POST",), login=False)
def language_set(request):
    """E2: the language switcher. Django's `set_language` checks the language and the `next`
    address and sets the cookie (anyone may choose); a signed-in user also keeps the choice on
    their profile, so their e-mails follow it too."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("That language is not offered; the page stays as it was."))
    elif request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    return set_language(request)
