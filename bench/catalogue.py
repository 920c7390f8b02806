"""A synthetic but realistic catalogue for benchmarks: German titles, descriptions and tags.

Place names are Chemnitz's 39 real districts (``Stadtteile.geojson`` of the fixtures the replicas serve); the
topics, descriptions and departments are made up in the style of a German city's open data
portal. Generation is deterministic for a given seed, so runs are comparable.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from replica.data import FIXTURES

ORGANIZATIONS = [
    ("amt-fuer-jugend-und-familie", "Amt für Jugend und Familie"),
    ("schulverwaltungsamt", "Schulverwaltungsamt"),
    ("vermessungsamt", "Städtisches Vermessungsamt"),
    ("tiefbauamt", "Tiefbauamt"),
    ("umweltamt", "Umweltamt"),
    ("gruenflaechenamt", "Grünflächenamt"),
    ("stadtplanungsamt", "Stadtplanungsamt"),
    ("buergeramt", "Bürgeramt"),
]

TOPICS = [
    "Schulen", "Kindertageseinrichtungen", "Kitas", "Spielplätze", "Parkplätze", "Parkhäuser",
    "Parkscheinautomaten", "Haltestellen", "Radwege", "Baustellen", "Straßenbäume", "Grünflächen",
    "Wahllokale", "Wahlergebnisse", "Bevölkerung", "Einwohner nach Altersgruppen", "Luftqualität",
    "Lärmkartierung", "Hochwassergefahrenkarte", "Bebauungspläne", "Denkmale", "Sportstätten",
    "Schwimmhallen", "Bibliotheken", "Jugendclubs", "Schulsozialarbeit", "Gewerbeflächen",
    "Ladesäulen für Elektrofahrzeuge", "Fahrradabstellanlagen", "Unfallstatistik",
    "Straßenverzeichnis", "Hausnummern", "Friedhöfe", "Wochenmärkte", "Trinkwasserbrunnen",
]  # fmt: skip

SENTENCES = [
    "Der Datensatz enthält {topic} im Stadtteil {place} mit Adresse und Lage.",
    "Die Daten werden vom {org} gepflegt und regelmäßig aktualisiert.",
    "Grundlage sind die Fachverfahren der Stadtverwaltung Chemnitz.",
    "Koordinaten liegen in ETRS89 / UTM Zone 33N und WGS 84 vor.",
    "Für die Weiterverwendung gilt die Datenlizenz Deutschland – Namensnennung – Version 2.0.",
    "Die Angaben beziehen sich auf den Stand {year}.",
    "Änderungen gegenüber dem Vorjahr sind in der Spalte Bemerkung vermerkt.",
    "Fragen zum Datensatz beantwortet das Open-Data-Team der Stadt Chemnitz.",
]

TAGS = [
    "Bildung", "Familie", "Verkehr", "Mobilität", "Umwelt", "Stadtplanung", "Geodaten", "Statistik",
    "Parken", "Soziales", "Sport", "Kultur", "Wirtschaft", "Energie", "Gesundheit", "Wahlen",
    "Infrastruktur", "Klima", "Freizeit", "Verwaltung",
]  # fmt: skip

FORMATS = [("CSV", 30), ("GeoJSON", 20), ("JSON", 10), ("XLSX", 10), ("PDF", 10), ("WFS", 8),
           ("WMS", 6), ("SHP", 6)]  # fmt: skip
# dcat-ap.de licence identifiers (the portal's licence list), the city's default most often.
LICENSES = [("dl-by-de/2.0", 60), ("dl-zero-de/2.0", 20), ("cc-by/4.0", 15), ("cc-zero", 5)]
MEDIA_TYPES = {
    "CSV": "text/csv",
    "GeoJSON": "application/geo+json",
    "JSON": "application/json",
    "PDF": "application/pdf",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EU = "http://publications.europa.eu/resource/authority/"
THEMES = ["EDUC", "TRAN", "ENVI", "REGI", "SOCI", "GOVE", "ECON", "HEAL", "ENER", "TECH"]
FREQUENCIES = ["DAILY", "WEEKLY", "MONTHLY", "ANNUAL", "IRREG"]
CHEMNITZ = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/145110000000"
CITY_BOX = [12.79, 50.74, 13.05, 50.92]


@dataclass
class Catalogue:
    organizations: list[dict] = field(default_factory=list)
    packages: list[dict] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    package_tags: list[dict] = field(default_factory=list)


def districts() -> list[str]:
    return sorted(district_boxes())


def district_boxes() -> dict[str, list[float]]:
    """Each district of the Stadtteile fixture with its bounding box [west, south, east, north]."""
    boxes = {}
    for feature in json.loads((FIXTURES / "Stadtteile.geojson").read_text(encoding="utf-8"))["features"]:
        ring = [position for polygon in _polygons(feature["geometry"]) for position in polygon[0]]
        longitudes, latitudes = [p[0] for p in ring], [p[1] for p in ring]
        boxes[feature["properties"]["STADTTNAME"]] = [min(longitudes), min(latitudes), max(longitudes), max(latitudes)]
    return boxes


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def generate(count: int, seed: int = 2026) -> Catalogue:
    """``count`` datasets with 1–5 resources and 2–6 tags each, spread over 8 organizations."""
    rng = random.Random(seed)
    boxes = district_boxes()
    places = sorted(boxes)
    now = dt.datetime(2026, 11, 1)
    catalogue = Catalogue()
    for name, title in ORGANIZATIONS:
        catalogue.organizations.append({"id": _uuid(rng), "name": name, "title": title})
    tag_ids = {tag: _uuid(rng) for tag in TAGS}
    catalogue.tags = [{"id": tag_id, "name": tag} for tag, tag_id in tag_ids.items()]
    formats, weights = zip(*FORMATS, strict=True)
    licences, licence_weights = zip(*LICENSES, strict=True)

    for number in range(count):
        topic, place = rng.choice(TOPICS), rng.choice(places)
        year = rng.randint(2015, 2026)
        organization = rng.choice(catalogue.organizations)
        modified = now - dt.timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
        package_id = _uuid(rng)
        sentences = rng.sample(SENTENCES, rng.randint(2, 4))
        catalogue.packages.append(
            {
                "id": package_id,
                "name": f"datensatz-{number:05d}",
                "title": f"{topic} {place} {year}",
                "notes": " ".join(
                    s.format(topic=topic, place=place, org=organization["title"], year=year) for s in sentences
                ),
                "license_id": rng.choices(licences, licence_weights)[0],
                "owner_org": organization["id"],
                "type": "dataset",
                "state": "active",
                "private": rng.random() < 0.05,
                "metadata_created": modified - dt.timedelta(days=rng.randint(0, 400)),
                "metadata_modified": modified,
                # A third covers the whole city, the rest the district named in the title.
                "extras": _dcat_extras(
                    rng,
                    organization["title"],
                    year,
                    modified,
                    ("Chemnitz", CITY_BOX) if rng.random() < 0.33 else (place, boxes[place]),
                ),
            }
        )
        for position in range(rng.randint(1, 5)):
            file_format = rng.choices(formats, weights)[0]
            catalogue.resources.append(
                {
                    "id": _uuid(rng),
                    "package_id": package_id,
                    "url": f"https://opendata.chemnitz.de/daten/{number:05d}/{position}.{file_format.lower()}",
                    "format": file_format,
                    "mimetype": MEDIA_TYPES.get(file_format),
                    "size": rng.randint(2_000, 20_000_000),
                    "extras": {"status": EU + "distribution-status/COMPLETED"},
                    "name": f"{topic} {place} ({file_format})",
                    "description": f"{topic} im Stadtteil {place} als {file_format}",
                    "position": position,
                    "state": "active",
                    "created": modified,
                    "metadata_modified": modified,
                }
            )
        for tag in rng.sample(TAGS, rng.randint(2, 6)):
            catalogue.package_tags.append(
                {"id": _uuid(rng), "package_id": package_id, "tag_id": tag_ids[tag], "state": "active"}
            )
    return catalogue


def _dcat_extras(
    rng: random.Random, department: str, year: int, modified: dt.datetime, area: tuple[str, list[float]]
) -> dict[str, str]:
    """The DCAT-AP.de fields of ``schemas/dataset.yaml`` as CKAN stores them (package extras)."""
    email = "opendata@stadt-chemnitz.de"
    return {
        "theme": json.dumps([EU + "data-theme/" + t for t in rng.sample(THEMES, rng.randint(1, 2))]),
        "publisher": json.dumps([{"name": f"Stadt Chemnitz, {department}", "email": email,
                                  "url": "https://www.chemnitz.de",
                                  "type": "http://purl.org/adms/publishertype/LocalAuthority"}]),
        "contact": json.dumps([{"name": department, "email": email, "url": "https://www.chemnitz.de"}]),
        "spatial_coverage": json.dumps([{"uri": CHEMNITZ, "text": area[0], "bbox": _box_polygon(area[1])}]),
        "temporal_coverage": json.dumps([{"start": f"{year}-01-01", "end": f"{year}-12-31"}]),
        "frequency": EU + "frequency/" + rng.choice(FREQUENCIES),
        "language": json.dumps([EU + "language/DEU"]),
        "access_rights": EU + "access-right/PUBLIC",
        "license_attribution_by_text": "Stadt Chemnitz",
        "issued": f"{year}-03-01",
        "modified": modified.date().isoformat(),
    }  # fmt: skip


def _box_polygon(box: list[float]) -> str:
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def sample_words() -> Iterator[str]:
    """German inflected words a visitor types; each matches some generated titles."""
    yield from ("Schule", "Kita", "Parkplatz", "Baustelle", "Wahlergebnis", "Spielplatz")
