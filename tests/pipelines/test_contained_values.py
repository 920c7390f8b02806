"""The values of categorical columns that the dataset page lists and search finds ("Enthaltene Werte")."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from pipelines import config
from pipelines.config import Field
from pipelines.transform.types import Rejections, normalise
from pipelines.transform.values import contained_values
from tests.pipelines.conftest import CHEMNITZ

SCHOOL_TYPES = [
    "Berufsbildende Schule",
    "Förderschule",
    "Grundschule",
    "Gymnasium",
    "Oberschule",
    "Schule des zweiten Bildungsweges",
    "Sonstige Einrichtung",
]


def typed(source: str, fixture: str) -> tuple[config.SourceConfig, pd.DataFrame]:
    source_config = config.load(config.SOURCES / f"{source}.yaml")
    return source_config, normalise(gpd.read_file(CHEMNITZ / fixture), source_config.fields, Rejections())


def test_the_schools_list_their_school_types_and_operators():
    schools, frame = typed("schulen", "Schulen.geojson")
    assert contained_values(frame, schools.fields, schools.contained_values) == [
        {"field": "art", "title": "Schulart", "values": SCHOOL_TYPES},
        {"field": "traeger", "title": "Träger", "values": ["Frei", "Kommunal", "Land Sachsen"]},
    ]


def test_the_default_rule_takes_categories_and_leaves_names_addresses_codes_and_free_text():
    schools, frame = typed("schulen", "Schulen.geojson")
    chosen = {entry["field"]: entry["values"] for entry in contained_values(frame, schools.fields)}
    # Names, streets, phone numbers (one per school), the place (one value), postcodes and the
    # location type (codes without letters), the sparse free-text remarks: none of them.
    assert chosen == {"art": SCHOOL_TYPES, "traeger": ["Frei", "Kommunal", "Land Sachsen"]}


def test_a_configured_column_with_more_values_than_the_default_allows_is_listed():
    childcare, frame = typed("kindertageseinrichtungen", "Kindertageseinrichtungen.geojson")
    assert contained_values(frame, childcare.fields) == []
    [operators] = contained_values(frame, childcare.fields, childcare.contained_values)
    assert operators["title"] == "Träger"
    assert len(operators["values"]) == 38
    assert "Volkssolidarität Stadtverband Chemnitz e. V." in operators["values"]


def test_values_are_cleaned_and_sorted_as_in_a_german_index():
    fields = (Field("TRAEGER", "traeger", "string", "Träger"),)
    frame = pd.DataFrame({"traeger": ["Übersee e. V.", "Ahorn  e. V. ", "Zeder", None, "ahorn e. V.", "Zeder"]})
    [entry] = contained_values(frame, fields, ("TRAEGER",))
    assert entry["values"] == ["Ahorn e. V.", "ahorn e. V.", "Übersee e. V.", "Zeder"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("[GlobalID]", "'GlobalID' is not a published text field"),
        ("[TYP]", "'TYP' is not a published text field"),
    ],
)
def test_the_configuration_names_only_published_text_fields(tmp_path, spec, message):
    text = (config.SOURCES / "schulen.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "schulen.yaml"
    broken.write_text(text.replace("contained_values: [ART, TRAEGER]", f"contained_values: {spec}"), encoding="utf-8")
    with pytest.raises(config.SourceConfigError, match=f"field 'contained_values': {message}"):
        config.load(broken)
