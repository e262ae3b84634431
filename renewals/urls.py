from django.urls import path

from renewals.views import kinds, quotes

app_name = "renewals"

urlpatterns = [
    path("quotes/<str:number>/", quotes.quote_detail, name="quote_detail"),
    # --- customer pages: renewals page, accept, decline, reinstatement, calendar feed ---
    # --- reseller pages: renewals by month, CSV, the client's price ---
    # --- quote PDFs ---
    # --- levels and commitments (3YC) ---
    # --- quote kinds: move fee, edition change, upgrade ---
    path(
        "entitlements/<int:entitlement_id>/edition-quote/",
        kinds.edition_quote_request,
        name="edition_quote_request",
    ),
    path("moves/<int:move_id>/quote/", kinds.move_fee_quote, name="move_fee_quote"),
]
