"""OGC WFS 2.0 feature types (the city's and Saxony's GeoSN services, ETRS89 / UTM 33N).

Pages with ``COUNT``/``STARTINDEX`` until a page comes back short or ``numberMatched`` is reached.
Coordinates are requested in the configured CRS as ``urn:ogc:def:crs:EPSG::<code>``, whose axis
order is the authority's (north/east for EPSG:4326, east/north for EPSG:25833); GDAL reads GML
with that convention and the result is normalised to x/y (longitude/easting first).
"""

from __future__ import annotations

import io
import re

import geopandas as gpd
import pandas as pd
import pyogrio
import requests

from pipelines.errors import SourceError
from pipelines.web import get

_NUMBER_MATCHED = re.compile(rb'numberMatched="(\d+)"')
# Columns GDAL makes of the GML encoding, not attributes of the source: each feature's gml:id
# (the server's "<type>.<id>") and, when the server's schema cannot be fetched, the corners of
# each feature's gml:boundedBy envelope.
_GML_ENCODING = ("gml_id", "boundedBy", "lowerCorner", "upperCorner")


def read_feature_type(
    http: requests.Session, url: str, type_name: str, crs: str, page_size: int, timeout: float
) -> gpd.GeoDataFrame:
    """All features of ``type_name``, as a GeoDataFrame in ``crs`` (an ``EPSG:<code>`` string)."""
    code = crs.split(":", 1)[1]
    pages: list[gpd.GeoDataFrame] = []
    start, matched = 0, None
    while matched is None or start < matched:
        response = get(
            http, url, timeout, SERVICE="WFS", VERSION="2.0.0", REQUEST="GetFeature", TYPENAMES=type_name,
            SRSNAME=f"urn:ogc:def:crs:EPSG::{code}", COUNT=page_size, STARTINDEX=start,
        )  # fmt: skip
        content = response.content
        if b"ExceptionReport" in content[:2000]:
            raise SourceError(f"{response.url}: WFS exception: {_exception_text(content)}")
        found = _NUMBER_MATCHED.search(content[:2000])
        if found:
            matched = int(found.group(1))
        page = _read_gml(content, response.url, crs)
        pages.append(page)
        start += len(page)
        if len(page) < page_size:
            break
    if matched is not None and start != matched:
        raise SourceError(f"{url}: numberMatched is {matched} but paging returned {start} features")
    frame = pd.concat(pages, ignore_index=True) if pages else gpd.GeoDataFrame(geometry=[], crs=crs)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)


def _read_gml(content: bytes, url: str, crs: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(io.BytesIO(content), engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as error:
        raise SourceError(f"{url}: not a readable GML feature collection ({error})") from None
    frame = frame.drop(columns=list(_GML_ENCODING), errors="ignore")
    if frame.crs is None:
        frame = frame.set_crs(crs)
    return frame.to_crs(crs) if frame.crs and frame.crs != crs else frame


def _exception_text(content: bytes) -> str:
    match = re.search(rb"<(?:\w+:)?ExceptionText>(.*?)</", content, re.S)
    return (match.group(1) if match else content[:200]).decode("utf-8", "replace").strip()
