"""E2 / issue #10 item 1: the translation catalogues are complete — every string of the
portal's own code and templates is translated into Polish and Traditional Chinese, none fuzzy,
every placeholder kept — and so are allauth's, whose pages the portal shows.

The extraction test runs `makemessages` over the sources into a copy of the catalogues, so a
new string that nobody translated fails here, not in front of a Polish user."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import allauth
import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

TRANSLATED = ("pl", "zh_Hant")
NPLURALS = {"pl": 4, "zh_Hant": 1}
LOCALE = Path(settings.BASE_DIR) / "locale"
# What `make messages` extracts from (tests, the venv and var are not the portal's strings).
SOURCES = ("accounts", "licensing", "renewals", "support", "portal", "templates", "static")
ALLAUTH_LOCALE = Path(allauth.__file__).parent / "locale"

# What must survive translation unchanged: %-placeholders, {}-fields, HTML tags and entities.
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[sdifr]|%[sdifr]|\{[A-Za-z_][\w.]*\}|</?[a-zA-Z][^>]*>|&[a-z]+;|&#\d+;"
)
# Characters that exist only in Simplified Chinese (这 个 们 …): none may slip into zh-Hant.
SIMPLIFIED_ONLY = set("这个们时会说对发开关门问题务请设点击输证书户员网络号项页简体录电视话见实现")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def untranslated(po: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in po
        if not entry.obsolete
        and (
            "fuzzy" in entry.flags
            or (not all(entry.msgstr_plural.values()) if entry.msgid_plural else not entry.msgstr)
        )
    ]


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_of_the_portals_catalogue_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)
    assert len(po) > 1500  # the portal's own strings, not an empty file
    assert untranslated(po) == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder_and_tag_of_the_english(language):
    wrong = []
    for entry in catalogue(language):
        if entry.msgid_plural:
            allowed = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            for form in entry.msgstr_plural.values():
                if set(placeholders(form)) - set(allowed):
                    wrong.append((entry.msgid, form))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_entries_have_the_languages_number_of_forms(language):
    po = catalogue(language)
    assert f"nplurals={NPLURALS[language]};" in po.metadata["Plural-Forms"].replace(" ", "")
    wrong = [
        entry.msgid
        for entry in po
        if entry.msgid_plural and sorted(entry.msgstr_plural) != list(range(NPLURALS[language]))
    ]
    assert wrong == []


def test_the_chinese_catalogue_uses_traditional_characters_only():
    simplified = {
        entry.msgid: "".join(sorted(set(entry.msgstr) & SIMPLIFIED_ONLY))
        for entry in catalogue("zh_Hant")
        if set(entry.msgstr) & SIMPLIFIED_ONLY
    }
    assert simplified == {}


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="makemessages needs GNU gettext (xgettext, msgmerge); .ci/run installs it",
)
def test_every_string_in_the_sources_is_in_the_catalogues_and_translated(tmp_path, monkeypatch):
    """makemessages over the code and templates, merged into a copy of the catalogues: any
    string added since the catalogues were last updated comes out untranslated (or fuzzy, when
    gettext guessed it from a similar one). makemessages writes into ./locale, so it runs in a
    folder of links to the sources with a copy of the catalogues."""
    for source in SOURCES:
        (tmp_path / source).symlink_to(Path(settings.BASE_DIR) / source)
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[copy]):
        call_command(
            "makemessages",
            locale=list(TRANSLATED),
            symlinks=True,
            no_obsolete=True,
            verbosity=0,
        )
    missing = {
        language: untranslated(polib.pofile(str(copy / language / "LC_MESSAGES" / "django.po")))
        for language in TRANSLATED
    }
    assert missing == {"pl": [], "zh_Hant": []}, "run `make messages` and translate these"


@pytest.mark.parametrize("language", TRANSLATED)
def test_allauths_own_catalogue_is_complete_in_the_language(language):
    """allauth's sign-in, password and MFA pages use allauth's catalogue; a gap there would be
    an English sentence on a Polish page (the portal would then carry the strings itself)."""
    po = polib.pofile(str(ALLAUTH_LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 300
    assert untranslated(po) == []


@pytest.mark.parametrize(
    ("language", "sign_out"), [("pl", "Wyloguj się"), ("zh-hant", "登出"), ("en", "Sign out")]
)
def test_the_compiled_catalogues_are_what_django_loads(language, sign_out):
    with translation.override(language):
        assert translation.gettext("Sign out") == sign_out
