"""GeoSN's boundary (ALKIS WFS, GML) and house coordinates (zip of a ;-CSV) through the harvest's own
extract and transform on the replicas: both CRS, the licence's attribution. Publishing them is the
end-to-end harvest's part (every source of schemas/sources runs there)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer

from pipelines import config, steps


@pytest.fixture(scope="module")
def harvested(replicas, tmp_path_factory) -> dict[str, dict]:
    results = {}
    for name in ("stadtgrenze", "hauskoordinaten"):
        source = config.load(config.SOURCES / f"{name}.yaml")
        folder = tmp_path_factory.mktemp(name)
        extracted = steps.extract(source, folder)
        transformed = steps.transform(source, extracted, folder)
        files = {output["key"]: Path(output["path"]) for output in transformed["outputs"]}
        results[name] = {"source": source, "transformed": transformed, "files": files}
    return results


def test_the_boundary_of_chemnitz_arrives_in_both_crs_with_its_official_key(harvested):
    files = harvested["stadtgrenze"]["files"]
    utm = gpd.read_file(files["geojson-25833"])
    assert utm.crs.to_epsg() == 25833 and len(utm) == 1
    assert utm.iloc[0]["schluessel"] == "14511000" and utm.iloc[0]["name"] == "Chemnitz"
    assert utm.geometry.area.iloc[0] / 1e6 == pytest.approx(221.0, abs=0.5)  # Chemnitz: 220.9 km²
    wgs84 = json.loads(files["geojson"].read_text(encoding="utf-8"))
    assert "crs" not in wgs84 and wgs84["features"][0]["geometry"]["type"] == "Polygon"


def test_the_house_coordinates_are_typed_and_in_both_crs(harvested):
    files = harvested["hauskoordinaten"]["files"]
    utm = gpd.read_file(files["geojson-25833"])
    row = utm[(utm["stn"] == "Hohe Straße") & (utm["hnr"] == 35)].iloc[0]
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    school = to_utm.transform(12.911862861039, 50.8352668312807)  # Schulen.csv
    assert (row.geometry.x, row.geometry.y) == pytest.approx(school, abs=0.05)  # the Gymnasium's point, in metres
    assert (row["plz"], row["sss"], row["pot"]) == ("09112", "01315", "Kaßberg")  # codes stay text
    assert harvested["hauskoordinaten"]["transformed"]["rejected"] == 0


@pytest.mark.parametrize("name", ["stadtgrenze", "hauskoordinaten"])
def test_both_carry_geosns_licence_and_attribution(harvested, name):
    dataset = harvested[name]["source"].dataset
    assert dataset["license_id"] == "dl-by-de/2.0"
    assert dataset["license_attribution_by_text"] == "Quelle: GeoSN, dl-de/by-2-0"
