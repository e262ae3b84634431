"""Forms of the customer's quote pages: the co-term choice and confirmation of an acceptance
(N1, N6), a decline with its reason, the replacement of the calendar address."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renewals.models import QuoteLine


def coterm_key(line: QuoteLine) -> str:
    """N1: co-term lines are chosen per product and site, all or none."""
    return f"{line.site_id}:{line.product_id}"


class QuoteAcceptForm(forms.Form):
    """N1/N6: which optional co-term groups to renew too, and (on the review page) the
    confirmation. A group is one product at one site, so a choice is all-or-none by
    construction; the service checks it again."""

    coterm = forms.MultipleChoiceField(
        label=_("Also renew these co-term lines"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lines: list[QuoteLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        keys = []
        for line in lines:
            if line.is_optional and coterm_key(line) not in keys:
                keys.append(coterm_key(line))
        self.fields["coterm"].choices = [(key, key) for key in keys]

    def chosen_keys(self) -> set[str]:
        if not self.is_bound or not self.is_valid():
            return set()
        return set(self.cleaned_data["coterm"])

    def chosen_ids(self) -> set[int]:
        keys = self.chosen_keys()
        return {line.pk for line in self.lines if line.is_optional and coterm_key(line) in keys}

    def is_confirmed(self) -> bool:
        return self.is_bound and self.is_valid() and self.cleaned_data["confirm"]


class QuoteDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you declining? (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your account manager reads this."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def is_confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirm"]
