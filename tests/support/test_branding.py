"""Partner-branded support (S8): whose pages carry a certified service partner's brand, the
colours kept readable (WCAG AA), the logo and stylesheet downloads, and the ticket e-mails."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.core.models import OutgoingEmail
from support.branding import (
    AA_TEXT,
    BRAND_SESSION_KEY,
    DARK,
    LIGHT_BACKGROUND,
    WHITE,
    Brand,
    accent_on_light,
    brand_for_user,
    contrast_ratio,
    logo_signature,
    text_on,
)
from tests.accounts.factories import ContactFactory, ResellerFactory, SiteFactory, UserFactory
from tests.conftest import client_for
from tests.support.factories import ticket_opened
from tests.support.permission_world import PNG_1X1

pytestmark = pytest.mark.django_db


def brand_partner(partner, *, primary="#123456", secondary="#abcdef", logo=True):
    partner.is_certified_service_partner = True
    partner.brand_name = "Reseller One Care"
    partner.brand_primary_colour = primary
    partner.brand_secondary_colour = secondary
    if logo:
        partner.brand_logo.save("logo.png", ContentFile(PNG_1X1), save=False)
    partner.save()
    return partner


@pytest.fixture
def branded(world):
    brand_partner(world.reseller)
    return world


# --- the colours stay readable (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#123456", WHITE),  # dark blue: white text
        ("#ffff00", DARK),  # yellow: dark text
        ("#abcdef", DARK),  # light blue: dark text
        ("#f1c232", DARK),
        ("#0b5394", WHITE),
    ],
)
def test_text_on_a_brand_colour_is_white_or_dark_from_its_luminance(background, text):
    assert text_on(background) == text
    assert contrast_ratio(background, text) >= AA_TEXT


@pytest.mark.parametrize("grey", ["#777777", "#787878", "#767676", "#7a7a7a"])
def test_a_mid_grey_that_neither_white_nor_dark_text_passes_on_gets_whichever_passes(grey):
    assert contrast_ratio(grey, text_on(grey)) >= AA_TEXT


@pytest.mark.parametrize("colour", ["#ffff00", "#abcdef", "#f1c232", "#00ff00", "#ffffff"])
def test_a_light_brand_colour_is_darkened_where_it_is_text_on_the_page(colour):
    accent = accent_on_light(colour)
    assert accent != colour
    assert contrast_ratio(accent, WHITE) >= AA_TEXT
    assert contrast_ratio(accent, LIGHT_BACKGROUND) >= AA_TEXT


def test_a_dark_brand_colour_is_used_as_it_is():
    assert accent_on_light("#123456") == "#123456"


def test_the_stylesheet_gives_a_light_brand_dark_text_and_a_darker_link_colour():
    css = Brand("Care", "", "#ffff00", "#000000", 1).stylesheet()
    assert "--brand-primary: #ffff00;" in css
    assert f"--brand-on-primary: {DARK};" in css
    assert "--entitle-blue: #ffff00" not in css  # the raw colour is never text on the page
    assert "--bs-navbar-toggler-icon-bg" in css  # the menu button turns dark too


# --- whose pages are branded ------------------------------------------------------------------


def test_a_client_of_a_branded_partner_sees_the_partner_brand(branded):
    brand = brand_for_user(branded.users["caller"])
    assert brand.name == "Reseller One Care"
    assert brand.logo_url == reverse("support:brand_logo", args=[branded.reseller.pk])


def test_the_partner_own_users_see_its_brand(branded):
    assert brand_for_user(branded.users["reseller"]).partner_id == branded.reseller.pk


def test_a_client_of_a_reseller_that_is_not_a_partner_sees_no_brand(branded):
    other = branded.other_reseller
    other.brand_name = "Not a partner"
    other.save()
    assert brand_for_user(branded.users["other_customer"]) is None
    assert brand_for_user(branded.users["other_reseller"]) is None


def test_staff_see_no_brand(branded):
    assert brand_for_user(branded.users["staff"]) is None


def test_a_partner_without_a_brand_name_brands_nothing(world):
    world.reseller.brand_primary_colour = "#123456"
    world.reseller.save()
    assert brand_for_user(world.users["caller"]) is None


def test_a_user_whose_sites_have_different_partners_sees_no_brand(branded):
    second_partner = brand_partner(ResellerFactory())
    second_site = SiteFactory(reseller=second_partner)
    ContactFactory(site=second_site, user=branded.users["caller"], is_authorized_caller=True)
    assert brand_for_user(branded.users["caller"]) is None


def test_a_user_with_a_site_bought_direct_as_well_sees_no_brand(branded):
    direct = SiteFactory(reseller=None)
    ContactFactory(site=direct, user=branded.users["caller"], is_authorized_caller=True)
    assert brand_for_user(branded.users["caller"]) is None


def test_a_user_with_two_sites_of_the_same_partner_sees_its_brand(branded):
    second_site = SiteFactory(reseller=branded.reseller)
    ContactFactory(site=second_site, user=branded.users["caller"], is_authorized_caller=True)
    assert brand_for_user(branded.users["caller"]).partner_id == branded.reseller.pk


def test_the_brand_costs_one_query_once_per_user_however_often_it_is_asked(
    branded, django_assert_num_queries
):
    user = UserFactory()
    ContactFactory(site=branded.site, user=user, is_authorized_caller=True)
    with django_assert_num_queries(1):
        brand_for_user(user)
        brand_for_user(user)


# --- the pages --------------------------------------------------------------------------------


def _dashboard(client, world, role):
    response = client_for(client, world, role).get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["caller", "primary", "reseller"])
def test_the_navbar_shows_the_partner_name_logo_and_colours(client, branded, role):
    page = _dashboard(client, branded, role)
    partner_id = branded.reseller.pk
    assert "Reseller One Care" in page
    assert "powered by Entitle" in page
    assert reverse("support:brand_logo", args=[partner_id]) in page
    assert reverse("support:brand_style", args=[partner_id]) + "?v=" in page


@pytest.mark.parametrize("role", ["other_customer", "other_reseller", "staff"])
def test_other_users_see_the_plain_entitle_brand(client, branded, role):
    page = _dashboard(client, branded, role)
    assert "Reseller One Care" not in page
    assert "/brands/" not in page
    assert 'class="brand-mark"' in page


# --- the logo and the stylesheet --------------------------------------------------------------


def test_the_logo_is_served_as_an_image_the_browser_may_cache_privately(client, branded):
    url = reverse("support:brand_logo", args=[branded.reseller.pk])
    response = client_for(client, branded, "other_customer").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PNG_1X1


def test_the_logo_asks_anonymous_visitors_to_sign_in(client, branded):
    response = client.get(reverse("support:brand_logo", args=[branded.reseller.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_signed_logo_link_of_the_emails_needs_no_sign_in(client, branded):
    """E-mail clients fetch images without the reader's session."""
    url = reverse("support:brand_logo", args=[branded.reseller.pk])
    response = client.get(f"{url}?sig={logo_signature(branded.reseller.pk)}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_forged_or_borrowed_logo_signature_asks_for_sign_in(client, branded):
    url = reverse("support:brand_logo", args=[branded.reseller.pk])
    for signature in ("forged", logo_signature(branded.other_reseller.pk)):
        response = client.get(f"{url}?sig={signature}")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_reseller_that_is_not_a_partner_has_no_logo_to_serve(client, branded):
    other = brand_partner(branded.other_reseller)
    other.is_certified_service_partner = False
    other.save()
    response = client_for(client, branded, "caller").get(
        reverse("support:brand_logo", args=[other.pk])
    )
    assert response.status_code == 404


def test_a_partner_without_a_logo_has_none_to_serve(client, world):
    brand_partner(world.reseller, logo=False)
    response = client_for(client, world, "caller").get(
        reverse("support:brand_logo", args=[world.reseller.pk])
    )
    assert response.status_code == 404


def test_a_customer_organisation_has_no_logo(client, branded):
    response = client_for(client, branded, "caller").get(
        reverse("support:brand_logo", args=[branded.site.customer_id])
    )
    assert response.status_code == 404


def test_the_stylesheet_is_css_with_the_partner_colours(client, branded):
    response = client_for(client, branded, "caller").get(
        reverse("support:brand_style", args=[branded.reseller.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "--brand-primary: #123456;" in response.content.decode()


def test_a_partner_without_colours_has_no_stylesheet(client, world):
    brand_partner(world.reseller, primary="", secondary="")
    response = client_for(client, world, "caller").get(
        reverse("support:brand_style", args=[world.reseller.pk])
    )
    assert response.status_code == 404
    assert reverse("support:brand_style", args=[world.reseller.pk]) not in _dashboard(
        client, world, "caller"
    )


# --- the ticket e-mails -----------------------------------------------------------------------


def test_a_ticket_email_carries_the_brand_with_an_absolute_logo_url_and_readable_text(world):
    brand_partner(world.reseller, primary="#ffff00")
    ticket = ticket_opened(world)
    email = OutgoingEmail.objects.filter(key__startswith=f"ticket:{ticket.number}:opened").first()
    logo = settings.SITE_URL + reverse("support:brand_logo", args=[world.reseller.pk])
    assert f'src="{logo}?sig={logo_signature(world.reseller.pk)}"' in email.body_html
    assert f"background: #ffff00; color: {DARK};" in email.body_html


def _brand_queries(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "accounts_organisation"') and "EXISTS" in query["sql"]
    ]


def test_the_brand_is_kept_in_the_session_so_later_pages_pay_no_query_for_it(client, branded):
    client_for(client, branded, "caller")
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as later:
        page = client.get(reverse("dashboard")).content.decode()
    assert len(_brand_queries(first)) == 1
    assert _brand_queries(later) == []
    assert "Reseller One Care" in page


def test_a_brand_kept_in_the_session_is_refreshed_after_a_few_minutes(client, branded):
    _dashboard(client, branded, "caller")
    branded.reseller.brand_name = "Renamed Care"
    branded.reseller.save()
    assert "Renamed Care" not in _dashboard(client, branded, "caller")  # kept
    session = client.session
    session[BRAND_SESSION_KEY]["at"] -= 10 * 60
    session.save()
    assert "Renamed Care" in _dashboard(client, branded, "caller")
