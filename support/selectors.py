"""Reads for support, always scoped to what the user may see (A4): another tenant's ticket
is a 404; a site the user sees without the right to its tickets is a 403 (support.rules)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import IsNull
from django.shortcuts import get_object_or_404

from accounts.models import Contact, Site, User
from licensing.models import Product
from support.models import (
    Holiday,
    ReplacementRequest,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)
from support.sla import SupportCalendar

SUPPORT_STAFF_GROUP = "Support staff"
SUPPORT_MANAGERS_GROUP = "Support managers"
# How far ahead a calendar is loaded: two hours of business time never need more, however
# long a run of holidays.
CALENDAR_DAYS = 60


def _ticket_viewer_sites(user: User):
    """The sites whose tickets a customer user may see: where they are the primary contact,
    a site administrator, an STC or an authorized caller (support.rules)."""
    return (
        Contact.objects.filter(user=user)
        .filter(
            Q(is_primary=True)
            | Q(is_site_admin=True)
            | Q(is_authorized_caller=True)
            | ~Q(stc_role="")
        )
        .values("site_id")
    )


def tickets_for_user(user: User) -> QuerySet[Ticket]:
    """The tickets a user may see in lists: staff all, a reseller its client sites', a
    customer user those of the sites where their role sees tickets."""
    tickets = Ticket.objects.for_user(user)
    if user.is_authenticated and not user.is_staff and not user.reseller_id:
        tickets = tickets.filter(site__in=_ticket_viewer_sites(user))
    return tickets


def ticket_list_for_user(user: User) -> QuerySet[Ticket]:
    """Tickets for list pages, with what the rows show loaded up front."""
    return tickets_for_user(user).select_related("site", "product", "assignee")


# What a row of the ticket list shows (and its clock needs): nothing else is read, whatever
# the number of tickets (tests/support/test_ticket_pages.py).
TICKET_ROW_FIELDS = (
    "number",
    "title",
    "severity",
    "status",
    "opened_at",
    "response_due_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "escalated_at",
    "site__number",
    "site__name",
    "site__country",
    "site__time_zone",
    "product__name",
)


def ticket_rows_for_user(user: User) -> QuerySet[Ticket]:
    """S1: the ticket list's rows: the user's tickets (ticket_list_for_user) with only the
    columns the rows show."""
    return tickets_for_user(user).select_related("site", "product").only(*TICKET_ROW_FIELDS)


def ticket_filter_sites(user: User) -> QuerySet[Site]:
    """The sites the ticket list filters by: those whose tickets the user sees."""
    sites = Site.objects.for_user(user)
    if user.is_authenticated and not user.is_staff and not user.reseller_id:
        sites = sites.filter(pk__in=_ticket_viewer_sites(user))
    return sites.only("pk", "number", "name").order_by("number")


def ticket_filter_products(user: User) -> QuerySet[Product]:
    """The products the ticket list filters by: a customer's, those its sites hold; for a
    reseller or staff (many sites), the catalogue."""
    products = Product.objects.only("pk", "part_number", "name").order_by("name", "pk")
    if user.is_authenticated and not user.is_staff and not user.reseller_id:
        products = products.filter(entitlements__site__in=_ticket_viewer_sites(user)).distinct()
    return products


def ticket_get_for_user(*, user: User, number: str) -> Ticket:
    """The ticket if its site is visible to the user (A4: 404 otherwise); whether the user's
    role there sees tickets is the permission's to say (403)."""
    return get_object_or_404(
        Ticket.objects.for_user(user).select_related(
            "site__reseller", "site__customer", "product", "entitlement", "assignee", "contact"
        ),
        number=number,
    )


def ticket_timeline(*, ticket: Ticket, include_internal: bool) -> list:
    """S1: comments, notes (staff only) and events in time order, for the ticket page."""
    comments = ticket.comments.select_related("author").prefetch_related("attachments")
    events = ticket.events.select_related("actor")
    if not include_internal:
        comments = comments.filter(is_internal=False)
        events = events.filter(is_internal=False)
    items = [*comments, *events]
    items.sort(key=lambda item: (_when(item), isinstance(item, TicketEvent), item.pk))
    return items


def _when(item):
    return item.created_at if isinstance(item, TicketComment) else item.happened_at


def attachment_get_for_user(*, user: User, attachment_id: int) -> TicketAttachment:
    return get_object_or_404(
        TicketAttachment.objects.select_related("ticket__site__reseller", "comment").filter(
            ticket__in=Ticket.objects.for_user(user)
        ),
        pk=attachment_id,
    )


def ticket_attachments(*, ticket: Ticket, include_internal: bool) -> QuerySet[TicketAttachment]:
    attachments = ticket.attachments.select_related("comment").order_by("uploaded_at", "pk")
    if not include_internal:
        attachments = attachments.exclude(comment__is_internal=True)
    return attachments


def replacement_get_for_user(*, user: User, number: str) -> ReplacementRequest:
    return get_object_or_404(
        ReplacementRequest.objects.for_user(user).select_related(
            "ticket__site__reseller", "entitlement__product", "installer", "unit_quote"
        ),
        number=number,
    )


def holidays_for(*, country: str, start: date, days: int = CALENDAR_DAYS) -> frozenset[date]:
    return frozenset(
        Holiday.objects.filter(
            country=country, day__gte=start, day__lte=start + timedelta(days=days)
        ).values_list("day", flat=True)
    )


def calendar_for_site(site: Site, *, start: date) -> SupportCalendar:
    """S4: the site's time zone and its country's holidays from `start` on."""
    return SupportCalendar(
        time_zone=site.time_zone,
        holidays=holidays_for(country=str(site.country), start=start - timedelta(days=1)),
    )


def staff_in_group(name: str) -> QuerySet[User]:
    group = Group.objects.filter(name=name).first()
    if group is None:
        return User.objects.none()
    return group.user_set.filter(is_active=True, is_staff=True).order_by("email")


# --- the staff side: the work queue and the escalation queue (S1, S4, S5) ---------------------


def queue_awaiting_first():
    """S4: the queue's first key, tickets still waiting for their first response before the
    rest (the expression the ticket_queue index is built on, so the order reads the index)."""
    return IsNull(F("first_response_at"), True).desc()


# Each sort with its tie-breakers, ending in the primary key, so a page boundary never moves
# between requests. The first is the default: the staff queue's order (S4), which the
# ticket_queue index serves (tests/bench: page 1 and a deep page of 100,000 tickets).
STAFF_QUEUE_SORTS = {
    "due": (queue_awaiting_first, "response_due_at", "pk"),
    "opened": ("opened_at", "pk"),
    "-opened": ("-opened_at", "-pk"),
    "severity": ("severity", queue_awaiting_first, "response_due_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
STAFF_QUEUE_DEFAULT_SORT = "due"


def staff_queue_order(tickets: QuerySet[Ticket], sort: str = STAFF_QUEUE_DEFAULT_SORT):
    return _ordered(tickets, STAFF_QUEUE_SORTS, sort, STAFF_QUEUE_DEFAULT_SORT)


def staff_queue(*, user: User) -> QuerySet[Ticket]:
    """The staff work queue (S1, S4): every site's tickets (staff see all), with what its rows
    show loaded in the same query: site (and its country and time zone, for the clock),
    product, assignee. The view narrows it (open only by default) and orders it."""
    return Ticket.objects.for_user(user).select_related("site", "product", "assignee")


# S5: the escalation queue's sorts; newest escalation first by default (the ticket_escalated
# index), or the soonest response due.
ESCALATION_SORTS = {
    "-escalated": ("-escalated_at", "-pk"),
    "escalated": ("escalated_at", "pk"),
    "due": (queue_awaiting_first, "response_due_at", "pk"),
}
ESCALATION_DEFAULT_SORT = "-escalated"


def _ordered(tickets: QuerySet[Ticket], sorts: dict, sort: str, default: str):
    keys = sorts.get(sort, sorts[default])
    return tickets.order_by(*(key() if callable(key) else key for key in keys))


def escalation_order(tickets: QuerySet[Ticket], sort: str = ESCALATION_DEFAULT_SORT):
    return _ordered(tickets, ESCALATION_SORTS, sort, ESCALATION_DEFAULT_SORT)


def escalation_queue(*, user: User, sort: str = ESCALATION_DEFAULT_SORT) -> QuerySet[Ticket]:
    """S5: the open tickets whose customer asked for escalation, with the reason and who
    asked loaded for the rows."""
    return escalation_order(
        Ticket.objects.for_user(user)
        .open()
        .filter(escalated_at__isnull=False)
        .select_related("site", "product", "assignee", "escalated_by"),
        sort,
    )


def support_staff_users() -> QuerySet[User]:
    """Who a ticket can be assigned to: active staff users."""
    return User.objects.filter(is_active=True, is_staff=True).order_by("first_name", "email")
