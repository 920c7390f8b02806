"""Template helpers for the DCAT-AP.de fields (choices and labels of the controlled vocabularies)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.dcat import vocabularies


def chemnitz_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, object]]:
    """ckanext-scheming ``choices_helper``: the concepts of the field's ``vocabulary``."""
    return vocabularies.choices(field["vocabulary"])


def chemnitz_vocabulary_label(name: str, uri: str) -> str:
    """Label of a concept in the current UI language."""
    return vocabularies.label(name, uri, tk.h.lang() or "de")


# Fields of the members a series can be ordered by, with labels in both languages (the
# choices helper of ckanext-dataset-series expects plain-string labels and offers every field).
SERIES_ORDER_FIELDS = {
    "issued": {"de": "Veröffentlichungsdatum", "en": "Release date"},
    "modified": {"de": "Änderungsdatum", "en": "Modification date"},
    "version": {"de": "Version", "en": "Version"},
    "metadata_created": {"de": "Im Portal angelegt", "en": "Created in the portal"},
}


def chemnitz_series_order_choices(field: dict[str, Any]) -> list[dict[str, object]]:
    """ckanext-scheming ``choices_helper`` of ``series_order_field``."""
    return [{"value": name, "label": label} for name, label in SERIES_ORDER_FIELDS.items()]


def helpers() -> dict[str, Any]:
    return {
        "chemnitz_vocabulary_choices": chemnitz_vocabulary_choices,
        "chemnitz_vocabulary_label": chemnitz_vocabulary_label,
        "chemnitz_series_order_choices": chemnitz_series_order_choices,
    }
