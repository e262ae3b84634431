"""Template filters for locale formatting: `{{ amount|money:currency }}`, `{{ day|day }}`,
`{{ moment|when }}` (`{{ moment|when:"zone" }}` in e-mails), `{{ day|month }}`.

An empty amount renders as nothing rather than "€0.00", so a missing price is not mistaken
for a free one."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from portal.core.formatting import format_day, format_money, format_month, format_when

register = template.Library()


@register.filter
def money(amount, currency: str = "EUR") -> str:
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency or "EUR")


@register.filter
def day(value, style: str = "medium") -> str:
    """A date (or an ISO date string, as stored in document snapshots) in the reader's locale."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_day(value, style=style)


@register.filter
def when(value, option: str = "") -> str:
    """A date-time to the minute in the reader's locale and the current time zone; `"zone"`
    adds the zone's name."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_when(value, zone=option == "zone")


@register.filter
def month(value) -> str:
    """A month of a year ("grudzień 2026") in the reader's locale."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_month(value)


@register.filter
def nbsp(value) -> str:
    """No line break inside a short value ("31 gru 2026"): its spaces become no-break spaces
    (a coverage period then breaks at its dash only)."""
    return str(value).replace(" ", "\u00a0")
