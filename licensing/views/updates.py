"""L10: the downloads an entitled user may take, and how they hear about new versions."""

from __future__ import annotations

from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import allow_methods
from accounts.forms import CrispyMixin
from licensing import updates
from licensing.models import UpdatePreference
from licensing.views.common import today
from portal.core.pagination import paginate


class UpdatePreferenceForm(CrispyMixin, forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail me about new versions of products my sites are covered for"),
        choices=UpdatePreference.Frequency.choices,
        widget=forms.RadioSelect,
    )


@allow_methods(("GET",))
def downloads(request):
    versions = updates.versions_downloadable_for_user(user=request.user, as_of=today())
    return render(request, "licensing/download_list.html", {"page": paginate(request, versions)})


def _downloadable(request, *, version_id: int):
    return get_object_or_404(
        updates.versions_downloadable_for_user(user=request.user, as_of=today()), pk=version_id
    )


@allow_methods(("GET",), scope=_downloadable)
def download(request, version_id: int):
    """The file of a version the user is entitled to; any other version is a 404 (A4)."""
    version = _downloadable(request, version_id=version_id)
    return FileResponse(
        version.download.open("rb"),
        as_attachment=True,
        filename=PurePosixPath(version.download.name).name,
    )


@allow_methods(("GET", "POST"))
def update_preferences(request):
    form = UpdatePreferenceForm(
        request.POST or None, initial={"frequency": updates.update_frequency(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        updates.update_preference_set(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, _("Your product update preference was saved."))
        return redirect("licensing:update_preferences")
    return render(request, "licensing/download_preferences.html", {"form": form})
