"""Every message of the extension has a German translation (its own catalogue or CKAN's)."""

from __future__ import annotations

from pathlib import Path

import ckan
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

EXTENSION = Path(__file__).resolve().parents[2] / "ckanext-chemnitz"
CATALOGUE = EXTENSION / "ckanext/chemnitz/i18n/de/LC_MESSAGES/ckanext-chemnitz.po"
CKAN_CATALOGUE = Path(ckan.__file__).parent / "i18n/de/LC_MESSAGES/ckan.po"


def _messages_in_the_sources() -> set[str]:
    with open(EXTENSION / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "N_": None, "ungettext": (1, 2), "ngettext": (1, 2)}
    found = extract_from_dir(EXTENSION / "ckanext", method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _file, _line, message, _comments, _ctx in found}


def _translated(path: Path) -> set[str]:
    with open(path, "rb") as po:
        catalogue = read_po(po)
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id and message.string and all(message.string) and not message.fuzzy
    }


def test_every_message_of_the_extension_is_translated_to_german():
    missing = _messages_in_the_sources() - _translated(CATALOGUE) - _translated(CKAN_CATALOGUE)
    assert not missing, f"run `make i18n` and translate in {CATALOGUE.name}: {sorted(missing)}"


def test_the_catalogue_is_compiled_for_ckan():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists(), "scripts/prepare.sh compiles the catalogue (scripts/i18n.sh compile)"
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime
