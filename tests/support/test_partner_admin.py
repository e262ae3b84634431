"""S8: the brand fields in the admin: the logo must be a real PNG, JPEG or WebP image of at
most 512 KB, recognised by its content (a PNG named .jpg is accepted and stored as what it is;
a GIF, an executable or a text file is refused with the reason), and a logo or colours need
a brand name."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.admin import OrganisationAdminForm
from tests.accounts.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str, size=(4, 4), noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (18, 52, 86))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def form_for(partner, name: str, content: bytes, **data):
    fields = {
        "name": partner.name,
        "kind": partner.kind,
        "is_certified_service_partner": "on",
        "brand_name": "Reseller One Care",
        "brand_primary_colour": "#123456",
        "brand_secondary_colour": "",
        **data,
    }
    return OrganisationAdminForm(
        data=fields,
        files={"brand_logo": SimpleUploadedFile(name, content)},
        instance=partner,
    )


@pytest.mark.parametrize(
    ("name", "fmt", "stored"),
    [("logo.png", "PNG", ".png"), ("logo.jpg", "JPEG", ".jpg"), ("logo.webp", "WEBP", ".webp")],
)
def test_a_png_jpeg_or_webp_logo_is_accepted(world, name, fmt, stored):
    form = form_for(world.reseller, name, image_bytes(fmt))
    assert form.is_valid(), form.errors
    partner = form.save()
    assert partner.brand_logo.name.endswith(stored)


def test_a_png_named_jpg_is_accepted_and_stored_as_a_png(world):
    form = form_for(world.reseller, "logo.jpg", image_bytes("PNG"))
    assert form.is_valid(), form.errors
    assert form.save().brand_logo.name.endswith(".png")


def test_a_gif_is_refused_with_the_reason(world):
    form = form_for(world.reseller, "logo.gif", image_bytes("GIF"))
    assert not form.is_valid()
    assert "PNG, JPEG or WebP" in str(form.errors["brand_logo"])
    assert "image/gif" in str(form.errors["brand_logo"])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),
        ("logo.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),
        ("logo.png", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_an_executable_or_a_script_is_refused(world, name, content):
    form = form_for(world.reseller, name, content)
    assert not form.is_valid()
    assert "brand_logo" in form.errors


def test_a_logo_over_512_kb_is_refused_with_the_limit(world):
    content = image_bytes("PNG", size=(600, 600), noise=True)
    assert len(content) > 512 * 1024
    form = form_for(world.reseller, "logo.png", content)
    assert not form.is_valid()
    assert "512" in str(form.errors["brand_logo"])


def test_colours_without_a_brand_name_are_refused(world):
    form = form_for(world.reseller, "logo.png", image_bytes("PNG"), brand_name="")
    assert not form.is_valid()
    assert "brand_name" in form.errors


def test_an_organisation_without_brand_fields_needs_no_brand_name(world):
    form = OrganisationAdminForm(
        data={"name": "Reseller Two", "kind": "reseller", "brand_name": ""},
        instance=world.other_reseller,
    )
    assert form.is_valid(), form.errors


def test_the_admin_change_page_previews_the_logo_as_the_portal_serves_it(client, world):
    partner = world.reseller
    form = form_for(partner, "logo.png", image_bytes("PNG"))
    assert form.is_valid()
    form.save()
    client.force_login(with_totp(UserFactory(is_staff=True, is_superuser=True)))
    page = client.get(reverse("admin:accounts_organisation_change", args=[partner.pk]))
    assert page.status_code == 200
    assert reverse("support:brand_logo", kwargs={"partner_id": partner.pk}) in page.content.decode()
