"""Template helpers of the theme: what the home page shows."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz import usage
from ckanext.chemnitz.dcat import facets
from ckanext.chemnitz.theme import summary


def helpers() -> dict[str, Any]:
    return {
        "chemnitz_catalogue_summary": summary.catalogue_summary,
        "chemnitz_most_used": usage.most_used,
        "chemnitz_theme_tiles": facets.theme_tiles,
        "chemnitz_city_mark": lambda: tk.config.get("ckanext.chemnitz.theme.city_mark"),
    }
