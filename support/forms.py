"""Forms of the customer's ticket pages (S1–S3, S5): opening a ticket, a comment, an
escalation request. They check what a page can check (the choices offered, the files'
content); the services check the rules again under their locks."""

from __future__ import annotations

import secrets

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Contact, Site
from licensing.models import Entitlement
from support import attachments, eligibility
from support.models import SEVERITY_DEFINITIONS, Severity
from support.services.tickets import MAX_COMMENT, MAX_DESCRIPTION, MIN_ESCALATION_REASON


def new_submission_key() -> str:
    """A one-time key per rendered form: the same form posted twice opens one ticket (S1)."""
    return secrets.token_urlsafe(24)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked on its content by support.attachments."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        uploads = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


def _attachments_help():
    return _("Up to %(count)d files, each at most %(size)d MB: %(types)s.") % {
        "count": attachments.MAX_FILES,
        "size": attachments.MAX_FILE_BYTES // (1024 * 1024) or 1,
        "types": ", ".join(f".{ext}" for ext in attachments.ALLOWED_TYPES),
    }


class AttachmentsMixin:
    def clean_attachments(self):
        """S1: every file checked on its content; all the reasons at once."""
        return attachments.attachments_check(self.cleaned_data.get("attachments") or [])


def severity_choices() -> list[tuple[int, str]]:
    """S1: each severity with its definition, shown while one is chosen."""
    return [
        (value, f"{label} — {SEVERITY_DEFINITIONS[value]}") for value, label in Severity.choices
    ]


def reachable_contacts(site: Site):
    """The site's contacts support may call back about a ticket: its primary contact, site
    administrators, STCs and authorized callers."""
    return (
        Contact.objects.filter(site=site)
        .filter(
            Q(is_primary=True)
            | Q(is_site_admin=True)
            | Q(is_authorized_caller=True)
            | ~Q(stc_role="")
        )
        .exclude(email="")
        .order_by("name", "pk")
    )


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} <{obj.email}>"


class TicketOpenForm(AttachmentsMixin, forms.Form):
    """S1/S3: the new-ticket form of one site. Only the site's covered products can be
    chosen; a lapsed one posted anyway is refused with the S3 reason (and `refusal` keeps
    it, so the page can offer the reinstatement quote)."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int, empty_value=None)
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a severity from 1 to 4.")},
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happens, since when, what you have tried, error messages."),
    )
    contact = ContactChoiceField(
        label=_("Contact for this ticket"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("Me"),
        help_text=_("Who support calls back about this ticket."),
    )
    attachments = MultipleFileField(label=_("Attachments"))
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self,
        *args,
        site: Site,
        covered: list[Entitlement],
        uncovered: list[Entitlement],
        as_of,
        opener_contact: Contact | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.site = site
        self.as_of = as_of
        self.covered = covered
        self.uncovered = uncovered
        self.refusal: eligibility.Refusal | None = None
        self.fields["product"].error_messages["invalid_choice"] = _(
            "Choose one of the site's covered products."
        )
        self.fields["product"].choices = [
            ("", _("Choose a product")),
            *((line.product_id, line.product.name) for line in covered),
        ]
        self.fields["severity"].choices = severity_choices()
        self.fields["contact"].queryset = reachable_contacts(site)
        self.fields["attachments"].help_text = _attachments_help()
        if opener_contact is not None:
            self.fields["contact"].initial = opener_contact.pk
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())

    def full_clean(self):
        super().full_clean()
        # S3: a product posted that is not among the choices (a lapsed one, one the site
        # does not hold) is refused with the reason rather than "not one of the choices".
        if self.is_bound and "product" in self.errors and self.refusal is None:
            raw = self.data.get(self.add_prefix("product"), "")
            try:
                wanted = int(raw)
            except (TypeError, ValueError):
                wanted = None
            if wanted is not None:
                _line, refusal = eligibility.entitlement_refusal(
                    self.site, wanted, as_of=self.as_of
                )
                if refusal is not None:
                    self.refusal = refusal
                    self.errors["product"] = self.error_class([refusal.message])


class TicketCommentForm(AttachmentsMixin, forms.Form):
    """S1: a public comment; for support staff, optionally an internal note."""

    body = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 4})
    )
    internal = forms.BooleanField(
        label=_("Internal note (support staff only, never shown to the customer)"),
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"))
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]
        self.fields["attachments"].help_text = _attachments_help()
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())


class TicketEscalateForm(forms.Form):
    """S5: the customer asks for escalation, with a reason."""

    reason = forms.CharField(
        label=_("Why does this ticket need escalating?"),
        min_length=MIN_ESCALATION_REASON,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "The support managers read this (at least %(count)d characters)."
        ) % {"count": MIN_ESCALATION_REASON}
