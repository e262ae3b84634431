from django.urls import path

from accounts import views

app_name = "accounts"

site = "sites/<str:number>/"
urlpatterns = [
    path("sites/confirm/", views.site_confirm, name="site_confirm"),
    path(site, views.site_detail, name="site_detail"),
    path(site + "history/", views.site_history, name="site_history"),
    path(site + "contacts/", views.contact_list, name="contact_list"),
    path(site + "contacts/add/", views.contact_add, name="contact_add"),
    path(site + "contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path(site + "contacts/<int:contact_id>/remove/", views.contact_delete, name="contact_delete"),
    path(
        site + "contacts/<int:contact_id>/make-primary/",
        views.contact_make_primary,
        name="contact_make_primary",
    ),
    path(site + "contacts/<int:contact_id>/invite/", views.contact_invite, name="contact_invite"),
    path(site + "callers/", views.caller_list, name="caller_list"),
    path(site + "callers/<int:contact_id>/remove/", views.caller_remove, name="caller_remove"),
    path(site + "users/", views.user_list, name="user_list"),
    path(site + "users/invite/", views.user_invite, name="user_invite"),
    path(site + "users/<int:contact_id>/remove/", views.user_remove, name="user_remove"),
    path(
        site + "invitations/<int:invitation_id>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
    path("reseller/clients/", views.reseller_clients, name="reseller_clients"),
    path(
        "reseller/clients/<int:customer_id>/",
        views.reseller_client_detail,
        name="reseller_client_detail",
    ),
    path("reseller/enrol/", views.reseller_enrol, name="reseller_enrol"),
]
