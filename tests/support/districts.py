"""The city's real district polygons, published as the portal's districts dataset (``stadtteile``) for
tests that search by place (``ext_district``, the Stadtteil facet)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.tests.helpers as helpers

from tests.dcat.examples import school_dataset

DISTRICTS = Path(__file__).resolve().parents[2] / "replica" / "fixtures" / "chemnitz" / "Stadtteile.geojson"


def publish_districts(organization_id: str, create_with_upload: Callable[..., Any]) -> dict[str, Any]:
    """Publish the districts like any harvested dataset (without a spatial coverage of its own, so that
    it does not appear in every place search); returns the dataset."""
    dataset = helpers.call_action("package_create", **school_dataset(
        organization_id, name="stadtteile", title="Stadtteile", resources=[], spatial_coverage=[]))  # fmt: skip
    create_with_upload(DISTRICTS.read_bytes(), "stadtteile.geojson", package_id=dataset["id"], format="GeoJSON",
                       name="Stadtteile (GeoJSON)")  # fmt: skip
    return dataset
