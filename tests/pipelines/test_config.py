"""Source configurations: the real ones load; a broken one names its file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines import config

VALID = {
    "id": "beispiel",
    "organization": "tiefbauamt",
    "schedule": "@daily",
    "source": {
        "type": "csv",
        "endpoints": {"replica": "http://127.0.0.1:8083/a.csv", "city": "https://x.de/a.csv"},
    },
    "crs": "EPSG:4326",
    "key": "nummer",
    "fields": {"NUMMER": {"type": "integer"}},
    "dataset": {"name": "beispiel", "title": "Beispiel", "notes": "Ein Beispiel."},
}


def write(tmp_path: Path, document: dict, name: str = "beispiel") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("path", config.all_paths(), ids=lambda p: p.stem)
def test_every_source_configuration_of_the_repository_is_valid(path):
    source = config.load(path)
    assert source.dag_id == f"harvest_{path.stem}"
    assert source.url.startswith("http://127.0.0.1")  # the replica unless switched


def test_endpoint_switch(tmp_path, monkeypatch):
    document = dict(VALID, source=dict(VALID["source"], use="city"))
    assert config.load(write(tmp_path, document)).url == "https://x.de/a.csv"
    monkeypatch.setenv(config.ENDPOINT_OVERRIDE, "replica")
    assert config.load(write(tmp_path, document)).url == "http://127.0.0.1:8083/a.csv"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"crs": None}, "crs"),
        ({"crs": "WGS84"}, "crs"),
        ({"source": {"type": "ftp", "endpoints": VALID["source"]["endpoints"]}}, "source.type"),
        ({"source": {"type": "wfs", "endpoints": VALID["source"]["endpoints"]}}, "source.layer"),
        ({"fields": {"NUMMER": {"type": "zahl"}}}, "fields.NUMMER.type"),
        ({"dataset": {"name": "Beispiel!", "title": "B", "notes": "N"}}, "dataset.name"),
        ({"schedulle": "@daily"}, "schedulle"),
        ({"key": None}, "key"),
    ],
)
def test_broken_configuration_names_file_and_field(tmp_path, change, field):
    document = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    path = write(tmp_path, document)
    with pytest.raises(config.SourceConfigError) as raised:
        config.load(path)
    assert str(path) in str(raised.value)
    assert f"field '{field}'" in str(raised.value)


def test_id_must_match_the_file_name(tmp_path):
    with pytest.raises(config.SourceConfigError, match="field 'id': must equal the file name"):
        config.load(write(tmp_path, VALID, name="anders"))


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "kaputt.yaml"
    path.write_text("id: kaputt\nsource: [unclosed\n", encoding="utf-8")
    with pytest.raises(config.SourceConfigError, match="not valid YAML"):
        config.load(path)


def test_a_withheld_attribute_needs_a_reason(tmp_path):
    document = dict(VALID, withheld={"Editor": {}})
    with pytest.raises(config.SourceConfigError, match=r"field 'withheld\.Editor\.reason'"):
        config.load(write(tmp_path, document))
    document = dict(VALID, withheld={"Editor": {"reason": "Personenbezogene Daten (Kontoname)."}})
    assert config.load(write(tmp_path, document)).withheld == (
        config.Withheld("Editor", "Personenbezogene Daten (Kontoname)."),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"withheld": {"NUMMER": {"reason": "Interne Kennung der Datenbank."}}}, "field 'withheld.NUMMER': is also in"),
        ({"fields": {"NUMMER": {"type": "integer"}, "X": {"name": "nummer", "type": "string"}}}, "'nummer' is used"),
        ({"fields": {"NUMMER": {"type": "integer"}, "LON": {"name": "lon", "type": "number"}}}, "'lon' is used"),
    ],
)
def test_an_attribute_is_published_once_or_withheld(tmp_path, change, message):
    with pytest.raises(config.SourceConfigError, match=message):
        config.load(write(tmp_path, dict(VALID, **change)))
