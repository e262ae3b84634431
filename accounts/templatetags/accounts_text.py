"""Prose for pages and e-mails about people and their roles (A3, E2)."""

from __future__ import annotations

from babel.lists import format_list
from django import template
from django.utils.text import capfirst

from portal.core.formatting import babel_locale

register = template.Library()


@register.filter
def human_list(items) -> str:
    """["site administrator", "billing contact"] → "site administrator and billing contact" in
    the active language (Babel's list patterns: "i" in Polish, "和" in Chinese), never a
    Python list's repr (review #7 item 9)."""
    words = [str(item) for item in items]
    return format_list(words, locale=babel_locale()) if words else ""


@register.filter
def role_sentence(contact) -> str:
    """A contact's roles as the object of "Your roles:", starting with a capital."""
    return capfirst(human_list(contact.role_names))
