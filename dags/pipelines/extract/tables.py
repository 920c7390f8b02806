"""CSV and XLSX exports ("file drops") with the quirks of the city's real files.

Byte-order marks, UTF-8 or cp1252, ``,`` or ``;`` separators, line breaks inside quoted cells,
leading-zero postcodes (everything is read as text; types come later from the field mapping),
decimal commas and X/Y columns in degrees or in Web-Mercator metres (declared per source and
checked against the city's extent, so a wrong declaration fails loudly instead of placing the
city in the Atlantic). A zip holding one such file (GeoSN ships its house coordinates so) is read
as that file.
"""

from __future__ import annotations

import csv
import io
import zipfile

import geopandas as gpd
import pandas as pd
import requests
from pyproj import Transformer

from pipelines.errors import SourceError
from pipelines.web import get

# Chemnitz, generously, in WGS 84 (lon/lat): the whole city lies within.
CITY_EXTENT_WGS84 = (12.70, 50.70, 13.10, 50.95)


def read_table(
    http: requests.Session,
    url: str,
    *,
    kind: str,
    timeout: float,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    sheet: str | None = None,
    xy: tuple[str, str] | None = None,
    crs: str | None = None,
) -> pd.DataFrame | gpd.GeoDataFrame:
    content = get(http, url, timeout).content
    if kind == "xlsx":  # itself a zip
        frame = pd.read_excel(io.BytesIO(content), sheet_name=sheet or 0, dtype=str, keep_default_na=False)
    else:
        text = decode(unzipped(content, url), encoding)
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter or _sniff(text), dtype=str, keep_default_na=False, quotechar='"'
        )
    frame.columns = [str(column).strip() for column in frame.columns]
    if xy is None:
        return frame
    return with_points(frame, xy, decimal, crs or "EPSG:4326", url)


def unzipped(content: bytes, url: str) -> bytes:
    """The one file inside a zip (Saxony ships its house coordinates so), else the content itself (CSV only)."""
    if not content.startswith(b"PK\x03\x04"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1:
            names = ", ".join(info.filename for info in members) or "none"
            raise SourceError(f"{url}: a zip file must hold exactly one table, it holds: {names}")
        return archive.read(members[0])


def decode(content: bytes, encoding: str | None = None) -> str:
    """Text of a CSV file: the declared encoding, else UTF-8 (BOM or not), else cp1252."""
    if encoding:
        return content.decode(encoding).lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def _sniff(text: str) -> str:
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def with_points(frame: pd.DataFrame, xy: tuple[str, str], decimal: str, crs: str, url: str) -> gpd.GeoDataFrame:
    x_column, y_column = xy
    missing = [c for c in xy if c not in frame.columns]
    if missing:
        raise SourceError(f"{url}: coordinate column(s) {missing} not in the file (columns: {list(frame.columns)})")
    x = _numbers(frame[x_column], decimal)
    y = _numbers(frame[y_column], decimal)
    _check_extent(x, y, crs, url)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(x, y), crs=crs)


def _numbers(column: pd.Series, decimal: str) -> pd.Series:
    text = column.str.strip()
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(text.replace("", None), errors="coerce")


def _check_extent(x: pd.Series, y: pd.Series, crs: str, url: str) -> None:
    """The points must lie in Chemnitz once read in the declared CRS."""
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x.to_numpy(), y.to_numpy())
    west, south, east, north = CITY_EXTENT_WGS84
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    known = ~(pd.isna(x) | pd.isna(y)).to_numpy()
    if known.any() and inside[known].mean() < 0.9:
        raise SourceError(
            f"{url}: X/Y read as {crs} put {(~inside[known]).sum()} of {known.sum()} points outside Chemnitz "
            f"(e.g. X={x[known].iloc[0]}, Y={y[known].iloc[0]}); is the declared CRS right?"
        )
