from django.urls import path

from licensing.views import imports, inventory, moves, orders, poe, statement, transfers, updates

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
    # L5: the customer statement of a site
    path("sites/<str:number>/statement/", statement.statement_page, name="statement"),
    path("sites/<str:number>/statement.csv", statement.statement_csv, name="statement_csv"),
    path("sites/<str:number>/statement.pdf", statement.statement_pdf, name="statement_pdf"),
    path("statements/<int:document_id>/", statement.statement_status, name="statement_status"),
    path(
        "statements/<int:document_id>/download/",
        statement.statement_download,
        name="statement_download",
    ),
    # L10: downloads of entitled versions and the update e-mail preference
    path("downloads/", updates.downloads, name="downloads"),
    path("downloads/<int:version_id>/", updates.download, name="download"),
    path("profile/updates/", updates.update_preferences, name="update_preferences"),
    # L2: orders; L7: site-to-site transfers; L8: moves to a new computer
    path("sites/<str:number>/orders/", orders.site_orders, name="site_orders"),
    path("sites/<str:number>/orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("sites/<str:number>/transfers/", transfers.site_transfers, name="site_transfers"),
    path("sites/<str:number>/transfers/new/", transfers.transfer_create, name="transfer_create"),
    path("entitlements/<int:entitlement_id>/move/", moves.move_create, name="move_create"),
    # L6: CSV import of entitlements (resellers; staff import in the admin)
    path("imports/", imports.import_upload, name="import_upload"),
    path("imports/<int:batch_id>/", imports.import_preview, name="import_preview"),
    path("imports/<int:batch_id>/confirm/", imports.import_confirm, name="import_confirm"),
]
