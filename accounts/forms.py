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
    """A5: a reseller enrols a client site; the primary contact gets the welcome e-mail."""

    submit_label = _("Enrol site and send welcome e-mail")
    customer = forms.ModelChoiceField(
        label=_("Existing client"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— a new customer —"),
    )
    customer_name = forms.CharField(label=_("New customer's name"), max_length=200, required=False)
    programme = forms.ChoiceField(label=_("Programme"), choices=Agreement.Programme.choices)
    agreement_number = forms.CharField(
        label=_("Agreement number"),
        max_length=30,
        help_text=_("For an existing client's programme, its current agreement number."),
    )
    anniversary_month = forms.TypedChoiceField(
        label=_("Anniversary month"),
        coerce=int,
        choices=Agreement._meta.get_field("anniversary_month").choices,
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

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].label_from_instance = lambda organisation: organisation.name

    def clean_site_number(self):
        number = self.cleaned_data["site_number"]
        if Site.objects.filter(number=number).exists():
            raise forms.ValidationError(
                _("Site number %(number)s is already in use."), params={"number": number}
            )
        return number

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("customer") and not cleaned.get("customer_name"):
            self.add_error("customer_name", _("Choose an existing client or name a new one."))
        return cleaned
