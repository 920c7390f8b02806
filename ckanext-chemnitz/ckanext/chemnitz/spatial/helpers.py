"""Template helpers of the place search: the district list, the searched place, a dataset's coverage."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from shapely.geometry import mapping

from ckanext.chemnitz.spatial import basemaps, districts, extent, search


def district_choices() -> list[dict[str, str]]:
    return [{"name": d.name, "bbox": ",".join(map(str, d.bounds))} for d in districts.current().all]


def searched_place() -> dict[str, Any]:
    """What the visitor asked for (``ext_bbox`` / ``ext_district``), with a German error if malformed."""
    values = {key: tk.request.args.get(key, "") for key in ("ext_bbox", "ext_district")}
    place: dict[str, Any] = {"bbox": "", "district": values["ext_district"], "error": ""}
    try:
        box = search.requested_box(values)
    except search.PlaceError as error:
        place["error"] = str(error)
        return place
    if box is not None:
        place["bbox"] = ",".join(f"{number:.6f}".rstrip("0").rstrip(".") for number in box)
    return place


def dataset_coverage(dataset: dict[str, Any]) -> dict[str, Any] | None:
    """The area a dataset covers as GeoJSON, its bounds and the districts it touches."""
    geometry = extent.coverage(dataset)
    if geometry is None:
        return None
    return {
        "geojson": json.dumps(mapping(geometry), separators=(",", ":")),
        "bounds": extent.bounds(geometry),
        "districts": districts.current().covering(geometry),
    }


def map_tiles() -> tuple[str, str]:
    """The background layers of the portal's maps (``data-tiles``) and '' for ``data-tiles-attribution``:
    each layer now carries its own attribution (``spatial/basemaps.py``)."""
    return basemaps.as_json(), ""


def helpers() -> dict[str, Any]:
    return {
        "chemnitz_map_tiles": map_tiles,
        "chemnitz_map_origin": basemaps.shown_origin,
        "chemnitz_district_choices": district_choices,
        "chemnitz_searched_place": searched_place,
        "chemnitz_dataset_coverage": dataset_coverage,
    }
