"""The Django admin's index for staff (review #7 item 20, accounts part)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_each_section_once(client):
    """Review #7 item 20: allauth's `account` app and ours were both "Accounts"."""
    client.force_login(with_totp(UserFactory(is_staff=True, is_superuser=True)))

    page = client.get(reverse("admin:index")).content.decode()

    captions = re.findall(r'<caption>\s*<a href="[^"]*" class="section"[^>]*>([^<]+)</a>', page)
    assert "Customers and sites" in captions
    assert len(captions) == len(set(captions)), captions
