"""``before_dataset_index``: the dataset's extent and its districts into the search document.

``spatial_bbox`` ([west, south, east, north], WGS 84) feeds the PostgreSQL backend's extent index,
which answers ``ext_bbox``; on Solr the same box goes into ckanext-spatial's field ``spatial_geom``
(an RPT field, docker/solr/conf/schema.xml), so both backends match the same boxes. ``stadtteil``
lists the districts the dataset's coverage intersects, the Stadtteil facet (``fq=stadtteil:"Kaßberg"``).
"""

from __future__ import annotations

import json
from typing import Any

from ckanext.chemnitz.search import backend
from ckanext.chemnitz.search.fields import EXTENT_FIELD, SPATIAL_FIELD
from ckanext.chemnitz.spatial import districts, extent, search

FACET = "stadtteil"


def index_document(document: dict[str, Any]) -> dict[str, Any]:
    dataset = json.loads(document.get("validated_data_dict") or "{}") or document
    geometry = extent.coverage(dataset)
    document.pop(SPATIAL_FIELD, None)
    if geometry is None:
        document.pop(EXTENT_FIELD, None)
        document[FACET] = []
        return document
    box = extent.bounds(geometry)
    document[EXTENT_FIELD] = box
    if not backend.is_active():
        document[SPATIAL_FIELD] = search.envelope(box)
    document[FACET] = districts.current().covering(geometry)
    return document
