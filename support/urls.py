from django.urls import path

from support.views import customer, partner, replacements, staff

app_name = "support"

urlpatterns = [
    # --- tickets: lists, the new-ticket form, the ticket page and what customers do on it ---
    path("", customer.tickets, name="tickets"),
    path("new/", customer.ticket_new, name="ticket_new"),
    path("sites/<str:number>/new/", customer.ticket_create, name="ticket_create"),
    path("tickets/<str:number>/", customer.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/comment/", customer.ticket_comment, name="ticket_comment"),
    path("tickets/<str:number>/escalate/", customer.ticket_escalate, name="ticket_escalate"),
    path(
        "attachments/<int:attachment_id>/",
        customer.attachment_download,
        name="attachment_download",
    ),
    # --- staff: the work queue, the escalation queue, status, severity, assignment ---
    path("queue/", staff.queue, name="queue"),
    path("escalations/", staff.escalations, name="escalations"),
    path("tickets/<str:number>/status/", staff.ticket_status, name="ticket_status"),
    path("tickets/<str:number>/severity/", staff.ticket_severity, name="ticket_severity"),
    path("tickets/<str:number>/assign/", staff.ticket_assign, name="ticket_assign"),
    # --- advance replacement (S6) and onsite support (S7) ---
    path("tickets/<str:number>/replacement/", replacements.rma_request, name="rma_request"),
    path("replacements/<str:rma_number>/", replacements.rma_detail, name="rma_detail"),
    path("replacements/<str:rma_number>/return/", replacements.rma_return, name="rma_return"),
    path("tickets/<str:number>/onsite/", replacements.onsite_request, name="onsite_request"),
    # --- partner-branded support (S8) ---
    path("brands/<int:partner_id>/logo/", partner.brand_logo, name="brand_logo"),
    # The brand's colours as a stylesheet: the production CSP allows no inline styles.
    path("brands/<int:partner_id>/style.css", partner.brand_style, name="brand_style"),
    path("partner/coverage/", partner.partner_coverage, name="partner_coverage"),
]
