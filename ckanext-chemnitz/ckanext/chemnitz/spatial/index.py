"""``before_dataset_index``: the dataset's extent and its districts into the search document.

``spatial_bbox`` ([west, south, east, north], WGS 84) feeds the backend's extent index, which
answers ``ext_bbox``; ``stadtteil`` lists the districts the dataset's coverage intersects, the
Stadtteil facet (``fq=stadtteil:"Kaßberg"``).
"""

from __future__ import annotations

import json
from typing import Any

from ckanext.chemnitz.search.fields import EXTENT_FIELD
from ckanext.chemnitz.spatial import districts, extent

FACET = "stadtteil"


def index_document(document: dict[str, Any]) -> dict[str, Any]:
    dataset = json.loads(document.get("validated_data_dict") or "{}") or document
    geometry = extent.coverage(dataset)
    if geometry is None:
        document.pop(EXTENT_FIELD, None)
        document[FACET] = []
        return document
    document[EXTENT_FIELD] = extent.bounds(geometry)
    document[FACET] = districts.current().covering(geometry)
    return document
