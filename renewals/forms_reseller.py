"""The reseller's forms (N6): its client's price as an adjustment of the vendor's price."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from renewals import services


class QuotePriceForm(forms.Form):
    """N6: +8 means 8 % above the vendor's price; −100 % is the lowest (a price cannot be
    below zero), +100 % the highest. The bounds and their messages are the service's."""

    adjustment = forms.DecimalField(
        label=_("Your adjustment (%)"),
        max_digits=6,
        decimal_places=2,
        help_text=_(
            "Percent above (or, with a minus sign, below) the vendor's price, "
            "from −100 to +100. Example: 8 or -5.5."
        ),
        # No min/max in the browser: the server's message says why and what to do instead.
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    # The adjustment the reseller last previewed: sending asks for the price it was shown.
    previewed = forms.DecimalField(
        required=False, max_digits=6, decimal_places=2, widget=forms.HiddenInput
    )

    def clean_adjustment(self) -> Decimal:
        adjustment = self.cleaned_data["adjustment"]
        try:
            services.adjustment_check(adjustment)
        except ValidationError as error:
            raise ValidationError(error.message_dict["adjustment"]) from error
        return adjustment
