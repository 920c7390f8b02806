"""Geometries: repaired or rejected, reprojected with pyproj, summarised.

Point layers (most of the city's sources) are reprojected as coordinate arrays: building a new
shapely point per feature costs more than the coordinate transform itself, and the distributions
and the table only need the numbers. Other geometries go through ``shapely.transform``. Both use
one pyproj transformer per pair of CRSs and worker, which takes milliseconds to set up.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pyproj
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


def all_points(frame: gpd.GeoDataFrame) -> bool:
    """Whether every feature is one non-empty 2D point (what ``point_coordinates`` needs)."""
    geometries = frame.geometry.to_numpy()
    return bool(len(geometries)) and bool(
        (shapely.get_type_id(geometries) == shapely.GeometryType.POINT).all()
        and not (shapely.is_empty(geometries) | shapely.has_z(geometries)).any()
    )


def point_coordinates(frame: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """The points' x/y (lon/lat for WGS 84) in ``crs`` as an n×2 array, in the frame's row order."""
    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    if _same_crs(frame, crs):
        return xy
    return _move(xy, _transformer(_source(frame), crs))


def reproject(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """The frame with its geometries in ``crs`` (any geometry type; heights kept where given)."""
    if _same_crs(frame, crs):
        return frame
    move = functools.partial(_move, transformer=_transformer(_source(frame), crs))
    geometries = frame.geometry.to_numpy()
    moved = geometries.copy()
    raised = shapely.has_z(geometries)
    moved[~raised] = shapely.transform(geometries[~raised], move)
    moved[raised] = shapely.transform(geometries[raised], move, include_z=True)
    return frame.set_geometry(gpd.array.from_shapely(moved, crs=_crs(crs)))


def centroid_coordinates(frame: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """Each geometry's centroid in ``crs`` as an n×2 array, computed in ETRS89 / UTM 33N.

    The centroid is taken in the city's official projected system (metres, nearly true to area
    over Chemnitz), not in degrees.
    """
    planar = reproject(frame, ETRS89_UTM33).geometry.to_numpy()
    return point_coordinates(gpd.GeoDataFrame(geometry=shapely.centroid(planar), crs=ETRS89_UTM33), crs)


def bounding_box(frame: gpd.GeoDataFrame) -> list[float]:
    """[west, south, east, north] of all features in WGS 84, as a dataset's spatial coverage."""
    if all_points(frame):
        xy = point_coordinates(frame, WGS84)
        bounds = np.concatenate([xy.min(axis=0), xy.max(axis=0)])
    else:
        bounds = reproject(frame, WGS84).total_bounds
    return [round(float(v), 7) for v in bounds]


def _move(coordinates: np.ndarray, transformer: pyproj.Transformer) -> np.ndarray:
    """x/y (and z, when given) columns through the transformer, as the same n×2 or n×3 array shape."""
    return np.column_stack(transformer.transform(*coordinates.T))


def _source(frame: gpd.GeoDataFrame) -> str:
    if frame.crs is None:
        raise ValueError("the features have no coordinate reference system to reproject from")
    return frame.crs.srs


def _same_crs(frame: gpd.GeoDataFrame, crs: str) -> bool:
    return frame.crs is not None and frame.crs == _crs(crs)


@functools.cache
def _crs(code: str) -> pyproj.CRS:
    return pyproj.CRS.from_user_input(code)


@functools.cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(_crs(source), _crs(target), always_xy=True)
