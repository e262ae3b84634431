from django.urls import path

from renewals.views import documents, quotes

app_name = "renewals"

urlpatterns = [
    path("quotes/<str:number>/", quotes.quote_detail, name="quote_detail"),
    # --- customer pages: renewals page, accept, decline, reinstatement, calendar feed ---
    # --- reseller pages: renewals by month, CSV, the client's price ---
    # --- quote PDFs ---
    path("quotes/<str:number>/pdf/", documents.quote_pdf, name="quote_pdf"),
    path("quote-pdfs/<int:document_id>/", documents.quote_pdf_status, name="quote_pdf_status"),
    path(
        "quote-pdfs/<int:document_id>/download/",
        documents.quote_pdf_download,
        name="quote_pdf_download",
    ),
    # --- levels and commitments (3YC) ---
    # --- quote kinds: move fee, edition change, upgrade ---
]
