"""Chemnitz's 39 districts (Stadtteile), read from the portal's own districts dataset.

The polygons are not a copy in the code: they are the GeoJSON distribution of the dataset named by
``ckanext.chemnitz.districts.dataset``, harvested like any other source. Each process keeps the
parsed polygons while the dataset and its file are unchanged; when the file changes, the datasets
with a spatial extent are indexed again so that their Stadtteil facet follows
(``reindex_affected``, called by the plugin after the districts' resource changed).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from ckanext.chemnitz.search import entries
from ckanext.chemnitz.security import outbound
from ckanext.chemnitz.spatial import resources

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class District:
    name: str
    geometry: BaseGeometry = field(compare=False, repr=False)

    @property
    def bounds(self) -> list[float]:
        return [round(float(number), 6) for number in self.geometry.bounds]


class Districts:
    """The districts with a spatial index, sorted by name as a German reader expects."""

    def __init__(self, districts: list[District]) -> None:
        self.all = sorted(districts, key=lambda district: district.name.casefold().replace("ß", "ss"))
        self._tree = STRtree([district.geometry for district in self.all])

    def covering(self, geometry: BaseGeometry) -> list[str]:
        """Names of the districts ``geometry`` intersects (its area, line or points)."""
        hits = self._tree.query(geometry, predicate="intersects")
        return [self.all[index].name for index in sorted(hits)]

    def named(self, name: str) -> District | None:
        return next((district for district in self.all if district.name == name), None)


NONE = Districts([])
_RECHECK_SECONDS = 5.0
_cache: dict[str, Any] = {}
_lock = threading.Lock()


def current() -> Districts:
    """The districts as the districts dataset holds them now (empty when it does not exist yet).

    Whether the file changed is checked at most every few seconds, so that indexing thousands of
    datasets does not ask for it thousands of times; an upload of new districts is seen at once
    by the process that received it (``forget``), by the others within ``_RECHECK_SECONDS``.
    """
    with _lock:
        if _cache and time.monotonic() - _cache["checked"] < _RECHECK_SECONDS:
            return _cache["districts"]
    found = _source()
    if found is None:
        return NONE
    name, resource, version = found
    with _lock:
        if _cache.get("version") == version:
            _cache["checked"] = time.monotonic()
            return _cache["districts"]
    try:
        districts = Districts(_parse(resources.read(resource), name))
    except (OSError, ValueError, outbound.Refused) as error:
        log.warning("Districts of %s could not be read: %s", name, error)
        return NONE
    with _lock:
        _cache.update(version=version, districts=districts, checked=time.monotonic())
    return districts


def forget() -> None:
    with _lock:
        _cache.clear()


def is_districts_dataset(package_id: str) -> bool:
    name = tk.config.get("ckanext.chemnitz.districts.dataset")
    dataset = model.Package.get(package_id)
    return bool(name) and dataset is not None and dataset.name == name


def reindex_affected() -> int:
    """Index again every dataset with a spatial extent (the districts changed); returns how many.

    Runs inside the request that uploaded the new districts (about 340 datasets/s, so seconds for a
    city's catalogue); an index entry whose dataset is gone is removed instead of failing it.
    """
    forget()
    ids = entries.ids_with_extent()
    for package_id in ids:
        try:
            search.rebuild(package_id)
        except tk.ObjectNotFound:  # an index entry of a dataset that no longer exists
            log.warning("Dataset %s is in the search index but not in the catalogue: removed", package_id)
            search.clear(package_id)
    log.info("Stadtteil facet: %d datasets indexed again after the districts changed", len(ids))
    return len(ids)


def _source() -> tuple[str, dict[str, Any], tuple[Any, ...]] | None:
    """The districts dataset's name, its WGS 84 GeoJSON resource and a version key of that file."""
    name = tk.config.get("ckanext.chemnitz.districts.dataset")
    package = model.Package.get(name) if name else None
    if package is None or package.state != "active":
        return None
    columns = ("id", "url", "url_type", "format")
    resource = resources.web_geojson([{key: getattr(r, key) for key in columns} for r in package.resources])
    if resource is None:
        return None
    stamp: Any = package.metadata_modified
    if resource["url_type"] == "upload":
        try:
            stamp = os.stat(resources.upload_path(resource["id"])).st_mtime_ns
        except OSError:
            return None
    return package.name, resource, (resource["id"], stamp)


def _parse(collection: dict[str, Any], dataset_name: str) -> list[District]:
    keys = tk.config.get("ckanext.chemnitz.districts.name_property")
    districts = []
    for feature in collection.get("features", []):
        properties = feature.get("properties") or {}
        name = next((properties[key] for key in keys if properties.get(key)), None)
        if not name or not feature.get("geometry"):
            continue
        geometry = shape(feature["geometry"])
        west, south, east, north = geometry.bounds
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise ValueError(f"{dataset_name}: district {name} is not in WGS 84 degrees")
        districts.append(District(str(name).strip(), geometry if geometry.is_valid else geometry.buffer(0)))
    return districts
