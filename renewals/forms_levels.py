"""Forms for levels and commitments (N9)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class CommitmentForm(forms.Form):
    """N9: the quantity a customer commits to. The bounds (at least 10, at least the count
    held now) are the service's (commitment_accept), with its messages."""

    quantity = forms.IntegerField(
        label=_("Licences to commit to"),
        min_value=1,
        max_value=1_000_000,
        error_messages={"required": _("Enter the number of licences to commit to.")},
    )

    def __init__(self, *args, minimum: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["quantity"]
        field.help_text = _(
            "At least %(minimum)s: ten, and at least the qualifying licences you hold now. "
            "Renew this many at each anniversary of the three-year term."
        ) % {"minimum": minimum}
        field.widget.attrs["min"] = 1
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.add_input(
            Submit("action", _("Accept the three-year commitment"), css_class="btn-primary")
        )
