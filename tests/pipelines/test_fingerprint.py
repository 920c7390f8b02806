"""The run fingerprint: equal exactly when a new run would publish the same thing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from pipelines import config, steps

CENTRE = (12.92, 50.83)  # Chemnitz, longitude/latitude


def frame(names: list[str], shift: float = 0.0) -> gpd.GeoDataFrame:
    points = [Point(CENTRE[0] + shift + i * 0.001, CENTRE[1]) for i in range(len(names))]
    return gpd.GeoDataFrame({"NAME": names}, geometry=points, crs="EPSG:4326")


def source(tmp_path: Path, text: str) -> config.SourceConfig:
    path = tmp_path / "schulen.yaml"
    path.write_text(text, encoding="utf-8")
    return dataclasses.replace(config.load(config.SOURCES / "schulen.yaml"), path=path)


def test_same_data_and_configuration_give_the_same_fingerprint(tmp_path):
    settings = source(tmp_path, "id: schulen\n")
    assert steps.fingerprint(settings, frame(["A", "B"])) == steps.fingerprint(settings, frame(["A", "B"]))


def test_a_changed_value_position_or_row_changes_it(tmp_path):
    settings = source(tmp_path, "id: schulen\n")
    original = steps.fingerprint(settings, frame(["A", "B"]))
    assert steps.fingerprint(settings, frame(["A", "C"])) != original
    assert steps.fingerprint(settings, frame(["A", "B"], shift=0.0001)) != original
    assert steps.fingerprint(settings, frame(["A", "B", "C"])) != original
    assert steps.fingerprint(settings, frame(["B", "A"])) != original


def test_a_changed_configuration_changes_it(tmp_path):
    first = steps.fingerprint(source(tmp_path, "id: schulen\n"), frame(["A"]))
    second = steps.fingerprint(source(tmp_path, "id: schulen\n# neuer Titel\n"), frame(["A"]))
    assert first != second
