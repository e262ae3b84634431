"""Forms for site contacts, invitations, enrolment and the profile (crispy-forms, Bootstrap 5)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import (
    SITE_NUMBER_VALIDATOR,
    TIME_ZONE_CHOICES,
    Agreement,
    Contact,
    Language,
    Organisation,
    Site,
    User,
)
from portal.core.formatting import format_day


class CrispyMixin:
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class ContactForm(CrispyMixin, forms.ModelForm):
    """Primary contacts, site admins, resellers and staff edit a contact and all its roles."""

    invite = forms.BooleanField(
        label=_("Invite this person to the portal"),
        required=False,
        help_text=_("They get an e-mail with a link, valid for 7 days, to set a password."),
    )

    class Meta:
        model = Contact
        fields = [
            "name",
            "email",
            "phone",
            "language",
            "is_site_admin",
            "stc_role",
            "is_authorized_caller",
            "is_poe_contact",
            "is_renewal_contact",
            "is_billing_contact",
            "is_media_contact",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.user_id:
            self.fields.pop("invite")
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("The address this person signs in with.")


class CallerForm(CrispyMixin, forms.Form):
    """A3: what an STC gives to name an authorized technical caller."""

    submit_label = _("Add authorized caller")
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    invite = forms.BooleanField(
        label=_("Invite this person to the portal"),
        required=False,
        help_text=_("Authorized callers with an account can open and view the site's tickets."),
    )


class InviteUserForm(CrispyMixin, forms.Form):
    """Invite a person to use the portal for this site with one role."""

    ROLE_CHOICES = [
        ("site_admin", _("Site administrator – manages contacts and users")),
        ("stc", _("Site technical contact – maintains authorized callers, opens tickets")),
        ("caller", _("Authorized technical caller – opens and views tickets")),
    ]
    submit_label = _("Send invitation")
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)


class ConfirmForm(CrispyMixin, forms.Form):
    """An empty form: a POST with a CSRF token confirms a destructive action."""

    submit_label = _("Confirm")


class SiteNumberConfirmForm(CrispyMixin, forms.Form):
    submit_label = _("Confirm site number")
    number = forms.CharField(
        label=_("Site number"),
        max_length=7,
        validators=[SITE_NUMBER_VALIDATOR],
        help_text=_("The seven-digit number in your welcome e-mail."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class SetPasswordForm(CrispyMixin, forms.Form):
    """A5: the welcome link's form: the person chooses their own password (never e-mailed)."""

    submit_label = _("Set password and sign in")
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]


class EnrolmentForm(CrispyMixin, forms.Form):
    """A5: a reseller enrols a client site; the primary contact gets the welcome e-mail.

    Another site of an existing client is enrolled by choosing the client's agreement from the
    reseller's clients (or it comes prefilled from the client page): nothing to type about a
    number the portal already knows (review #7 item 19). A new agreement names its customer
    (an existing client or a new one), programme, number and anniversary."""

    submit_label = _("Enrol site and send welcome e-mail")
    agreement = forms.ModelChoiceField(
        label=_("Client agreement"),
        queryset=Agreement.objects.none(),
        required=False,
        empty_label=_("— a new agreement (fill in below) —"),
        help_text=_("Another site of one of your clients: choose the client's agreement."),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer of the new agreement"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— a new customer —"),
    )
    customer_name = forms.CharField(label=_("New customer's name"), max_length=200, required=False)
    programme = forms.ChoiceField(
        label=_("Programme"),
        choices=[("", "—"), *Agreement.Programme.choices],
        required=False,
    )
    agreement_number = forms.CharField(
        label=_("Agreement number"),
        max_length=30,
        required=False,
        help_text=_("Of the new agreement."),
    )
    anniversary_month = forms.TypedChoiceField(
        label=_("Anniversary month"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—"), *Agreement._meta.get_field("anniversary_month").choices],
    )
    site_number = forms.CharField(
        label=_("Site number"), max_length=7, validators=[SITE_NUMBER_VALIDATOR]
    )
    site_name = forms.CharField(label=_("Site name"), max_length=200)
    address_line1 = forms.CharField(label=_("Address"), max_length=200)
    address_line2 = forms.CharField(label=_("Address (line 2)"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    country = CountryField().formfield(label=_("Country"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="Europe/Warsaw"
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    contact_name = forms.CharField(label=_("Primary contact's name"), max_length=200)
    contact_email = forms.EmailField(label=_("Primary contact's e-mail"))
    contact_phone = forms.CharField(
        label=_("Primary contact's phone"), max_length=40, required=False
    )

    def __init__(self, *args, customers, agreements, reseller, **kwargs):
        super().__init__(*args, **kwargs)
        self.reseller = reseller
        self.fields["customer"].queryset = customers
        self.fields["customer"].label_from_instance = lambda organisation: organisation.name
        self.fields["agreement"].queryset = agreements
        self.fields["agreement"].label_from_instance = lambda agreement: (
            _("%(customer)s — %(programme)s %(number)s")
            % {
                "customer": agreement.customer.name,
                "programme": agreement.programme,
                "number": agreement.number,
            }
        )

    def clean_site_number(self):
        number = self.cleaned_data["site_number"]
        site = Site.objects.filter(number=number).first()
        if site is None:
            return number
        if site.reseller_id == self.reseller.pk and site.enrolled_at is not None:
            # Review #7 item 12: the reseller's own enrolled site: say so, and where to
            # re-send the welcome. Another tenant's site is only "in use" (A4).
            raise forms.ValidationError(
                _(
                    "Site %(number)s is already enrolled (on %(date)s). To send its primary "
                    "contact a new link, use “Resend the welcome e-mail” on its client page."
                ),
                params={
                    "number": number,
                    "date": format_day(site.local_date(site.enrolled_at)),
                },
            )
        if site.reseller_id == self.reseller.pk:
            raise forms.ValidationError(
                _(
                    "Site %(number)s is already one of your client sites, not enrolled yet: "
                    "enrol it with “Send the welcome e-mail” on its client page."
                ),
                params={"number": number},
            )
        raise forms.ValidationError(
            _("Site number %(number)s is already in use."), params={"number": number}
        )

    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("agreement")
        customer = cleaned.get("customer")
        programme = cleaned.get("programme")
        if agreement is None and customer is not None and programme:
            # A1: one agreement per programme: the client's existing one is used as is.
            agreement = customer.agreements.filter(programme=programme).first()
            number = cleaned.get("agreement_number")
            if agreement is not None and number and number != agreement.number:
                self.add_error(
                    "agreement_number",
                    _(
                        "%(customer)s already holds a %(programme)s agreement; choose it under "
                        "“Client agreement” and leave this field empty."
                    )
                    % {"customer": customer.name, "programme": programme},
                )
                return cleaned
        if agreement is not None:
            cleaned.update(
                agreement=agreement,
                customer=agreement.customer,
                customer_name="",
                programme=agreement.programme,
                agreement_number=agreement.number,
                anniversary_month=agreement.anniversary_month,
            )
            return cleaned
        if not customer and not cleaned.get("customer_name"):
            self.add_error(
                "customer_name",
                _("Choose a client agreement above, an existing client, or name a new customer."),
            )
        for name, message in (
            ("programme", _("Choose the programme of the new agreement.")),
            ("agreement_number", _("Enter the number of the new agreement.")),
            ("anniversary_month", _("Choose the anniversary month of the new agreement.")),
        ):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        return cleaned
