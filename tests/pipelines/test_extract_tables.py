"""CSV/XLSX exports with the quirks of the city's real files."""

from __future__ import annotations

import csv
import io
import math
import shutil
import time

import openpyxl
import pytest

from pipelines.errors import SourceError
from pipelines.extract import tables
from pipelines.web import session
from tests.pipelines.conftest import CHEMNITZ


def read(url: str, **options):
    return tables.read_table(session(retries=0), url, timeout=5, **options)


def spherical_mercator_to_degrees(x: float, y: float) -> tuple[float, float]:
    """The closed-form inverse of Web Mercator, independent of pyproj."""
    radius = 6378137.0
    return math.degrees(x / radius), math.degrees(2 * math.atan(math.exp(y / radius)) - math.pi / 2)


def test_schools_csv_with_bom_embedded_newlines_and_leading_zeros(file_server):
    base = file_server(CHEMNITZ)
    frame = read(f"{base}/Schulen.csv", kind="csv", xy=("X", "Y"), crs="EPSG:4326")
    assert len(frame) == 139  # 144 lines, 139 records
    assert "X" in frame.columns  # the BOM did not end up in the first column name
    # "09111" stays text; the one postcode that lost its zero in the city's own export stays as it is
    assert (frame["PLZ"].str.startswith("09")).sum() == 138
    assert frame.loc[frame["BEZEICHNUNG"] == "Marianne-Brandt-Oberschule", "PLZ"].item() == "9126"
    assert frame.crs == "EPSG:4326"
    # the two cells with line breaks inside quotes (fixtures README) arrive whole
    assert sum(int(frame[column].str.contains("\n").sum()) for column in frame.columns if column != "geometry") == 2


def test_coach_parking_in_web_mercator_metres(file_server):
    frame = read(f"{file_server(CHEMNITZ)}/Parkplaetze_Reisebus.csv", kind="csv", xy=("X", "Y"), crs="EPSG:3857")
    assert len(frame) == 17
    assert frame.loc[frame["NUMMER"] == "14", "KAPAZITAET"].item() == "nach Absprache\t"  # kept as is
    wgs84 = frame.to_crs("EPSG:4326")
    row = frame.loc[frame["NUMMER"] == "3"].index[0]
    lon, lat = spherical_mercator_to_degrees(float(frame.at[row, "X"]), float(frame.at[row, "Y"]))
    assert wgs84.geometry[row].x == pytest.approx(lon, abs=1e-9)
    assert wgs84.geometry[row].y == pytest.approx(lat, abs=1e-9)
    assert 12.91 < lon < 12.93 and 50.83 < lat < 50.85  # Georgstraße, Busbahnhof, in the city centre


def test_wrongly_declared_crs_is_caught(file_server):
    with pytest.raises(SourceError, match=r"17 of 17 points outside Chemnitz .* is the declared CRS right"):
        read(f"{file_server(CHEMNITZ)}/Parkplaetze_Reisebus.csv", kind="csv", xy=("X", "Y"), crs="EPSG:4326")


def test_cp1252_semicolons_and_decimal_commas(file_server, tmp_path):
    # The same records as the city's UTF-8 export, re-saved the way German office software does.
    original = (CHEMNITZ / "Jugendberufshilfen.csv").read_text(encoding="utf-8-sig")

    rows = list(csv.reader(io.StringIO(original)))
    converted = io.StringIO()
    writer = csv.writer(converted, delimiter=";", lineterminator="\r\n")
    for number, row in enumerate(rows):
        writer.writerow(row if number == 0 else [row[0].replace(".", ","), row[1].replace(".", ","), *row[2:]])
    (tmp_path / "export.csv").write_bytes(converted.getvalue().encode("cp1252"))
    frame = read(f"{file_server(tmp_path)}/export.csv", kind="csv", decimal=",", xy=("X", "Y"), crs="EPSG:4326")
    assert len(frame) == 10
    assert "Straße Usti nad Labem 43" in frame["STRASSE"].tolist()
    assert frame.geometry.x.between(12.7, 13.1).all()


def test_xlsx_export(file_server, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active

    for row in csv.reader(io.StringIO((CHEMNITZ / "Parkplaetze_Wohnmobil.csv").read_text(encoding="utf-8-sig"))):
        sheet.append(row)
    workbook.save(tmp_path / "wohnmobil.xlsx")
    frame = read(f"{file_server(tmp_path)}/wohnmobil.xlsx", kind="xlsx", xy=("X", "Y"), crs="EPSG:3857")
    assert len(frame) == 13
    assert frame.to_crs("EPSG:4326").geometry.y.between(50.7, 50.95).all()


def test_missing_file_says_so(file_server, tmp_path):
    shutil.copy(CHEMNITZ / "Schulen.csv", tmp_path)
    with pytest.raises(SourceError, match="HTTP 404"):
        read(f"{file_server(tmp_path)}/Schulen-alt.csv", kind="csv")


def test_a_hanging_source_gives_up_after_its_timeout_with_retries(serve):
    """A source that does not answer: each attempt waits the source's timeout, then the next one
    follows with back-off; the error says what happened and how long was waited."""
    attempts = []

    def hang(request) -> None:
        attempts.append(time.monotonic())
        time.sleep(3)

    url = serve(hang) + "/Schulen.csv"
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"no answer within 1 s \(after retries\)"):
        tables.read_table(session(retries=2, backoff=0.1), url, kind="csv", timeout=1)
    assert len(attempts) == 3  # the first request and two retries
    assert time.monotonic() - started < 10
