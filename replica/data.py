"""What the replicas serve: the real fixture files of ``replica/fixtures``, prepared per protocol.

Nothing is edited: the ArcGIS replica gets copies with a Koop ``metadata`` member (layer name and
a small ``maxRecordCount``, so clients really page), the file server gets the CSV files byte for
byte plus one XLSX made from a CSV (the city offers XLSX downloads; no XLSX export is among the
fixtures, so this one is derived and says so in its document properties).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
# The city's data and recorded reference answers, copied into the repository with their provenance
# and licence (replica/fixtures/README.md).
FIXTURES_ROOT = Path(__file__).resolve().parent / "fixtures"
FIXTURES = FIXTURES_ROOT / "chemnitz"
# Samples of GeoSN's base data in its schemas, derived from the city's fixtures (replica/geosn.py).
GEOSN = FIXTURES_ROOT / "geosn"

# The city's ArcGIS Hub service names (fixtures README) and the fixture behind each.
ARCGIS_LAYERS = {
    "Schulen_OpenData": "Schulen.geojson",
    "Kindertageseinrichtungen_Sicht": "Kindertageseinrichtungen.geojson",
    "Schulsozialarbeit_FL_1": "Schulsozialarbeit.geojson",
    "Jugendberufshilfen_FL_1": "Jugendberufshilfen.geojson",
    "Stadtteile_FL_1": "Stadtteile.geojson",
}
ARCGIS_MAX_RECORDS = 50
WFS_LAYERS = {  # feature type -> (fixture, geometry type)
    "Schulen": ("Schulen.geojson", "POINT"),
    "Kindertageseinrichtungen": ("Kindertageseinrichtungen.geojson", "POINT"),
    "Stadtteile": ("Stadtteile.geojson", "POLYGON"),
}
# GeoSN's simplified ALKIS WFS (its path on geodienste.sachsen.de): feature type -> (sample, geometry type)
ALKIS_PATH = "/aaa/public_alkis/vereinf/wfs"
ALKIS_LAYERS = {"VerwaltungsEinheit": (GEOSN / "VerwaltungsEinheit_Chemnitz_Beispiel.geojson", "POLYGON")}
# GeoSN's house coordinates come as a zip of one CSV file: zip served -> sample inside.
ZIPPED_CSV = {"hauskoordinaten_chemnitz_beispiel.zip": GEOSN / "Hauskoordinaten_Chemnitz_Beispiel.csv"}
CSV_FILES = [
    "Schulen.csv",
    "Kindertageseinrichtungen.csv",
    "Schulsozialarbeit.csv",
    "Jugendberufshilfen.csv",
    "Parkplaetze_Reisebus.csv",
    "Parkplaetze_Wohnmobil.csv",
]
XLSX_FROM_CSV = {"Parkplaetze_Wohnmobil.xlsx": "Parkplaetze_Wohnmobil.csv"}


def prepare(work: Path) -> dict[str, Path]:
    """Write the served files below ``work``; return the folder of each replica."""
    folders = {name: work / name for name in ("arcgis", "files")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for service, fixture in ARCGIS_LAYERS.items():
        collection = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
        collection["metadata"] = {
            "name": service,
            "description": f"Replikat von {service} (Stadt Chemnitz, dl-de/by-2-0)",
            "maxRecordCount": ARCGIS_MAX_RECORDS,
            "idField": "OBJECTID",
        }
        _write_if_changed(folders["arcgis"] / f"{service}.geojson", json.dumps(collection, ensure_ascii=False).encode())
    for name in CSV_FILES:
        target = folders["files"] / name
        if not target.exists() or target.read_bytes() != (FIXTURES / name).read_bytes():
            shutil.copyfile(FIXTURES / name, target)
    for archive, member in ZIPPED_CSV.items():
        _write_if_changed(folders["files"] / archive, _zipped(member))
    for xlsx, source in XLSX_FROM_CSV.items():
        target = folders["files"] / xlsx
        if not target.exists():
            _csv_to_xlsx(FIXTURES / source, target)
    return folders


def _write_if_changed(path: Path, content: bytes) -> None:
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)


def _zipped(member: Path) -> bytes:
    """A zip of one file with a fixed time stamp: the same bytes (and ETag) on every start."""
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(member.name, date_time=(2026, 1, 1, 0, 0, 0)), member.read_bytes())
    return content.getvalue()


def _csv_to_xlsx(source: Path, target: Path) -> None:
    import openpyxl  # here: the CKAN environment runs the WFS replica (tests/previews) without openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = source.stem
    for row in csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))):
        sheet.append(row)
    workbook.properties.title = source.stem
    workbook.properties.description = f"Derived by the replica from the city's CSV export {source.name}."
    workbook.save(target)
