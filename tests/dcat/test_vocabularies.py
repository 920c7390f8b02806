"""What the schema offers exists in the official vocabulary files, with German labels."""

from __future__ import annotations

from pathlib import Path

import yaml

from ckanext.chemnitz.dcat import vocabularies

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "schemas" / "dataset.yaml").read_text())
FIELDS = SCHEMA["dataset_fields"] + SCHEMA["resource_fields"]


def test_static_choices_are_concepts_of_their_vocabulary():
    for field in FIELDS:
        if "vocabulary" in field and "choices" in field:
            for choice in field["choices"]:
                assert vocabularies.is_concept(field["vocabulary"], choice["value"]), choice["value"]


def test_vocabulary_fields_offer_german_labels():
    for field in FIELDS:
        if "choices_helper" in field:
            offered = vocabularies.choices(field["vocabulary"])
            assert offered, field["field_name"]
            assert all(choice["label"]["de"] and not choice["label"]["de"].startswith("http") for choice in offered)


def test_licence_register_is_the_dcat_ap_de_list_with_the_city_default():
    register = {entry["id"]: entry for entry in vocabularies.license_register()}
    assert len(register) == 34
    assert register["dl-by-de/2.0"]["url"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert register["dl-by-de/2.0"]["title"] == "Datenlizenz Deutschland Namensnennung 2.0"
    assert register["dl-zero-de/2.0"]["od_conformance"] == "approved"


def test_chemnitz_keys_are_in_the_political_geocoding_lists():
    assert vocabularies.is_concept(
        "political_geocoding", "http://dcat-ap.de/def/politicalGeocoding/regionalKey/145110000000"
    )
    assert vocabularies.is_concept("political_geocoding", "http://dcat-ap.de/def/politicalGeocoding/districtKey/14511")
    assert vocabularies.label("frequency", vocabularies.EU + "frequency/DAILY") == "täglich"
