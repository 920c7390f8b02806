"""DCAT-AP.de metadata of a harvested dataset: the city's defaults, the data's extent, the config.

The portal's schema (``schemas/dataset.yaml``) requires a publisher and stores vocabulary URIs;
a source configuration only states what differs from these defaults (``dataset:`` wins).
"""

from __future__ import annotations

import json
from typing import Any

EU = "http://publications.europa.eu/resource/authority/"
CHEMNITZ = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/145110000000"
MUNICIPALITY = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
PUBLISHER = {
    "name": "Stadt Chemnitz",
    "url": "https://www.chemnitz.de",
    "type": "http://purl.org/adms/publishertype/LocalAuthority",
}
# Airflow schedule presets -> EU frequency (accrual periodicity) of the published data.
FREQUENCIES = {"@hourly": "HOURLY", "@daily": "DAILY", "@weekly": "WEEKLY", "@monthly": "MONTHLY", "@yearly": "ANNUAL"}


def bbox_polygon(bbox: list[float]) -> str:
    """[west, south, east, north] as the compact GeoJSON polygon the portal stores."""
    west, south, east, north = bbox
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def metadata(
    dataset: dict[str, Any], schedule: str | None, bbox: list[float] | None, temporal: dict[str, str] | None
) -> dict[str, Any]:
    """The dataset dict to publish: defaults, then the extent of the data, then the configuration."""
    area: dict[str, Any] = {"uri": CHEMNITZ, "text": "Chemnitz"}
    if bbox:
        area["bbox"] = bbox_polygon(bbox)
    defaults: dict[str, Any] = {
        "publisher": [PUBLISHER],
        "license_id": "dl-by-de/2.0",
        "license_attribution_by_text": "Stadt Chemnitz",
        "spatial_coverage": [area],
        "political_geocoding_level_uri": MUNICIPALITY,
        "language": [EU + "language/DEU"],
        "access_rights": EU + "access-right/PUBLIC",
    }
    if temporal:
        defaults["temporal_coverage"] = [{"start": str(temporal["start"])[:10], "end": str(temporal["end"])[:10]}]
    if schedule in FREQUENCIES:
        defaults["frequency"] = EU + "frequency/" + FREQUENCIES[schedule]
    return {**defaults, **dataset}
