from django.urls import path

from renewals.views import calendar, customer, documents, kinds, levels, quotes, reseller

app_name = "renewals"

urlpatterns = [
    path("quotes/<str:number>/", quotes.quote_detail, name="quote_detail"),
    # --- customer pages: renewals page, accept, decline, reinstatement, calendar feed ---
    path("", customer.renewals, name="renewals"),
    path("quotes/<str:number>/accept/", quotes.quote_accept, name="quote_accept"),
    path("quotes/<str:number>/decline/", quotes.quote_decline, name="quote_decline"),
    path(
        "entitlements/<int:entitlement_id>/reinstatement/",
        customer.reinstatement_request,
        name="reinstatement_request",
    ),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    # --- reseller pages: renewals by month, CSV, the client's price ---
    path("clients/", reseller.reseller_renewals, name="reseller_renewals"),
    path("clients/renewals.csv", reseller.reseller_renewals_csv, name="reseller_renewals_csv"),
    path("quotes/<str:number>/price/", reseller.quote_price, name="quote_price"),
    # --- quote PDFs ---
    path("quotes/<str:number>/pdf/", documents.quote_pdf, name="quote_pdf"),
    path("quote-pdfs/<int:document_id>/", documents.quote_pdf_status, name="quote_pdf_status"),
    path(
        "quote-pdfs/<int:document_id>/download/",
        documents.quote_pdf_download,
        name="quote_pdf_download",
    ),
    # --- levels and commitments (3YC) ---
    path(
        "agreements/<str:number>/commitment/",
        levels.commitment_accept_page,
        name="commitment_accept",
    ),
    # --- quote kinds: move fee, edition change, upgrade ---
    path(
        "entitlements/<int:entitlement_id>/edition-quote/",
        kinds.edition_quote_request,
        name="edition_quote_request",
    ),
    path("moves/<int:move_id>/quote/", kinds.move_fee_quote, name="move_fee_quote"),
]
