"""Which texts on a page are English: the message ids of CKAN's and the portal's catalogues, unless
the German catalogue gives the same words (API, Name, Format). A page that shows an id as it is was
not translated there: CKAN falls back to the English id where neither the portal's catalogue nor
CKAN's compiled one has it (CKAN 2.12's ckan.mo lacks translations its ckan.po has)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import ckan
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PORTAL_PO = ROOT / "ckanext-chemnitz" / "ckanext" / "chemnitz" / "i18n" / "de" / "LC_MESSAGES" / "ckanext-chemnitz.po"
CKAN_CATALOGUE = Path(ckan.__file__).parent / "i18n" / "de" / "LC_MESSAGES"
# English that comes with JavaScript libraries, not through a catalogue: Leaflet's controls.
LIBRARY_ENGLISH = ("Zoom in", "Zoom out", "Close popup", "A JavaScript library for interactive maps")
PLACEHOLDER = re.compile(r"(\{[^{}]*\}|%\([^)]*\)[sdifr]|%[sdifr])")


def _plain(message: str) -> str:
    """A message id as a browser shows it: without markup, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", message).split())


def _pattern(message: str) -> str:
    return "".join(".+?" if PLACEHOLDER.fullmatch(part) else re.escape(part) for part in PLACEHOLDER.split(message))


@functools.cache
def english() -> tuple[frozenset[str], re.Pattern[str]]:
    """The English texts a German page must not show: whole texts, and an expression for the
    message ids with placeholders."""
    catalogue: dict[str, str] = {}
    for po in (CKAN_CATALOGUE / "ckan.po", PORTAL_PO):  # the portal's translations win, as in CKAN
        with po.open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for number, msgid in enumerate(ids):
                    if msgid:
                        catalogue[msgid] = strings[min(number, len(strings) - 1)] or catalogue.get(msgid, "")
    whole, patterns = set(LIBRARY_ENGLISH), set()
    for msgid, german in catalogue.items():
        if german == msgid:
            continue  # the same words in German (API, Name, Format)
        shown = _plain(msgid)
        if sum(ch.isalpha() for ch in PLACEHOLDER.sub("", shown)) < 3:
            continue  # "{n}", "%s:" say nothing in either language
        if PLACEHOLDER.search(shown):
            patterns.add(_pattern(shown))
        else:
            whole.add(shown)
    return frozenset(whole), re.compile("|".join(sorted(patterns, key=len, reverse=True)))


def english_texts(texts: list[list[str]]) -> list[str]:
    """The texts (kind, text, where) that are English message ids, one line each."""
    whole, pattern = english()
    found = {f"{kind} {text!r} at {where}" for kind, text, where in texts if text in whole or pattern.fullmatch(text)}
    return sorted(found)
