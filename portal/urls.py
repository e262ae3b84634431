from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views

# A6: the admin signs in through allauth (rate limits, MFA) instead of its own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Entitle administration"
admin.site.site_title = "Entitle admin"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("accounts.urls")),
    path("", include("licensing.urls")),
    path("renewals/", include("renewals.urls")),
    path("support/", include("support.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# Media (PoE PDFs, imports, downloads) is never served directly, not even in DEBUG: every file
# goes through a view that checks the tenant (A4).

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
