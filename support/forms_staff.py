"""The staff box on the ticket page (S1, S4): status, severity, assignment and an internal
note. The note form posts to the ticket page's comment view (support:ticket_comment) with the
fields that view reads: body, internal=1, submission_key, attachments."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from support.models import Severity, Ticket, TicketStatus
from support.workflow import next_statuses


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class TicketStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        # S1: only the moves the workflow allows from here (support.workflow).
        self.fields["status"].choices = [
            (status, TicketStatus(status).label) for status in next_statuses(ticket.status)
        ]


class TicketSeverityForm(forms.Form):
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Severity.choices, coerce=int)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, initial={"severity": ticket.severity}, **kwargs)
        self.fields["severity"].help_text = _(
            "The response due time is recomputed from the opening under the new severity (S4)."
        )


class TicketAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assigned to"), choices=(), required=False)

    def __init__(self, *args, ticket: Ticket, staff_users, **kwargs):
        super().__init__(*args, initial={"assignee": ticket.assignee_id or ""}, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("No one (unassigned)")),
            *((user.pk, user.get_full_name() or user.email) for user in staff_users),
        ]


class InternalNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by support staff only: never shown or e-mailed to the customer."),
    )
    internal = forms.CharField(widget=forms.HiddenInput, initial="1")
    # One key per rendered form: a double-submitted note is stored once.
    submission_key = forms.CharField(widget=forms.HiddenInput)
    attachments = forms.FileField(label=_("Attach files"), widget=MultipleFileInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, initial={"submission_key": uuid.uuid4().hex}, **kwargs)
