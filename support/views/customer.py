"""The ticket pages customers, resellers and staff share (S1–S5, S9): the list, "open a
ticket" (the site, then the form), the ticket page, comments, escalation, downloads.

Every page looks its ticket, site or attachment up in the user's scope first (A4: another
tenant's is a 404 for every method), then checks the permission (support.rules: 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import allow_methods, guarded, site_view
from accounts.models import Contact
from accounts.selectors import sites_for_user
from portal.core.pagination import PAGE_SIZE, IdPaginator, paginate
from support import eligibility, rules, selectors
from support.clock import clock_readings_attach
from support.filters import TicketFilter, ticket_order
from support.forms import TicketCommentForm, TicketEscalateForm, TicketOpenForm
from support.models import Severity, TicketComment, TicketStatus
from support.services import tickets as services
from support.workflow import next_statuses


# The clock is read here, at the edge; services are given the moment.
def now():
    return timezone.now()


def scope_ticket(request, *, number: str, **_kwargs):
    """A4: a ticket of another tenant is a 404, the same answer as a missing one."""
    return selectors.ticket_get_for_user(user=request.user, number=number)


def scope_attachment(request, *, attachment_id: int, **_kwargs):
    """A4: another tenant's attachment is a 404; so is an internal note's for anyone but
    support staff (S1: notes are never shown to customers, not even that they exist)."""
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    if attachment.is_internal and not rules.is_support_staff(request.user):
        raise Http404
    return attachment


def may_view_attachment(user, attachment) -> bool:
    return user.has_perm("ticket.view", attachment.ticket)


def refused_page(request, message: str, *, refusal=None, site=None, ticket=None, status=403):
    """A refusal with its reason (S2, S3, S8), and the reinstatement quote where it has one."""
    return render(
        request,
        "support/refused.html",
        {"message": message, "refusal": refusal, "site": site, "ticket": ticket},
        status=status,
    )


# --- the list (S1) -------------------------------------------------------------------------


@allow_methods(("GET",))
def tickets(request):
    user = request.user
    ticket_filter = TicketFilter(
        request.GET,
        queryset=selectors.ticket_rows_for_user(user),
        sites=selectors.ticket_filter_sites(user),
        products=selectors.ticket_filter_products(user),
    )
    rows = ticket_filter.qs
    if not rows.query.order_by:  # an invalid choice somewhere skips the sort's ordering
        rows = ticket_order(rows)
    page = IdPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = clock_readings_attach(page.object_list, now=now())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "querystring": query.urlencode(),
        # "Open only" and the sort are defaults, not filters the user chose.
        "is_filtered": any(value for key, value in query.items() if key != "sort"),
    }
    return render(
        request,
        "support/tickets.html",
        {
            "filter": ticket_filter,
            **context,
        },
    )


# --- opening a ticket (S1, S2, S3, S8) -------------------------------------------------------


@allow_methods(("GET",))
def ticket_new(request):
    """Which site the ticket is for: the user's sites, each with why a ticket cannot be
    opened there if it cannot; with one site, straight to its form."""
    sites = sites_for_user(request.user).select_related("reseller").order_by("number")
    search = request.GET.get("q", "").strip()
    if search:
        sites = sites.filter(Q(number__icontains=search) | Q(name__icontains=search))
    page = paginate(request, sites)
    if page.paginator.count == 1 and not search:
        return redirect("support:ticket_create", number=page.object_list[0].number)
    moment = now()
    choices = [
        (site, eligibility.site_refusal(request.user, site, as_of=site.local_date(moment)))
        for site in page.object_list
    ]
    return render(
        request,
        "support/ticket_new.html",
        {"page": page, "choices": choices, "search": search, "querystring": _query(request)},
    )


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@site_view(permission="site.view")
def ticket_create(request, site):
    """S1: the new-ticket form of one site. Who may not open tickets here (S2), or a
    partner-branded site with uncovered hardware (S8), gets the reason instead of the form
    (403); a lapsed product is listed with its reinstatement quote (S3), not offered."""
    user = request.user
    moment = now()
    as_of = site.local_date(moment)
    refusal = eligibility.site_refusal(user, site, as_of=as_of)
    if refusal is not None:
        return refused_page(request, refusal.message, refusal=refusal, site=site)
    covered, uncovered = eligibility.site_products(site, as_of=as_of)
    form = TicketOpenForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        site=site,
        covered=covered,
        uncovered=uncovered,
        as_of=as_of,
        opener_contact=Contact.objects.filter(site=site, user=user).first(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_open(
                site_id=site.pk,
                product_id=data["product"],
                severity=data["severity"],
                title=data["title"],
                description=data["description"],
                actor=user,
                now=moment,
                contact_id=data["contact"].pk if data["contact"] else None,
                files=data["attachments"],
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            # The service's refusal (a rule that changed since the form was shown): on the
            # field it is about, with the reinstatement quote where it has one (S3).
            first = error.error_list[0]
            form.refusal = (first.params or {}).get("refusal")
            field = first.code if first.code in ("severity", "title", "description") else None
            form.add_error(field, error.messages)
        else:
            messages.success(
                request,
                _(
                    "Ticket %(number)s is open. Support answers within the response target "
                    "shown below; you and the site's technical contacts get e-mails about it."
                )
                % {"number": ticket.number},
            )
            return redirect("support:ticket_detail", number=ticket.number)
    return render(
        request,
        "support/ticket_create.html",
        {
            "site": site,
            "form": form,
            "covered": covered,
            "uncovered": uncovered,
            "refusal": form.refusal,
            "is_partner_site": eligibility.is_partner_branded(site),
        },
    )


# --- the ticket page (S1, S4, S5) ------------------------------------------------------------


def _timeline(ticket, *, staff: bool) -> list[dict]:
    items = selectors.ticket_timeline(ticket=ticket, include_internal=staff)
    return [
        {"kind": "comment" if isinstance(item, TicketComment) else "event", "item": item}
        for item in items
    ]


def ticket_context(request, ticket, *, comment_form=None) -> dict:
    """What the ticket page shows; the staff controls and the service panel (other
    features' includes) read `ticket`, `is_staff` and the staff lists from it."""
    user = request.user
    staff = rules.is_support_staff(user)
    clock_readings_attach([ticket], now=now())
    can_follow_up = user.has_perm("ticket.follow_up", ticket)
    if comment_form is None and can_follow_up and ticket.status != TicketStatus.CLOSED:
        comment_form = TicketCommentForm(staff=staff)
    context = {
        "ticket": ticket,
        "is_staff": staff,
        "timeline": _timeline(ticket, staff=staff),
        "attachments": list(selectors.ticket_attachments(ticket=ticket, include_internal=staff)),
        "can_follow_up": can_follow_up,
        "comment_form": comment_form if ticket.status != TicketStatus.CLOSED else None,
        # S5: the predicate itself (support asks no escalation of itself; has_perm says yes
        # to superusers).
        "can_escalate": rules.can_escalate_ticket(user, ticket)
        and ticket.is_open
        and ticket.escalated_at is None,
        "severity_label": Severity(ticket.severity).label,
    }
    if staff:
        context |= {
            "next_statuses": [
                (status, TicketStatus(status).label) for status in next_statuses(ticket.status)
            ],
            "severity_choices": Severity.choices,
            "staff_users": list(selectors.support_staff_users()),
        }
    return context


@guarded(methods=("GET",), scope=scope_ticket, permission="ticket.view", replacing="number")
def ticket_detail(request, ticket):
    return render(request, "support/ticket_detail.html", ticket_context(request, ticket))


@guarded(methods=("POST",), scope=scope_ticket, permission="ticket.follow_up",
         replacing="number")  # fmt: skip
def ticket_comment(request, ticket):
    """S1: a public comment (e-mailed, S9) or, for support staff, an internal note (never
    shown to customers). A customer posting a note is refused, nothing stored."""
    staff = rules.is_support_staff(request.user)
    if request.POST.get("internal") in ("1", "on", "true") and not staff:
        return refused_page(
            request,
            _("Only support staff can write internal notes. Nothing was saved."),
            ticket=ticket,
        )
    form = TicketCommentForm(request.POST, request.FILES, staff=staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.ticket_comment_add(
                ticket_id=ticket.pk,
                body=data["body"],
                actor=request.user,
                now=now(),
                internal=bool(data.get("internal")),
                files=data["attachments"],
                submission_key=data["submission_key"],
            )
        except PermissionDenied as error:
            return refused_page(request, str(error), ticket=ticket)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Your internal note is saved.")
                if comment.is_internal
                else _("Your comment is added."),
            )
            url = reverse("support:ticket_detail", kwargs={"number": ticket.number})
            return redirect(f"{url}#comment-{comment.pk}")
    ticket.refresh_from_db()
    return render(
        request,
        "support/ticket_detail.html",
        ticket_context(request, ticket, comment_form=form),
    )


@guarded(methods=("GET", "POST"), scope=scope_ticket, permission=rules.can_escalate_ticket,
         replacing="number")  # fmt: skip
def ticket_escalate(request, ticket):
    """S5: the customer asks for escalation with a reason; asked again, or for a ticket no
    longer open, the page says why instead."""
    refusal = ""
    if ticket.escalated_at is not None:
        refusal = _("Ticket %(number)s was already escalated on %(when)s.") % {
            "number": ticket.number,
            "when": f"{ticket.escalated_at:%Y-%m-%d %H:%M} UTC",
        }
    elif not ticket.is_open:
        refusal = _("Ticket %(number)s is %(status)s: only open tickets are escalated.") % {
            "number": ticket.number,
            "status": ticket.get_status_display(),
        }
    form = TicketEscalateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.ticket_escalate(
                ticket_id=ticket.pk,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=now(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "Ticket %(number)s is escalated: the support managers are told and will "
                    "get back to you."
                )
                % {"number": ticket.number},
            )
            return redirect("support:ticket_detail", number=ticket.number)
    return render(
        request,
        "support/ticket_escalate.html",
        {"ticket": ticket, "form": form, "refusal": refusal},
    )


# --- downloads (S1, A4) ------------------------------------------------------------------------


@guarded(methods=("GET",), scope=scope_attachment, permission=may_view_attachment,
         replacing="attachment_id")  # fmt: skip
def attachment_download(request, attachment):
    """An attachment, only through this access check (MEDIA_ROOT is never served): as a
    download with its stored content type, never sniffed into something else."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
