"""Admin for tickets and their records (S1, A7): read as they happened — no add, no change,
no delete. Staff work tickets through the portal's staff pages (the queue, the ticket page's
staff box), whose services keep the workflow (S1), the SLA instants (S4) and the history.

Assignment, the one thing worth doing from a list, is an action here rather than an editable
field: the admin saves its change form inside its own transaction, where the durable
ticket_assign service cannot run, and a bare field edit would skip the ticket's history event.
Comments (internal notes included), attachments and events are staff-only records; an
attachment is downloaded through the portal's access-checked view, never from MEDIA_ROOT."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin_actions import RecordAdmin, run_for_each
from support.models import Ticket, TicketAttachment, TicketComment, TicketEvent
from support.services.tickets import ticket_assign


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TicketCommentInline(ReadOnlyInline):
    model = TicketComment
    fields = ("created_at", "author_name", "is_internal", "is_from_support", "body")


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ("happened_at", "kind", "description", "actor", "is_internal")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Ticket)
class TicketAdmin(RecordAdmin):
    list_display = (
        "number",
        "site",
        "product",
        "severity",
        "status",
        "response_due_at",
        "first_response_at",
        "assignee",
        "is_escalated",
    )
    list_filter = (
        "status",
        "severity",
        ("escalated_at", admin.EmptyFieldListFilter),
        ("first_response_at", admin.EmptyFieldListFilter),
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "opened_at",
    )
    list_select_related = ("site", "product", "assignee")
    search_fields = ("number", "title", "site__number", "contact_email")
    date_hierarchy = "opened_at"
    ordering = ("-opened_at", "-pk")
    fields = (
        "number",
        "site",
        "entitlement",
        "product",
        "severity",
        "status",
        "title",
        "description",
        "contact",
        "contact_name",
        "contact_email",
        "contact_phone",
        "opened_by",
        "opened_via_partner",
        "opened_at",
        "response_due_at",
        "at_risk_at",
        "first_response_at",
        "first_response_by",
        "at_risk_notified_at",
        "breached_at",
        "assignee",
        "escalated_at",
        "escalated_by",
        "escalation_reason",
        "resolved_at",
        "closed_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (TicketCommentInline, TicketEventInline)
    actions = ("assign_to_me", "unassign")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("escalated"), ordering="escalated_at")
    def is_escalated(self, ticket: Ticket) -> bool:
        return ticket.escalated_at is not None

    def _assign(self, request, queryset, assignee):
        run_for_each(
            self,
            request,
            queryset,
            action=lambda ticket, actor: ticket_assign(
                ticket_id=ticket.pk, assignee=assignee, actor=actor, now=timezone.now()
            ),
            done=lambda count: (
                ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Assign to me"), permissions=("view",))
    def assign_to_me(self, request, queryset):
        self._assign(request, queryset, request.user)

    @admin.action(description=_("Unassign"), permissions=("view",))
    def unassign(self, request, queryset):
        self._assign(request, queryset, None)


@admin.register(TicketComment)
class TicketCommentAdmin(RecordAdmin):
    """Public comments and internal notes (staff only: the admin is)."""

    list_display = ("ticket", "created_at", "author_name", "is_internal", "is_from_support")
    list_filter = ("is_internal", "is_from_support", "created_at")
    list_select_related = ("ticket",)
    search_fields = ("ticket__number", "author_name", "body")
    fields = (
        "ticket",
        "created_at",
        "author",
        "author_name",
        "is_internal",
        "is_from_support",
        "body",
    )
    readonly_fields = fields
    ordering = ("-created_at", "-pk")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(RecordAdmin):
    list_display = ("original_name", "ticket", "content_type", "size", "uploaded_at", "internal")
    list_filter = ("content_type", "uploaded_at")
    list_select_related = ("ticket", "comment")
    search_fields = ("ticket__number", "original_name")
    fields = (
        "ticket",
        "comment",
        "original_name",
        "download",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields
    ordering = ("-uploaded_at", "-pk")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("internal note's"))
    def internal(self, attachment: TicketAttachment) -> bool:
        return attachment.is_internal

    @admin.display(description=_("download"))
    def download(self, attachment: TicketAttachment) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("support:attachment_download", args=[attachment.pk]),
            attachment.original_name,
        )


@admin.register(TicketEvent)
class TicketEventAdmin(RecordAdmin):
    list_display = ("ticket", "happened_at", "kind", "description", "actor", "is_internal")
    list_filter = ("kind", "is_internal", "happened_at")
    list_select_related = ("ticket", "actor")
    search_fields = ("ticket__number", "description")
    fields = ("ticket", "kind", "happened_at", "actor", "description", "is_internal")
    readonly_fields = fields
    ordering = ("-happened_at", "-pk")

    def has_change_permission(self, request, obj=None):
        return False
