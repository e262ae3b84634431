"""The ticket pages (S1–S3, S5, S9): the list, opening a ticket, the ticket page, comments,
escalation and downloads, for each role, with the bad input of issue #9."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.core.models import OutgoingEmail
from support import attachments
from support.models import Ticket, TicketAttachment, TicketComment, TicketStatus
from support.services.tickets import ticket_comment_add, ticket_status_change
from tests.accounts.factories import SiteFactory
from tests.conftest import client_for
from tests.support.factories import covered_line, lapsed_line, ticket_opened
from tests.support.permission_world import PNG_1X1

pytestmark = pytest.mark.django_db

MZ_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def create_url(site) -> str:
    return reverse("support:ticket_create", kwargs={"number": site.number})


def detail_url(ticket) -> str:
    return reverse("support:ticket_detail", kwargs={"number": ticket.number})


def form_data(line, **overrides) -> dict:
    data = {
        "product": str(line.product_id),
        "severity": "3",
        "title": "Licence server stops",
        "description": "It stops at start-up since this morning.",
        "submission_key": "key-" + str(line.pk),
    }
    data.update(overrides)
    return data


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the list (S1) ---------------------------------------------------------------------------


def test_a_caller_sees_the_sites_open_tickets_with_their_clock(client, world):
    ticket = ticket_opened(world, title="Printer on fire")
    client_for(client, world, "caller")
    response = client.get(reverse("support:tickets"))
    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.number in page
    assert "Printer on fire" in page
    assert "left" in page or "overdue" in page  # the clock column (S4)


def test_the_list_shows_open_tickets_by_default_and_closed_ones_on_request(client, world):
    ticket = ticket_opened(world, title="Closed one")
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    client_for(client, world, "primary")
    assert "Closed one" not in client.get(reverse("support:tickets")).content.decode()
    shown = client.get(reverse("support:tickets"), {"status": "any"}).content.decode()
    assert "Closed one" in shown


def test_the_list_searches_by_number_and_title(client, world):
    first = ticket_opened(world, title="Disk full", submission_key="a")
    ticket_opened(world, title="Network slow", submission_key="b")
    client_for(client, world, "stc")
    by_title = client.get(reverse("support:tickets"), {"q": "disk"}).content.decode()
    assert "Disk full" in by_title
    assert "Network slow" not in by_title
    by_number = client.get(reverse("support:tickets"), {"q": first.number}).content.decode()
    assert "Disk full" in by_number
    assert "Network slow" not in by_number


def test_the_list_filters_by_severity_and_sorts_by_severity(client, world):
    ticket_opened(world, title="Minor thing", severity=4, submission_key="a")
    ticket_opened(world, title="Production down", severity=1, submission_key="b")
    client_for(client, world, "caller")
    only_sev1 = client.get(reverse("support:tickets"), {"severity": "1"}).content.decode()
    assert "Production down" in only_sev1
    assert "Minor thing" not in only_sev1
    page = client.get(reverse("support:tickets"), {"sort": "severity"}).content.decode()
    assert page.index("Production down") < page.index("Minor thing")


def test_an_invalid_filter_value_still_shows_the_list(client, world):
    ticket_opened(world, title="Still here")
    client_for(client, world, "caller")
    response = client.get(reverse("support:tickets"), {"severity": "x", "sort": "nonsense"})
    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_the_empty_list_says_so_and_offers_to_open_a_ticket(client, world):
    client_for(client, world, "caller")
    page = client.get(reverse("support:tickets")).content.decode()
    assert "No open tickets." in page
    assert reverse("support:ticket_new") in page


def test_a_customer_never_sees_another_tenants_tickets(client, world):
    other_line = covered_line(world.other_site)
    ticket_opened(world, role="other_customer", line=other_line, title="Beta secret")
    client_for(client, world, "primary")
    assert "Beta secret" not in client.get(reverse("support:tickets")).content.decode()


def test_the_reseller_sees_its_client_sites_tickets(client, world):
    ticket_opened(world, title="Client problem")
    client_for(client, world, "reseller")
    assert "Client problem" in client.get(reverse("support:tickets")).content.decode()
    client_for(client, world, "other_reseller")
    assert "Client problem" not in client.get(reverse("support:tickets")).content.decode()


def make_tickets(world, count: int, start: int = 0) -> None:
    line = covered_line(world.site)
    now = timezone.now()
    for index in range(start, start + count):
        ticket = Ticket(
            site=world.site,
            entitlement=line,
            product_id=line.product_id,
            severity=1 + index % 4,
            title=f"Problem {index}",
            description="x",
            contact_name="x",
            contact_email="x@alpha.test",
            opened_at=now - timedelta(minutes=index),
            response_due_at=now + timedelta(hours=2),
            at_risk_at=now + timedelta(hours=1),
        )
        ticket.save()


@pytest.mark.parametrize("role", ["caller", "reseller", "staff"])
def test_the_list_query_count_does_not_grow_with_tickets(
    client, world, role, django_assert_max_num_queries
):
    client_for(client, world, role)
    make_tickets(world, 3)
    client.get(reverse("support:tickets"))  # the session's first request checks MFA once
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("support:tickets"))
    make_tickets(world, 60, start=3)
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("support:tickets"), {"page": "2"})
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_list_counts_with_one_count_and_reads_one_page(client, world):
    make_tickets(world, 40)
    client_for(client, world, "reseller")
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("support:tickets"), {"page": "2"})
    ticket_queries = [q["sql"] for q in queries if 'FROM "support_ticket"' in q["sql"]]
    assert len(ticket_queries) == 2  # the COUNT and the page
    assert any("COUNT(" in sql for sql in ticket_queries)


# --- choosing the site -------------------------------------------------------------------------


def test_a_customer_with_one_site_goes_straight_to_its_form(client, world):
    client_for(client, world, "caller")
    response = client.get(reverse("support:ticket_new"))
    assert response.status_code == 302
    assert response["Location"] == create_url(world.site)


def test_staff_choose_among_the_sites_with_the_reason_where_tickets_cannot_be_opened(client, world):
    client_for(client, world, "reseller")
    SiteFactory(number="1111111", name="Gamma", reseller=world.reseller)
    response = client.get(reverse("support:ticket_new"))
    assert response.status_code == 200
    assert create_url(world.site) in response.content.decode()


def test_a_non_partner_reseller_sees_why_it_cannot_open_tickets(client, world):
    SiteFactory(number="2222222", name="Delta", reseller=world.other_reseller)
    client_for(client, world, "other_reseller")
    page = client.get(reverse("support:ticket_new")).content.decode()
    assert "not a certified service partner" in page


# --- the new-ticket form (S1, S2, S3) -------------------------------------------------------


def test_the_form_offers_only_covered_products_and_lists_lapsed_ones_with_a_quote_button(
    client, world
):
    covered = covered_line(world.site)
    lapsed = lapsed_line(world.site)
    client_for(client, world, "caller")
    response = client.get(create_url(world.site))
    assert response.status_code == 200
    form = response.context["form"]
    offered = [value for value, _label in form.fields["product"].choices if value]
    assert offered == [covered.product_id]
    page = response.content.decode()
    assert lapsed.product.name in page
    assert reverse("renewals:reinstatement_request", kwargs={"entitlement_id": lapsed.pk}) in page


def test_each_severity_is_shown_with_its_definition(client, world):
    covered_line(world.site)
    client_for(client, world, "caller")
    page = client.get(create_url(world.site)).content.decode()
    assert 'type="radio"' in page
    assert "production is down" in page
    assert "Minimal business impact" in page


def test_a_caller_opens_a_ticket_and_lands_on_it(client, world):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    response = client.post(create_url(world.site), form_data(line))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(ticket)
    assert ticket.contact.email == "caller@alpha.test"  # the opener by default
    assert ticket.status == TicketStatus.NEW


def test_the_same_form_posted_twice_opens_one_ticket(client, world):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    first = client.post(create_url(world.site), form_data(line))
    second = client.post(create_url(world.site), form_data(line))
    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_opener_names_another_contact_of_the_site(client, world):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    stc = world.contacts["stc"]
    client.post(create_url(world.site), form_data(line, contact=str(stc.pk)))
    assert Ticket.objects.get().contact == stc


@pytest.mark.parametrize("severity", ["5", "0", "x", ""])
def test_a_severity_outside_1_to_4_is_a_form_error_and_nothing_is_stored(client, world, severity):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    response = client.post(create_url(world.site), form_data(line, severity=severity))
    assert response.status_code == 200
    assert response.context["form"].errors["severity"]
    assert not Ticket.objects.exists()


def test_a_posted_lapsed_product_is_refused_with_the_reason_and_the_reinstatement_button(
    client, world
):
    covered_line(world.site)
    lapsed = lapsed_line(world.site)
    client_for(client, world, "caller")
    response = client.post(create_url(world.site), form_data(lapsed))
    assert response.status_code == 200
    page = response.content.decode()
    assert "lapsed on" in page
    assert "(S3)" in page
    button = reverse("renewals:reinstatement_request", kwargs={"entitlement_id": lapsed.pk})
    assert page.count(button) >= 2  # in the refusal and in the list of lapsed products
    assert not Ticket.objects.exists()


def test_a_product_the_site_does_not_hold_is_refused(client, world):
    covered_line(world.site)
    other = covered_line(world.other_site)
    client_for(client, world, "caller")
    response = client.post(create_url(world.site), form_data(other))
    assert "holds no licences of that product" in response.content.decode()
    assert not Ticket.objects.exists()


def test_another_tenants_site_is_404_for_every_method(client, world):
    client_for(client, world, "caller")
    url = create_url(world.other_site)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_a_site_administrator_is_refused_with_the_reason(client, world):
    covered_line(world.site)
    client_for(client, world, "site_admin")
    response = client.get(create_url(world.site))
    assert response.status_code == 403
    assert "authorized technical callers" in response.content.decode()
    assert client.post(create_url(world.site), {}).status_code == 403


def test_the_partner_reseller_opens_a_ticket_for_its_client(client, world):
    line = covered_line(world.site)
    client_for(client, world, "reseller")
    response = client.post(create_url(world.site), form_data(line))
    assert response.status_code == 302
    assert Ticket.objects.get().opened_via_partner == world.reseller


def test_a_non_partner_reseller_is_refused_with_the_reason(client, world):
    covered_line(world.other_site)
    client_for(client, world, "other_reseller")
    response = client.get(create_url(world.other_site))
    assert response.status_code == 403
    assert "not a certified service partner" in response.content.decode()


def test_a_partner_site_with_uncovered_hardware_is_refused_with_the_reason(client, world):
    covered_line(world.site)
    hardware = lapsed_line(world.site, kind="hardware")
    client_for(client, world, "caller")
    response = client.get(create_url(world.site))
    assert response.status_code == 403
    page = response.content.decode()
    assert "(S8)" in page
    assert hardware.product.name in page
    button = reverse("renewals:reinstatement_request", kwargs={"entitlement_id": hardware.pk})
    assert button in page


# --- attachments on the form (S1) -------------------------------------------------------------


def test_good_attachments_are_stored_with_the_ticket(client, world):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    files = [upload("shot.png", PNG_1X1), upload("server.log", b"line one\nline two\n")]
    client.post(create_url(world.site), {**form_data(line), "attachments": files})
    stored = TicketAttachment.objects.order_by("original_name")
    assert [(a.original_name, a.content_type) for a in stored] == [
        ("server.log", "text/plain"),
        ("shot.png", "image/png"),
    ]


def test_bad_attachments_are_refused_all_at_once_and_the_other_fields_kept(client, world):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    files = [
        upload("report.pdf", PNG_1X1),  # a PNG named .pdf
        upload("tool.exe", MZ_EXECUTABLE),  # an executable
        upload("notes.txt", MZ_EXECUTABLE),  # an executable named .txt
    ]
    response = client.post(create_url(world.site), {**form_data(line), "attachments": files})
    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 3
    page = response.content.decode()
    assert "report.pdf is named .pdf but its content is image/png" in page
    assert "tool.exe: files of this type cannot be attached" in page
    assert "notes.txt is named as a text file" in page
    assert "Licence server stops" in page  # the title is kept
    assert not Ticket.objects.exists()


def test_an_oversized_attachment_is_refused(client, world, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_FILE_BYTES", 10)
    line = covered_line(world.site)
    client_for(client, world, "caller")
    response = client.post(
        create_url(world.site),
        {**form_data(line), "attachments": [upload("big.log", b"x" * 50)]},
    )
    assert "a file may be at most" in response.content.decode()
    assert not Ticket.objects.exists()


# --- the ticket page (S1, S4, S5) -------------------------------------------------------------


def ticket_with_note(world):
    ticket = ticket_opened(world)
    ticket_comment_add(
        ticket_id=ticket.pk,
        body="Customer-visible answer.",
        actor=world.users["staff"],
        now=timezone.now(),
    )
    note = ticket_comment_add(
        ticket_id=ticket.pk,
        body="Secret: the known licence-server bug.",
        actor=world.users["staff"],
        now=timezone.now(),
        internal=True,
    )
    TicketAttachment.objects.create(
        ticket=ticket,
        comment=note,
        file=SimpleUploadedFile("internal-trace.txt", b"trace\n"),
        original_name="internal-trace.txt",
        content_type="text/plain",
        size=6,
        uploaded_at=timezone.now(),
    )
    return ticket, note


@pytest.mark.parametrize("role", ["primary", "site_admin", "stc", "caller", "reseller"])
def test_a_customers_page_never_shows_internal_notes_or_their_files(client, world, role):
    ticket, _note = ticket_with_note(world)
    client_for(client, world, role)
    response = client.get(detail_url(ticket))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Customer-visible answer." in page
    assert "Secret: the known licence-server bug." not in page
    assert "internal-trace.txt" not in page


def test_staff_see_internal_notes_and_the_staff_lists(client, world):
    ticket, _note = ticket_with_note(world)
    client_for(client, world, "staff")
    response = client.get(detail_url(ticket))
    page = response.content.decode()
    assert "Secret: the known licence-server bug." in page
    assert "internal-trace.txt" in page
    assert response.context["is_staff"] is True
    assert [status for status, _label in response.context["next_statuses"]] == [
        TicketStatus.IN_PROGRESS
    ]
    assert world.users["staff"] in response.context["staff_users"]


def test_the_page_shows_the_header_and_the_time_left(client, world):
    ticket = ticket_opened(world, severity=1)
    client_for(client, world, "caller")
    page = client.get(detail_url(ticket)).content.decode()
    assert ticket.number in page
    assert ticket.title in page
    assert "Severity 1" in page
    assert "left" in page
    assert world.site.number in page


def test_the_customer_is_offered_escalation_and_staff_are_not(client, world):
    ticket = ticket_opened(world)
    escalate = reverse("support:ticket_escalate", kwargs={"number": ticket.number})
    client_for(client, world, "caller")
    assert escalate in client.get(detail_url(ticket)).content.decode()
    client_for(client, world, "staff")
    assert escalate not in client.get(detail_url(ticket)).content.decode()


def test_a_closed_ticket_has_no_comment_form_and_says_to_open_a_new_one(client, world):
    ticket = ticket_opened(world)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    client_for(client, world, "caller")
    response = client.get(detail_url(ticket))
    assert response.context["comment_form"] is None
    assert "open a new ticket" in response.content.decode()


def test_another_tenants_ticket_is_404(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "other_customer")
    assert client.get(detail_url(ticket)).status_code == 404


def test_the_ticket_page_query_count_does_not_grow_with_the_history(
    client, world, django_assert_max_num_queries
):
    ticket = ticket_opened(world)
    client_for(client, world, "staff")

    def comment(count):
        for index in range(count):
            made = ticket_comment_add(
                ticket_id=ticket.pk,
                body=f"Comment {index}",
                actor=world.users["caller"],
                now=timezone.now(),
            )
            TicketAttachment.objects.create(
                ticket=ticket,
                comment=made,
                file=SimpleUploadedFile(f"f{index}.txt", b"x\n"),
                original_name=f"f{index}.txt",
                content_type="text/plain",
                size=2,
                uploaded_at=timezone.now(),
            )

    comment(1)
    client.get(detail_url(ticket))  # the session's first request checks MFA once
    with django_assert_max_num_queries(20) as small:
        client.get(detail_url(ticket))
    comment(15)
    with django_assert_max_num_queries(20) as large:
        client.get(detail_url(ticket))
    assert len(large.captured_queries) == len(small.captured_queries)


# --- comments (S1, S9) -------------------------------------------------------------------------


def comment_url(ticket) -> str:
    return reverse("support:ticket_comment", kwargs={"number": ticket.number})


def test_a_customer_comments_and_lands_on_the_comment(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "stc")
    response = client.post(comment_url(ticket), {"body": "More detail.", "submission_key": "c1"})
    comment = TicketComment.objects.get()
    assert response["Location"] == f"{detail_url(ticket)}#comment-{comment.pk}"
    assert not comment.is_internal


def test_a_customer_posting_an_internal_note_is_refused_and_nothing_is_stored(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "primary")
    response = client.post(
        comment_url(ticket), {"body": "Sneaky", "internal": "1", "submission_key": "c1"}
    )
    assert response.status_code == 403
    assert "Only support staff can write internal notes" in response.content.decode()
    assert not TicketComment.objects.exists()


def test_staff_write_an_internal_note_that_is_not_emailed(client, world):
    ticket = ticket_opened(world)
    emails_before = OutgoingEmail.objects.count()
    client_for(client, world, "staff")
    client.post(comment_url(ticket), {"body": "Note.", "internal": "1", "submission_key": "n"})
    assert TicketComment.objects.get().is_internal
    assert OutgoingEmail.objects.count() == emails_before  # S9: notes are never e-mailed


def test_a_comment_with_a_renamed_executable_is_refused(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "caller")
    response = client.post(
        comment_url(ticket),
        {"body": "See log", "submission_key": "c", "attachments": [upload("a.txt", MZ_EXECUTABLE)]},
    )
    assert response.status_code == 200
    assert "a.txt is named as a text file" in response.content.decode()
    assert not TicketComment.objects.exists()


def test_a_comment_posted_twice_is_stored_once(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "caller")
    for _ in range(2):
        client.post(comment_url(ticket), {"body": "Once.", "submission_key": "same"})
    assert TicketComment.objects.count() == 1


def test_a_comment_on_a_closed_ticket_is_refused_with_the_reason(client, world):
    ticket = ticket_opened(world)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    client_for(client, world, "caller")
    response = client.post(comment_url(ticket), {"body": "Hello?", "submission_key": "c"})
    assert "is closed" in response.content.decode()
    assert not TicketComment.objects.exists()


# --- escalation (S5) ---------------------------------------------------------------------------


def escalate_url(ticket) -> str:
    return reverse("support:ticket_escalate", kwargs={"number": ticket.number})


def test_the_customer_escalates_with_a_reason(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "caller")
    response = client.post(escalate_url(ticket), {"reason": "Our shop is closed until fixed."})
    assert response["Location"] == detail_url(ticket)
    ticket.refresh_from_db()
    assert ticket.escalated_at is not None
    assert "Escalated on" in client.get(detail_url(ticket)).content.decode()


def test_a_short_reason_is_a_form_error(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "caller")
    response = client.post(escalate_url(ticket), {"reason": "urgent"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    ticket.refresh_from_db()
    assert ticket.escalated_at is None


def test_a_second_escalation_shows_when_the_first_was(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "caller")
    client.post(escalate_url(ticket), {"reason": "Our shop is closed until fixed."})
    page = client.get(escalate_url(ticket)).content.decode()
    assert "was already escalated on" in page


def test_staff_cannot_escalate(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "staff")
    assert client.get(escalate_url(ticket)).status_code == 403


# --- downloads (S1, A4) ------------------------------------------------------------------------


def download_url(attachment) -> str:
    return reverse("support:attachment_download", kwargs={"attachment_id": attachment.pk})


def test_an_attachment_downloads_with_its_type_and_nosniff(client, world):
    ticket = ticket_opened(world)
    attachment = TicketAttachment.objects.create(
        ticket=ticket,
        file=SimpleUploadedFile("shot.png", PNG_1X1),
        original_name="shot.png",
        content_type="image/png",
        size=len(PNG_1X1),
        uploaded_at=timezone.now(),
    )
    client_for(client, world, "caller")
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_1X1


def test_an_internal_notes_attachment_is_404_for_customers_and_there_for_staff(client, world):
    _ticket, note = ticket_with_note(world)
    attachment = note.attachments.get()
    client_for(client, world, "primary")
    assert client.get(download_url(attachment)).status_code == 404
    client_for(client, world, "staff")
    assert client.get(download_url(attachment)).status_code == 200


def test_another_tenants_attachment_is_404(client, world):
    _ticket, note = ticket_with_note(world)
    client_for(client, world, "other_customer")
    assert client.get(download_url(note.attachments.get())).status_code == 404


# --- e-mails (S9) ------------------------------------------------------------------------------


def test_opening_emails_the_contact_and_stcs_and_severity_1_pages_on_call(client, world, settings):
    line = covered_line(world.site)
    client_for(client, world, "caller")
    client.post(create_url(world.site), form_data(line, severity="1"))
    recipients = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert recipients == {"caller@alpha.test", "stc@alpha.test", settings.SUPPORT_ONCALL_EMAIL}
    page = OutgoingEmail.objects.get(to=settings.SUPPORT_ONCALL_EMAIL)
    assert "Severity 1 ticket" in page.body_text
    assert "Licence server stops" in page.body_text
    opened = OutgoingEmail.objects.get(to="stc@alpha.test")
    assert "was opened for" in opened.body_text


def test_a_public_update_emails_the_contact_and_stcs_and_a_note_does_not(client, world):
    ticket = ticket_opened(world)
    OutgoingEmail.objects.all().delete()
    client_for(client, world, "staff")
    client.post(
        comment_url(ticket), {"body": "Internal only.", "internal": "1", "submission_key": "n"}
    )
    assert not OutgoingEmail.objects.exists()
    client.post(comment_url(ticket), {"body": "Please restart.", "submission_key": "p"})
    recipients = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert recipients == {"caller@alpha.test", "stc@alpha.test"}
    bodies = list(OutgoingEmail.objects.values_list("body_text", flat=True))
    assert all("Please restart." in body for body in bodies)
    assert not any("Internal only." in body for body in bodies)
    assert all(detail_url(ticket) in body for body in bodies)
    ticket_status_change(
        ticket_id=ticket.pk,
        status=TicketStatus.IN_PROGRESS,
        actor=world.users["staff"],
        now=timezone.now(),
    )
    assert OutgoingEmail.objects.count() == 4


def test_a_non_partner_reseller_reads_its_clients_ticket_but_cannot_follow_it_up(client, world):
    line = covered_line(world.other_site)
    ticket = ticket_opened(world, role="other_customer", line=line)
    client_for(client, world, "other_reseller")
    response = client.get(detail_url(ticket))
    assert response.status_code == 200
    assert response.context["comment_form"] is None
    assert escalate_url(ticket) not in response.content.decode()
    refused = client.post(comment_url(ticket), {"body": "Hi", "submission_key": "r"})
    assert refused.status_code == 403
    assert not TicketComment.objects.exists()


def test_the_partner_reseller_comments_and_escalates_for_its_client(client, world):
    ticket = ticket_opened(world)
    client_for(client, world, "reseller")
    client.post(comment_url(ticket), {"body": "Partner here.", "submission_key": "p"})
    client.post(escalate_url(ticket), {"reason": "The client's line is down all day."})
    ticket.refresh_from_db()
    assert TicketComment.objects.get().author == world.users["reseller"]
    assert ticket.escalated_by == world.users["reseller"]


@pytest.mark.parametrize("sort", ["-opened", "opened", "due", "-due", "severity", "-status"])
def test_every_sort_lists_every_ticket_once(client, world, sort):
    make_tickets(world, 30)
    client_for(client, world, "caller")
    numbers = []
    for page_number in (1, 2):
        response = client.get(reverse("support:tickets"), {"sort": sort, "page": page_number})
        numbers += [ticket.number for ticket in response.context["page"].object_list]
    assert len(numbers) == 30
    assert len(set(numbers)) == 30
