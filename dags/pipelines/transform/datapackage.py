"""What the CSV's columns are, published beside it: a Frictionless Data Package and a GDAL ``.csvt``.

A CSV file carries no types: GDAL, pandas or a spreadsheet guess them, and a postcode ``09111``
or a district number ``01`` becomes the number 9111 or 1. Two small files say what each column is:

* ``datapackage.json`` — a Frictionless Data Package (v1) whose Table Schema gives each column's
  name, German title and description, type and format and the key; its one resource is the CSV
  at its download address in the portal, so ``frictionless validate`` checks the published file
  and ``frictionless``/pandas read it with the right types.
* ``data.csvt`` — one line of GDAL column types; saved beside ``data.csv`` (as the download is
  named), GDAL, ogr2ogr and QGIS read the CSV with these types instead of guessing.

Both are written byte-for-byte reproducibly, so an unchanged dataset uploads neither again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.config import Field
from pipelines.transform.files import Output, file_output

# Source configuration types as Table Schema types and as GDAL CSV types (the DataStore has
# int8 for integers, so GDAL gets Integer64 as well).
FRICTIONLESS_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}
GDAL_TYPES = {
    "string": "String",
    "integer": "Integer64",
    "number": "Real",
    "boolean": "Integer(Boolean)",
    "date": "Date",
    "datetime": "DateTime",
}
# The columns ``files.tabular`` adds: German title and description.
COORDINATES = {
    "lon": ("Längengrad (WGS 84)", "Geografische Länge des Punkts in Grad (WGS 84, EPSG:4326), 7 Nachkommastellen."),
    "lat": ("Breitengrad (WGS 84)", "Geografische Breite des Punkts in Grad (WGS 84, EPSG:4326), 7 Nachkommastellen."),
    "centroid_lon": (
        "Längengrad des Schwerpunkts (WGS 84)",
        "Geografische Länge des Schwerpunkts (Zentroid) der Fläche in Grad (WGS 84, EPSG:4326), in ETRS89 / UTM 33N "
        "berechnet; die Umrisse stehen in den GeoJSON-Dateien.",
    ),
    "centroid_lat": (
        "Breitengrad des Schwerpunkts (WGS 84)",
        "Geografische Breite des Schwerpunkts (Zentroid) der Fläche in Grad (WGS 84, EPSG:4326), in ETRS89 / UTM 33N "
        "berechnet; die Umrisse stehen in den GeoJSON-Dateien.",
    ),
}
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}


@dataclass(frozen=True)
class Column:
    """One column of the published CSV (and of the DataStore table)."""

    name: str
    type: str  # a source configuration type: string, integer, number, boolean, date, datetime
    title: str
    description: str


def columns(fields: Iterable[Field], coordinates: Iterable[str] = ()) -> list[Column]:
    """The CSV's columns in their order: the published fields, then the coordinates the transform adds."""
    described = [Column(f.name, f.type, f.title or f.name, f.description or "") for f in fields]
    return described + [Column(name, "number", *COORDINATES[name]) for name in coordinates]


def csvt(table: Sequence[Column]) -> str:
    """The GDAL ``.csvt`` line: one quoted type per column, in the CSV's order."""
    return ",".join(f'"{GDAL_TYPES[column.type]}"' for column in table) + "\n"


def descriptor(dataset: dict[str, Any], table: Sequence[Column], key: str | None, csv_url: str) -> dict[str, Any]:
    """The Data Package (v1, tabular) of the dataset: its CSV at ``csv_url`` with a Table Schema."""
    schema: dict[str, Any] = {"fields": [_field(column, column.name == key) for column in table], "missingValues": [""]}
    if key:
        schema["primaryKey"] = [key]
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": dataset["name"],
        "title": dataset["title"],
        "description": " ".join(str(dataset.get("notes", "")).split()),
    }
    if dataset.get("license_id"):
        package["licenses"] = [{"name": dataset["license_id"]}]
    package["resources"] = [
        {
            "profile": "tabular-data-resource",
            "name": "data",
            "title": f"{dataset['title']} (CSV)",
            "path": csv_url,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": CSV_DIALECT,
            "schema": schema,
        }
    ]
    return package


def _field(column: Column, is_key: bool) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "title": column.title}
    if column.description:
        field["description"] = " ".join(column.description.split())
    field |= {"type": FRICTIONLESS_TYPES[column.type], "format": "default"}
    if column.type == "boolean":  # as files._csv_value writes them
        field |= {"trueValues": ["true"], "falseValues": ["false"]}
    if is_key:
        field["constraints"] = {"required": True, "unique": True}
    return field


def write(
    dataset: dict[str, Any], table: Sequence[Column], key: str | None, csv_url: str, directory: Path
) -> list[Output]:
    """``data.csvt`` and ``datapackage.json`` in ``directory``, as distributions of the dataset."""
    title = dataset["title"]
    csvt_path = directory / "data.csvt"
    csvt_path.write_text(csvt(table), encoding="utf-8")
    package_path = directory / "datapackage.json"
    text = json.dumps(descriptor(dataset, table, key, csv_url), ensure_ascii=False, indent=2) + "\n"
    package_path.write_text(text, encoding="utf-8")
    csvt_name = f"{title} (Spaltentypen für GDAL und QGIS, CSVT)"
    package_name = f"{title} (Datenpaket mit Tabellenschema, Frictionless)"
    return [
        file_output("csvt", csvt_path, csvt_name, CSVT_DESCRIPTION, "TXT", "text/plain"),
        file_output("datapackage", package_path, package_name, DATAPACKAGE_DESCRIPTION, "JSON", "application/json"),
    ]


CSVT_DESCRIPTION = (
    "Spaltentypen der CSV-Datei für GDAL/OGR und QGIS (eine Zeile, z. B. String, Integer64, Real, Date, DateTime). "
    "Unter dem Namen data.csvt neben der CSV-Datei data.csv gespeichert, liest GDAL jede Spalte mit ihrem Typ: "
    "Postleitzahlen und Nummern mit führenden Nullen bleiben Text, Zahlen werden Zahlen."
)
DATAPACKAGE_DESCRIPTION = (
    "Beschreibung der CSV-Datei als Frictionless Data Package (Version 1) mit Table Schema: jede Spalte mit Name, "
    "deutschem Titel, Beschreibung und Datentyp, dazu der Schlüssel. Verweist auf die CSV-Datei im Portal; "
    "„frictionless validate“ prüft sie damit, frictionless und pandas lesen sie mit den richtigen Typen "
    "(Postleitzahlen und Nummern mit führenden Nullen als Text)."
)
