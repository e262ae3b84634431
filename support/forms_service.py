"""Forms for advance replacement (S6) and onsite support (S7). They check what a person typed;
the services decide the rules, and their messages are put back on the fields."""

from __future__ import annotations

import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Site


def site_address(site: Site) -> str:
    """The site's postal address, one line per part, to prefill the ship-to field."""
    lines = [site.name, site.address_line1, site.address_line2]
    lines.append(" ".join(part for part in (site.postcode, site.city) if part))
    lines.append(str(site.country.name))
    return "\n".join(line for line in lines if line)


class ReplacementRequestForm(forms.Form):
    """S6: the failed unit, the fault and where the replacement goes."""

    failed_serial = forms.CharField(
        label=_("Serial number of the failed unit"),
        max_length=100,
        help_text=_("As printed on the unit's label."),
    )
    fault = forms.CharField(
        label=_("Fault"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What fails and what was tried."),
    )
    ship_to = forms.CharField(
        label=_("Ship the replacement to"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # A double submission makes one RMA (the service finds the first by this key).
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, site: Site, **kwargs):
        kwargs.setdefault(
            "initial", {"ship_to": site_address(site), "submission_key": secrets.token_hex(16)}
        )
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("request", _("Request the replacement")))


class ReturnTrackingForm(forms.Form):
    """S6: the failed unit's return shipment."""

    return_tracking = forms.CharField(label=_("Return tracking number"), max_length=100)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("save", _("Record the return")))


class OnsiteRequestForm(forms.Form):
    """S7: why a visit is needed, and the confirmation of the price shown."""

    reason = forms.CharField(
        label=_("Why a visit is needed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("confirm", _("Request the visit and get the quote")))


class MarkShippedForm(forms.Form):
    """S6 (admin): when the replacement left, and its tracking number."""

    shipped_on = forms.DateField(
        label=_("Shipped on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tracking = forms.CharField(label=_("Tracking number"), max_length=100)
