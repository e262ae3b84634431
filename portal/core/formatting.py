"""Money and dates for the reader's locale, written once (SPEC E2; review finding 16).

Pages and e-mails format through these (the `money` and `day` template filters in
`portal_format`); CSV files keep plain machine-readable values (`16000.00`, ISO dates) so a
spreadsheet can compute with them. The locale is the active Django language unless one is
given: a request's language in pages, the recipient's in e-mails (the outbox activates it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency
from django.conf import settings
from django.utils import timezone, translation

from portal.core.money import money

# English pages are written for a European audience (EUR prices, day-month dates).
_LOCALE_OF_LANGUAGE = {"en": "en_GB"}
FALLBACK_LOCALE = "en_GB"


def portal_language(language: str | None = None) -> str:
    """One of the portal's languages (settings.LANGUAGES) for `language`, else the active one:
    what a document rendered for a reader (a PDF, an e-mail) is written in. "pl-PL" → "pl",
    "zh-Hant-TW" → "zh-hant"; anything unknown → the first (English)."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or translation.get_language() or "").lower()
    if language in codes:
        return language
    for code in codes:
        if language.startswith(code + "-"):
            return code
    base = language.split("-")[0]
    return next((code for code in codes if code.split("-")[0] == base), codes[0])


def babel_locale(language: str | None = None) -> Locale:
    language = language or translation.get_language() or "en"
    code = _LOCALE_OF_LANGUAGE.get(language, translation.to_locale(language))
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(FALLBACK_LOCALE)


def format_money(amount: Decimal | int | str, currency: str, *, language: str | None = None) -> str:
    """`16000` EUR → "€16,000.00" in English, "16 000,00 €" in Polish (no-break spaces),
    rounded by the portal's one rule first."""
    return format_currency(money(amount), currency, locale=babel_locale(language))


def _local(moment: datetime) -> datetime:
    """`moment` in the current time zone (a naive one is taken to be in it already)."""
    zone = timezone.get_current_timezone()
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, zone)
    return timezone.localtime(moment, zone)


def format_day(day: date, *, language: str | None = None, style: str = "medium") -> str:
    """A calendar date: "31 Dec 2026", "31 gru 2026", "2026年12月31日". A date-time is first
    brought into the current time zone, so its day is the reader's day."""
    if isinstance(day, datetime):
        day = _local(day).date()
    return babel_format_date(day, format=style, locale=babel_locale(language))


def format_when(moment: datetime, *, language: str | None = None, zone: bool = False) -> str:
    """A moment in the current time zone, to the minute, on a 24-hour clock: "1 Dec 2026, 14:05",
    "1 gru 2026, 14:05", "2026年12月1日 14:05" (the date as `format_day` writes it, joined to
    the time the locale's way). `zone` adds the zone's short name ("14:05 UTC", "16:05 CEST")
    where the reader may be elsewhere (e-mails)."""
    locale = babel_locale(language)
    local = _local(moment)
    text = format_skeleton("Hm", local, tzinfo=local.tzinfo, locale=locale)
    if zone:
        text = f"{text} {format_time(local, 'z', tzinfo=local.tzinfo, locale=locale)}"
    pattern = str(get_datetime_format("medium", locale=locale))
    day = babel_format_date(local.date(), format="medium", locale=locale)
    return pattern.replace("{1}", day).replace("{0}", text)


def format_month(day: date, *, language: str | None = None) -> str:
    """A month of a year, standing alone: "December 2026", "grudzień 2026", "2026年12月"."""
    if isinstance(day, datetime):
        day = _local(day).date()
    return format_skeleton("yMMMM", day, locale=babel_locale(language))
