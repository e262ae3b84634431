"""Forms for the licensing pages: reseller orders (L2), site-to-site transfers (L7) and moves to
a new computer (L8). Forms check what a person typed; the services decide the rules and their
messages are put back on the form fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from licensing import services
from licensing.models import Activation, Edition, Entitlement, LicenceMove, Product, Version
from licensing.models.orders import MAX_LINE_QUANTITY
from portal.core.formatting import format_money
from portal.core.forms import apply_errors

MAX_ORDER_LINES = 20


# --- orders (L2) -----------------------------------------------------------------------------


@dataclass
class Catalogue:
    """The catalogue an order form offers, read once per request (three queries whatever
    the number of lines on the form)."""

    products: dict[str, Product]
    editions: dict[str, Edition]
    versions: dict[str, Version]

    @classmethod
    def load(cls) -> Catalogue:
        products = {str(p.pk): p for p in Product.objects.order_by("family", "part_number")}
        editions, versions = {}, {}
        for edition in Edition.objects.order_by("product_id", "rank"):
            edition.product = products[str(edition.product_id)]
            editions[str(edition.pk)] = edition
        for version in Version.objects.order_by("product_id", "release_date"):
            version.product = products[str(version.product_id)]
            versions[str(version.pk)] = version
        return cls(products, editions, versions)

    def product_choices(self, ordered_on: date) -> list:
        choices = [("", _("Choose a product"))]
        for product in self.products.values():
            price = format_money(product.list_price, product.currency)
            label = f"{product.part_number} {product.name} — {price}"
            if not product.is_orderable_on(ordered_on):
                label += " " + str(_("(end of sale %(date)s)") % {"date": product.end_of_sale})
            choices.append((str(product.pk), label))
        return choices

    def edition_choices(self, product_key: str) -> list:
        """Review #7 item 18: only the chosen product's editions (none before a product is
        chosen), so "Standard" of one product never sits beside another's."""
        return [("", "—")] + [
            (key, f"{edition.name} — {format_money(edition.price, edition.product.currency)}")
            for key, edition in self.editions.items()
            if str(edition.product_id) == product_key
        ]

    def version_choices(self, product_key: str) -> list:
        return [("", "—")] + [
            (key, version.version)
            for key, version in self.versions.items()
            if str(version.product_id) == product_key
        ]


class OrderForm(forms.Form):
    """The order itself; its lines are OrderLineFormSet. `earliest` is the first date the
    placer may give (a reseller's back-dating window, L2); None lets staff back-date."""

    ordered_on = forms.DateField(
        label=_("Order date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date of the purchase. S&S coverage starts on this date."),
    )

    def __init__(self, *args, as_of: date, earliest: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["ordered_on"].widget
        widget.attrs["max"] = as_of.isoformat()
        if earliest is not None:
            widget.attrs["min"] = earliest.isoformat()
            self.fields["ordered_on"].help_text = _(
                "The date of the purchase, from %(earliest)s to today. S&S coverage starts "
                "on this date."
            ) % {"earliest": earliest.isoformat()}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form tag carries the token


class OrderLineForm(forms.Form):
    product = forms.ChoiceField(label=_("Product"))
    edition = forms.ChoiceField(label=_("Edition"), required=False)
    version = forms.ChoiceField(label=_("Version"), required=False)
    # The bound (MAX_LINE_QUANTITY) is the service's, with its message (validate_line).
    quantity = forms.IntegerField(label=_("Quantity"))
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty for the catalogue price."),
    )

    def __init__(
        self, *args, catalogue: Catalogue, ordered_on: date, refresh_url: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        product_key = self.product_key()
        self.fields["product"].choices = catalogue.product_choices(ordered_on)
        self.fields["edition"].choices = catalogue.edition_choices(product_key)
        self.fields["version"].choices = catalogue.version_choices(product_key)
        # A row of a table: the widgets carry Bootstrap's classes, labels are for screen readers.
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name == "quantity":
                field.widget.attrs.update({"min": "1", "max": str(MAX_LINE_QUANTITY)})
            if name == "unit_price":
                field.widget.attrs.setdefault("min", "0")
        if refresh_url:
            # With JavaScript, choosing a product re-renders its line in place (htmx) with
            # that product's editions and versions; without it the form's "Show editions and
            # versions" button asks the server for the same (views/orders.py).
            self.fields["product"].widget.attrs.update(
                {
                    "hx-post": refresh_url,
                    "hx-trigger": "change",
                    # Only this line is swapped: what is typed on other lines meanwhile stays.
                    "hx-target": "closest tr",
                    "hx-select": f"#{self.prefix}-row",
                    "hx-swap": "outerHTML",
                    "hx-vals": '{"action": "refresh"}',
                }
            )

    def product_key(self) -> str:
        """The product this line is for as the form shows it (the typed one when bound)."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("product"), "")
        else:
            value = self.initial.get("product", "")
        return str(value or "")

    def line(self) -> services.LineRequest:
        data = self.cleaned_data
        return services.LineRequest(
            product=self.catalogue.products[data["product"]],
            quantity=data["quantity"],
            edition=self.catalogue.editions.get(data.get("edition") or ""),
            version=self.catalogue.versions.get(data.get("version") or ""),
            unit_price=data.get("unit_price"),
        )


class BaseOrderLineFormSet(forms.BaseFormSet):
    """L2 checks per line (end of sale on the order date, quantity from 1 to
    MAX_LINE_QUANTITY, editions and versions of the line's product), with the service's
    messages on the line they concern."""

    def __init__(
        self, *args, catalogue: Catalogue, ordered_on: date, refresh_url: str = "", **kwargs
    ):
        self.catalogue = catalogue
        self.ordered_on = ordered_on
        self.refresh_url = refresh_url
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            "catalogue": self.catalogue,
            "ordered_on": self.ordered_on,
            "refresh_url": self.refresh_url,
        }

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.renderer,
            **self.get_form_kwargs(None),
        )
        self.add_fields(form, None)
        return form

    def filled_forms(self) -> list[OrderLineForm]:
        return [form for form in self.forms if form.has_changed() and form.cleaned_data]

    def clean(self):
        if any(self.errors):
            return
        filled = self.filled_forms()
        if not filled:
            raise ValidationError(_("Add at least one line to the order."))
        for form in filled:
            try:
                services.validate_line(line=form.line(), ordered_on=self.ordered_on)
            except ValidationError as error:
                apply_errors(form, error)

    def lines(self) -> list[services.LineRequest]:
        return [form.line() for form in self.filled_forms()]


OrderLineFormSet = forms.formset_factory(
    OrderLineForm,
    formset=BaseOrderLineFormSet,
    extra=3,
    max_num=MAX_ORDER_LINES,
    absolute_max=MAX_ORDER_LINES,
    validate_max=True,
)


class OrderConfirmForm(forms.Form):
    """The confirmation step's key (Review #7 item 18): made when the review is shown, so a
    confirmation submitted twice places one order (order_place, Order.placement_token)."""

    placement_token = forms.UUIDField(widget=forms.HiddenInput)


# --- site-to-site transfers (L7) -------------------------------------------------------------


class TransferForm(forms.Form):
    """L7: a target site of the same customer, and a quantity per entitlement of the page.

    `carried` are entitlements given a quantity on another page or before a search (review #7
    item 11): their quantities travel as hidden fields, so searching or paging loses nothing,
    and they are part of the request."""

    target_site = forms.ModelChoiceField(label=_("Transfer to site"), queryset=None)
    note = forms.CharField(label=_("Note for the vendor"), max_length=300, required=False)

    def __init__(
        self,
        *args,
        targets,
        entitlements: list[Entitlement],
        carried: list[Entitlement] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["target_site"].queryset = targets
        self.fields["target_site"].label_from_instance = lambda site: f"{site.number} {site.name}"
        self.entitlements = entitlements
        self.carried = [e for e in carried if e not in entitlements]
        for entitlement in [*self.entitlements, *self.carried]:
            self.fields[self.quantity_field(entitlement)] = forms.IntegerField(
                label=_("Quantity of %(poe)s to transfer") % {"poe": entitlement.poe_number},
                min_value=0,
                required=False,
                error_messages={"min_value": _("Quantities cannot be negative.")},
                widget=(
                    forms.HiddenInput()
                    if entitlement in self.carried
                    else forms.NumberInput(attrs={"class": "form-control", "min": 0})
                ),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    @staticmethod
    def quantity_field(entitlement: Entitlement) -> str:
        return f"quantity_{entitlement.pk}"

    @classmethod
    def entered_entitlement_ids(cls, data) -> set[int]:
        """The entitlements given a quantity in submitted data (any page, any search)."""
        ids = set()
        for name, value in data.items():
            prefix, _sep, pk = name.partition("_")
            if prefix == "quantity" and pk.isdigit() and str(value).strip():
                ids.add(int(pk))
        return ids

    def rows(self):
        """(entitlement, its quantity field) for the template's table."""
        return [(e, self[self.quantity_field(e)]) for e in self.entitlements]

    def carried_rows(self):
        """(entitlement, its hidden quantity field) chosen elsewhere, shown as a list."""
        return [(e, self[self.quantity_field(e)]) for e in self.carried]

    def quantities(self) -> dict[Entitlement, int]:
        return {
            entitlement: self.cleaned_data.get(self.quantity_field(entitlement)) or 0
            for entitlement in [*self.entitlements, *self.carried]
        }


# --- moves to a new computer (L8) ------------------------------------------------------------


class MoveForm(forms.Form):
    """L8: the old machine (or lost/stolen with a reason), the new machine, and what is bought
    with the move. `quoted_rule` / `quoted_fee` carry the quote the person saw, so a request is
    only sent for the fee that was shown."""

    old_activation = forms.ModelChoiceField(
        label=_("Move from machine"),
        queryset=Activation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    lost_or_stolen = forms.BooleanField(
        label=_("The old machine was lost or stolen"),
        required=False,
        help_text=_("Then it cannot be deactivated from the machine itself: tell us why."),
    )
    reason = forms.CharField(
        label=_("What happened to the old machine"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_machine_id = forms.CharField(label=_("New machine id"), max_length=100)
    purchase = forms.ChoiceField(
        label=_("Bought with the move"),
        choices=LicenceMove.Purchase.choices,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    quoted_rule = forms.CharField(required=False, widget=forms.HiddenInput)
    quoted_fee = forms.DecimalField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, activations, upgrade_to: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["old_activation"]
        field.queryset = activations
        field.label_from_instance = self.machine_label
        upgrade = LicenceMove.Purchase.UPGRADE
        choices = []
        for value, label in LicenceMove.Purchase.choices:
            if value != upgrade:
                choices.append((value, label))
            elif upgrade_to:  # only when there is a newer version to upgrade to
                choices.append((value, f"{label} ({upgrade_to})"))
        self.fields["purchase"].choices = choices
        self.helper = FormHelper()
        self.helper.add_input(self.secondary(Submit("show_fee", _("Show the fee"))))

    @staticmethod
    def secondary(button: Submit) -> Submit:
        button.field_classes = "btn btn-outline-secondary"
        return button

    @staticmethod
    def machine_label(activation: Activation) -> str:
        return _("%(machine)s (activated %(date)s)") % {
            "machine": activation.machine_id,
            "date": activation.activated_on.isoformat(),
        }

    def clean_new_machine_id(self) -> str:
        return self.cleaned_data["new_machine_id"].strip()

    def clean(self):
        data = super().clean()
        if data.get("lost_or_stolen") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Tell us what happened to the old machine."))
        old = data.get("old_activation")
        if old is not None and data.get("new_machine_id") == old.machine_id:
            self.add_error("new_machine_id", _("The new machine must differ from the old."))
        return data

    def offer_request(self, quote) -> None:
        """After the fee is shown: remember it and offer the request button."""
        data = self.data.copy()
        data[self.add_prefix("quoted_rule")] = quote.rule
        data[self.add_prefix("quoted_fee")] = str(quote.fee)
        self.data = data
        self.helper.inputs = [
            self.secondary(Submit("show_fee", _("Show the fee again"))),
            Submit("request_move", _("Request the move")),
        ]

    def quote_matches(self, quote) -> bool:
        data = self.cleaned_data
        return data.get("quoted_rule") == quote.rule and data.get("quoted_fee") == Decimal(
            quote.fee
        )
