"""The signed-in user's own profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

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
    """E2: the language switcher. Anyone may choose a language (a cookie, as Django's own
    `set_language`); a signed-in user keeps it on their profile, so e-mails follow it too."""
    language = request.POST.get("language", "")
    supported = dict(settings.LANGUAGES)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("dashboard")
    if language not in supported:
        messages.error(request, _("That language is not offered; the page stays as it was."))
        return redirect(next_url)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    translation.activate(language)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
