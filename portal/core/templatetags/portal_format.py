"""Template filters for locale formatting: `{{ amount|money:currency }}`, `{{ day|day }}`.

An empty amount renders as nothing rather than "€0.00", so a missing price is not mistaken
for a free one."""

from __future__ import annotations

from django import template

from portal.core.formatting import format_day, format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "EUR") -> str:
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency or "EUR")


@register.filter
def day(value, style: str = "medium") -> str:
    if not value:
        return ""
    return format_day(value, style=style)
