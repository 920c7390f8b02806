"""EU data themes and HVD categories as search facets with German labels, and the home page's theme tiles.

The schema stores both as lists of URIs; the index gets them as lists (one facet value per URI)
and the facets show the vocabulary's label in the visitor's language instead of the URI.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.dcat import vocabularies

# Facet field -> vocabulary of its values.
FACETS = {"theme": "theme", "hvd_category": "hvd_category"}
# Font Awesome (shipped with CKAN) icon per EU data theme, by the theme's code.
THEME_ICONS = {
    "AGRI": "wheat-awn", "ECON": "chart-line", "EDUC": "graduation-cap", "ENER": "bolt", "ENVI": "leaf",
    "GOVE": "landmark", "HEAL": "heart-pulse", "INTR": "globe", "JUST": "scale-balanced", "REGI": "map",
    "SOCI": "people-group", "TECH": "microchip", "TRAN": "bus",
}  # fmt: skip


def index_document(document: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the dataset's themes and HVD categories as lists of URIs."""
    dataset = json.loads(document["validated_data_dict"])
    for field in FACETS:
        values = dataset.get(field)
        document[field] = [str(value) for value in values] if isinstance(values, list) else []
    return document


def _language() -> str:
    """The visitor's language; the portal's default outside a request (actions called from code)."""
    try:
        return tk.h.lang() or "de"
    except RuntimeError:
        return tk.config.get("ckan.locale_default") or "de"


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: the concepts' labels (German, or the UI language) as facet names."""
    for field, vocabulary in FACETS.items():
        facet = (search_results.get("search_facets") or {}).get(field)
        for item in facet["items"] if facet else []:
            item["display_name"] = vocabularies.label(vocabulary, item["name"], _language())
    return search_results


def theme_tiles(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Every EU data theme with its label, icon and number of public datasets (``counts`` by URI)."""
    lang = _language()
    tiles = [
        {
            "uri": uri,
            "label": vocabularies.label("theme", uri, lang),
            "icon": THEME_ICONS[code],
            "count": counts.get(uri, 0),
        }
        for uri in vocabularies.concepts("theme")
        if (code := uri.rsplit("/", 1)[-1]) in THEME_ICONS
    ]
    return sorted(tiles, key=lambda tile: (-tile["count"], tile["label"].casefold()))
