from django.urls import path

from renewals.views import levels, quotes

app_name = "renewals"

urlpatterns = [
    path("quotes/<str:number>/", quotes.quote_detail, name="quote_detail"),
    # --- customer pages: renewals page, accept, decline, reinstatement, calendar feed ---
    # --- reseller pages: renewals by month, CSV, the client's price ---
    # --- quote PDFs ---
    # --- levels and commitments (3YC) ---
    path(
        "agreements/<str:number>/commitment/",
        levels.commitment_accept_page,
        name="commitment_accept",
    ),
    # --- quote kinds: move fee, edition change, upgrade ---
]
