"""A complete DCAT-AP.de dataset of the city, as an editor or the pipelines would send it."""

from __future__ import annotations

from typing import Any

EU = "http://publications.europa.eu/resource/authority/"
CHEMNITZ = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/145110000000"
# Chemnitz's extent (WGS 84), from the Stadtteile fixture's features.
CITY_BBOX = "12.79,50.74,13.05,50.92"


def school_dataset(owner_org: str, **changes: Any) -> dict[str, Any]:
    dataset = {
        "name": "schulen",
        "title": "Schulen in Chemnitz",
        "notes": "Standorte der allgemein- und berufsbildenden Schulen in Chemnitz mit Schulart und Träger.",
        "owner_org": owner_org,
        "tag_string": "Bildung,Schule",
        "theme": [EU + "data-theme/EDUC", EU + "data-theme/REGI"],
        "publisher": [
            {
                "name": "Stadt Chemnitz, Schulverwaltungsamt",
                "email": "schulverwaltungsamt@stadt-chemnitz.de",
                "url": "https://www.chemnitz.de",
                "type": "http://purl.org/adms/publishertype/LocalAuthority",
            }
        ],
        "contact": [
            {
                "name": "Schulverwaltungsamt",
                "email": "schulverwaltungsamt@stadt-chemnitz.de",
                "url": "https://www.chemnitz.de",
            }
        ],
        "license_id": "dl-by-de/2.0",
        "license_attribution_by_text": "Stadt Chemnitz",
        "spatial_coverage": [{"uri": CHEMNITZ, "text": "Chemnitz", "bbox": CITY_BBOX}],
        "political_geocoding_level_uri": "http://dcat-ap.de/def/politicalGeocoding/Level/municipality",
        "temporal_coverage": [{"start": "2024-01-01", "end": "2025-12-31"}],
        "frequency": EU + "frequency/DAILY",
        "language": [EU + "language/DEU"],
        "access_rights": EU + "access-right/PUBLIC",
        "conforms_to": ["https://www.ogc.org/standard/wfs/"],
        "legal_basis": "Sächsisches Schulgesetz",
        "maintainer": "Schulverwaltungsamt",
        "maintainer_email": "schulverwaltungsamt@stadt-chemnitz.de",
        "originator": "Stadt Chemnitz",
        "issued": "2024-03-01",
        "modified": "2025-11-20",
        "resources": [
            {
                "name": "Schulen (GeoJSON)",
                "url": "https://portal-chemnitz.opendata.arcgis.com/datasets/schulen.geojson",
                "format": "GeoJSON",
                "mimetype": "application/geo+json",
                "size": 48211,
                "hash": "9f2c1b0e5a7d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a",
                "status": EU + "distribution-status/COMPLETED",
                "availability": EU + "planned-availability/STABLE",
                "modified": "2025-11-20",
                "description": "Alle Schulstandorte als GeoJSON (WGS 84).",
            },
            {
                "name": "Schulen (CSV)",
                "url": "https://portal-chemnitz.opendata.arcgis.com/datasets/schulen.csv",
                "format": "CSV",
                "mimetype": "text/csv",
            },
        ],
    }
    dataset.update(changes)
    return dataset
