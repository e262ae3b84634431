from django.urls import path

from licensing.views import inventory, poe

app_name = "licensing"

urlpatterns = [
    path("inventory/", inventory.inventory, name="inventory"),
    path("inventory/export.csv", inventory.inventory_csv, name="inventory_csv"),
    path(
        "entitlements/<int:entitlement_id>/",
        inventory.entitlement_detail,
        name="entitlement_detail",
    ),
    path("sites/<str:number>/poe/", poe.site_poe, name="site_poe"),
    path("orders/<int:order_id>/poe/", poe.order_poe, name="order_poe"),
    path("poe/<int:poe_id>/", poe.poe_status, name="poe_status"),
    path("poe/<int:poe_id>/download/", poe.poe_download, name="poe_download"),
    path("verify/<str:code>/", poe.verify, name="verify"),
]
