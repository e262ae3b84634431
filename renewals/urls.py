from django.urls import path

from renewals.views import quotes

app_name = "renewals"

urlpatterns = [
    path("quotes/<str:number>/", quotes.quote_detail, name="quote_detail"),
]
