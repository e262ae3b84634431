from django.urls import path

from accounts.views import contacts, invitations, profile, resellers, sites, users

app_name = "accounts"

site = "sites/<str:number>/"
urlpatterns = [
    path("sites/confirm/", invitations.site_confirm, name="site_confirm"),
    path(site, sites.site_detail, name="site_detail"),
    path(site + "history/", sites.site_history, name="site_history"),
    path(site + "contacts/", contacts.contact_list, name="contact_list"),
    path(site + "contacts/add/", contacts.contact_add, name="contact_add"),
    path(site + "contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact_edit"),
    path(
        site + "contacts/<int:contact_id>/remove/", contacts.contact_delete, name="contact_delete"
    ),
    path(
        site + "contacts/<int:contact_id>/make-primary/",
        contacts.contact_make_primary,
        name="contact_make_primary",
    ),
    path(
        site + "contacts/<int:contact_id>/invite/", contacts.contact_invite, name="contact_invite"
    ),
    path(site + "callers/", contacts.caller_list, name="caller_list"),
    path(site + "callers/<int:contact_id>/remove/", contacts.caller_remove, name="caller_remove"),
    path(site + "users/", users.user_list, name="user_list"),
    path(site + "users/invite/", users.user_invite, name="user_invite"),
    path(site + "users/<int:contact_id>/remove/", users.user_remove, name="user_remove"),
    path(
        site + "invitations/<int:invitation_id>/withdraw/",
        users.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("profile/", profile.profile, name="profile"),
    path("language/", profile.language_set, name="language"),
    path("reseller/clients/", resellers.reseller_clients, name="reseller_clients"),
    path(
        "reseller/clients/<int:customer_id>/",
        resellers.reseller_client_detail,
        name="reseller_client_detail",
    ),
    path("reseller/enrol/", resellers.reseller_enrol, name="reseller_enrol"),
    path(
        "reseller/sites/<str:number>/welcome/",
        resellers.reseller_site_welcome,
        name="reseller_site_welcome",
    ),
]
