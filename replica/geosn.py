"""Samples of GeoSN's base data, derived from the city's real fixtures (``python -m replica.geosn`` writes them).

Saxony's official boundary (ALKIS ``ave:VerwaltungsEinheit``) and house coordinates cannot be copied
here, so the replicas serve samples in their schema, made only from real data of the repository
(``fixtures/geosn/README.md`` says how):

* the boundary of Chemnitz = the union of the 39 real district polygons (``Stadtteile.geojson``);
* house coordinates = the addresses of the real schools, childcare places, school social work and
  youth employment services, at their published coordinates, with the city's own street keys (the
  childcare register's ``STRSCHL``; an address on a street without a known key is left out) and
  the real district that contains each point. Parking places have no house numbers: none is in.

Every sample says so: the object ids read ``DESNBEISPIEL…``, the files' names and the README.
"""

from __future__ import annotations

import csv
import io
import json
import re

from replica.data import ALKIS_LAYERS, FIXTURES, GEOSN, ZIPPED_CSV

BOUNDARY = ALKIS_LAYERS["VerwaltungsEinheit"][0]
(ADDRESSES,) = ZIPPED_CSV.values()
CHEMNITZ_AGS = "14511000"  # amtlicher Gemeindeschlüssel: Land 14, Regierungsbezirk 5, Kreis 11, Gemeinde 000
# The columns of an HK-DE house coordinate file (AdV product "Hauskoordinaten Deutschland").
HK_COLUMNS = ["NBA", "OI", "QUA", "LAN", "RBZ", "KRS", "GMD", "OTT", "SSS", "HNR", "ADZ", "EEEEEEEE_EEE",
              "NNNNNNN_NNN", "STN", "PLZ", "ONM", "ZON", "POT", "PSN", "AND"]  # fmt: skip
ADDRESS_SOURCES = ["Schulen.csv", "Kindertageseinrichtungen.csv", "Schulsozialarbeit.csv", "Jugendberufshilfen.csv"]
HOUSE_NUMBER = re.compile(r"^(?P<street>.*\D)\s+(?P<number>\d+)\s*(?P<suffix>[a-zA-Z]?)$")


def boundary() -> dict:
    """``ave:VerwaltungsEinheit`` of Chemnitz: the union of the district polygons, in WGS 84."""
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    districts = json.loads((FIXTURES / "Stadtteile.geojson").read_text(encoding="utf-8"))["features"]
    union = unary_union([shape(feature["geometry"]).buffer(0) for feature in districts])
    properties = {
        "id": f"DE{CHEMNITZ_AGS}", "schluessel": CHEMNITZ_AGS, "name": "Chemnitz", "verwaltungsebene": "Gemeinde",
    }  # fmt: skip
    return {
        "type": "FeatureCollection",
        "name": "VerwaltungsEinheit",
        "features": [{"type": "Feature", "properties": properties, "geometry": mapping(union)}],
    }


def addresses() -> list[dict[str, str]]:
    """HK-DE rows for the addresses of the city's facility registers (sorted, one per address)."""
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    districts = [
        (shape(f["geometry"]), f["properties"])
        for f in json.loads((FIXTURES / "Stadtteile.geojson").read_text(encoding="utf-8"))["features"]
    ]
    rows = {name: _read(name) for name in ADDRESS_SOURCES}
    street_keys = {row["STRASSE"]: row["STRSCHL"].zfill(5) for row in rows["Kindertageseinrichtungen.csv"]}
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in (row for name in ADDRESS_SOURCES for row in rows[name]):
        if row.get("HAUSBEZ"):
            street, number = row["STRASSE"], row["HAUSBEZ"]
        else:
            match = HOUSE_NUMBER.match(row.get("STRASSE", "").strip())
            if not match:
                continue
            street, number = match["street"].strip(), match["number"] + match["suffix"]
        digits, suffix = re.match(r"(\d+)\s*(.*)", number).groups()
        if street not in street_keys or (street, digits, suffix) in found:
            continue
        lon, lat = float(row["X"]), float(row["Y"])
        district = next(props for polygon, props in districts if polygon.contains(Point(lon, lat)))
        east, north = (f"{metres:.3f}".replace(".", ",") for metres in to_utm.transform(lon, lat))
        found[(street, digits, suffix)] = {
            "NBA": "N", "QUA": "A", "LAN": CHEMNITZ_AGS[:2], "RBZ": CHEMNITZ_AGS[2], "KRS": CHEMNITZ_AGS[3:5],
            "GMD": CHEMNITZ_AGS[5:], "OTT": district["STADTTS"].zfill(4), "SSS": street_keys[street], "HNR": digits,
            "ADZ": suffix, "EEEEEEEE_EEE": east, "NNNNNNN_NNN": north,
            "STN": street, "PLZ": row["PLZ"], "ONM": "Chemnitz", "ZON": "", "POT": district["STADTTNAME"], "PSN": "",
            "AND": "",
        }  # fmt: skip
    ordered = [found[key] for key in sorted(found, key=lambda key: (key[0], int(key[1]), key[2]))]
    for number, row in enumerate(ordered, start=1):
        row["OI"] = f"DESNBEISPIEL{number:04d}"
    return ordered


def _read(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((FIXTURES / name).read_text(encoding="utf-8-sig"))))


def addresses_csv() -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=HK_COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(addresses())
    return text.getvalue()


def main() -> None:
    GEOSN.mkdir(exist_ok=True)
    BOUNDARY.write_text(json.dumps(boundary(), ensure_ascii=False) + "\n", encoding="utf-8")
    ADDRESSES.write_text(addresses_csv(), encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
