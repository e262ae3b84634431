"""S8: what the coverage page shows (flagged sites only by default) and its sort order."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from support.partner import DEFAULT_SORT

SHOW_FLAGGED = "flagged"
SHOW_ALL = "all"


class CoverageFilter(forms.Form):
    """A GET form: an unchecked box would be indistinguishable from no choice, so "flagged
    only" (the default) is a choice of two."""

    show = forms.ChoiceField(
        label=_("Show"),
        choices=[
            (SHOW_FLAGGED, _("Flagged sites only")),
            (SHOW_ALL, _("All client sites")),
        ],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("-uncovered", _("Most uncovered hardware first")),
            ("uncovered", _("Least uncovered hardware first")),
            ("site", _("Site number (ascending)")),
            ("-site", _("Site number (descending)")),
            ("customer", _("Customer (A–Z)")),
            ("-customer", _("Customer (Z–A)")),
        ],
        required=False,
    )

    def choice(self) -> dict:
        """The cleaned choice; a malformed value falls back to the default."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "flagged": (data.get("show") or SHOW_FLAGGED) == SHOW_FLAGGED,
            "sort": data.get("sort") or DEFAULT_SORT,
        }
