"""Template helpers of the theme: what the home page shows."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz import usage
from ckanext.chemnitz.dcat import facets


def newest_datasets(limit: int = 5) -> list[dict[str, Any]]:
    return tk.get_action("package_search")({}, {"sort": "metadata_created desc", "rows": limit})["results"]


def dataset_count() -> int:
    return int(tk.get_action("package_search")({}, {"rows": 0})["count"])


def departments() -> list[dict[str, Any]]:
    """The city's departments (organizations) with their number of public datasets, busiest first."""
    found = tk.get_action("organization_list")({}, {"all_fields": True, "include_dataset_count": True})
    return sorted(found, key=lambda org: (-org.get("package_count", 0), org["title"].casefold()))


def helpers() -> dict[str, Any]:
    return {
        "chemnitz_newest_datasets": newest_datasets,
        "chemnitz_dataset_count": dataset_count,
        "chemnitz_departments": departments,
        "chemnitz_most_used": usage.most_used,
        "chemnitz_theme_tiles": facets.theme_tiles,
        "chemnitz_city_mark": lambda: tk.config.get("ckanext.chemnitz.theme.city_mark"),
    }
