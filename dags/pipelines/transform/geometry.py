"""Geometries: repaired or rejected, reprojected with pyproj (through geopandas), summarised."""

from __future__ import annotations

import geopandas as gpd
import shapely

from pipelines.transform.types import Rejections

WGS84 = "EPSG:4326"
ETRS89_UTM33 = "EPSG:25833"


def repair(frame: gpd.GeoDataFrame, rejections: Rejections) -> tuple[gpd.GeoDataFrame, int]:
    """Features with a usable geometry; invalid ones made valid (counted), empty ones rejected."""
    geometries = frame.geometry
    missing = geometries.isna() | geometries.is_empty
    for index in frame.index[missing]:
        rejections.add(index, "has no geometry")
    frame = frame.loc[~missing].copy()
    invalid = ~frame.geometry.is_valid
    repaired = int(invalid.sum())
    if repaired:
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.loc[invalid, "geometry"].to_numpy())
        still_empty = frame.geometry.is_empty
        for index in frame.index[still_empty]:
            rejections.add(index, "geometry is invalid and cannot be repaired")
        frame = frame.loc[~still_empty]
    return frame, repaired


def reproject(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    return frame if frame.crs == crs else frame.to_crs(crs)


def bounding_box(frame: gpd.GeoDataFrame) -> list[float]:
    """[west, south, east, north] of all features, in the frame's CRS."""
    west, south, east, north = frame.total_bounds
    return [round(float(v), 7) for v in (west, south, east, north)]
