"""Template helpers of the theme: what the home page shows, GeoJSON values in words."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.chemnitz import usage
from ckanext.chemnitz.dcat import facets
from ckanext.chemnitz.theme import assets, summary


def geojson_bounds(value: Any) -> tuple[float, float, float, float] | None:
    """West, south, east, north of a GeoJSON geometry given as text (a dataset's area, its bounding
    box), so that the dataset page says where instead of showing the raw JSON; None for other values."""
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return None
    try:
        geometry = json.loads(value)
        points = list(_positions(geometry["coordinates"]))
    except (ValueError, KeyError, TypeError):
        return None
    if not points:
        return None
    longitudes, latitudes = [p[0] for p in points], [p[1] for p in points]
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)


def _positions(coordinates: Any) -> Any:
    """The positions of any GeoJSON geometry's (nested) coordinate arrays."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield float(coordinates[0]), float(coordinates[1])
        return
    for part in coordinates:
        yield from _positions(part)


def sorted_rows(rows: list[Any], key: str, descending: bool = False) -> list[Any]:
    """Rows sorted by one attribute, rows without a value last: the server-side sorting of a table
    whose headings are links (it works without JavaScript)."""
    present = [row for row in rows if getattr(row, key, None) is not None]
    missing = [row for row in rows if getattr(row, key, None) is None]
    return sorted(present, key=lambda row: getattr(row, key), reverse=descending) + missing


@tk.chained_helper
def render_assets(next_helper: Any, type_: str) -> Markup:
    """CKAN's asset tags; on a reading page (theme/assets.py) its scripts with ``defer``: a phone
    parses and paints the page while they arrive, and they run in their order once it is parsed
    (Lighthouse on a phone: first paint and LCP no longer wait for the scripts, docs/benchmarks.md).

    Not on the pages with CKAN's modules: jQuery, itself deferred, finds the document no longer
    "loading" and fires its ready event after a timer, which runs between two deferred scripts while
    a later one still arrives; CKAN then starts the modules before ckan.js or ckanext-scheming's
    have registered theirs, and an editor's form buttons did nothing (1 in ~80 loads)."""
    tags = next_helper(type_)
    if type_ != "script" or assets.reading_page_assets() is None:
        return tags
    return Markup(str(tags).replace("<script src=", "<script defer src="))


def helpers() -> dict[str, Any]:
    return {
        "render_assets": render_assets,
        "chemnitz_reading_page_assets": assets.reading_page_assets,
        "chemnitz_icon_stylesheets": assets.icon_stylesheets,
        "chemnitz_catalogue_summary": summary.catalogue_summary,
        "chemnitz_most_used": usage.most_used,
        "chemnitz_theme_tiles": facets.theme_tiles,
        "chemnitz_city_mark": lambda: tk.config.get("ckanext.chemnitz.theme.city_mark"),
        "chemnitz_geojson_bounds": geojson_bounds,
        "chemnitz_sorted_rows": sorted_rows,
    }
