"""Asking a source for its data version, and a rerun that fetches nothing when it is unchanged."""

from __future__ import annotations

import dataclasses

import pytest

from pipelines import config, steps
from pipelines.extract import versions
from pipelines.web import session


def source(name: str) -> config.SourceConfig:
    return config.load(config.SOURCES / f"{name}.yaml")


@pytest.mark.usefixtures("replicas")
@pytest.mark.parametrize(("name", "prefix"), [("schulen", "lastEditDate="), ("parkplaetze_reisebus", "etag=")])
def test_arcgis_layers_and_files_report_a_stable_version(name, prefix):
    settings = source(name)
    first = versions.source_version(session(), settings.type, settings.url, 30)
    assert first and first.startswith(prefix)
    assert versions.source_version(session(), settings.type, settings.url, 30) == first


@pytest.mark.usefixtures("replicas")
def test_a_wfs_cannot_tell_and_is_always_fetched():
    settings = source("stadtteile")
    assert versions.source_version(session(), settings.type, settings.url, 30) is None


@pytest.mark.usefixtures("replicas")
def test_an_unchanged_source_is_not_fetched_again(tmp_path, monkeypatch):
    settings = source("schulen")
    first = steps.extract(settings, tmp_path / "first")
    assert first["fetched"] > 100 and first["source_version"]

    def must_not_fetch(*args, **kwargs):
        raise AssertionError("the layer was fetched although its version is unchanged")

    monkeypatch.setattr(steps.arcgis, "read_layer", must_not_fetch)
    previous = {"source_version": first["source_version"], "fingerprint": first["fingerprint"], "rejected": 2}
    again = steps.extract(settings, tmp_path / "again", previous)
    assert again["source_unchanged"] and again["fetched"] == 0
    assert again["fingerprint"] == first["fingerprint"]
    assert steps.already_published(again) == {"skipped": True, "rejected": 2, "repaired": 0}


@pytest.mark.usefixtures("replicas")
def test_another_version_or_configuration_fetches_in_full(tmp_path):
    settings = source("schulen")
    first = steps.extract(settings, tmp_path / "first")
    stale = {"source_version": "lastEditDate=1;config=0", "fingerprint": first["fingerprint"], "rejected": 2}
    refetched = steps.extract(settings, tmp_path / "other-version", stale)
    assert "raw" in refetched
    # A new version with the same content: fetched, compared by fingerprint, then nothing to publish.
    assert steps.already_published(refetched) == {"skipped": True, "rejected": 2, "repaired": 0}
    changed = tmp_path / "schulen.yaml"
    changed.write_text(settings.path.read_text(encoding="utf-8") + "# geändert\n", encoding="utf-8")
    edited = dataclasses.replace(settings, path=changed)
    previous = {"source_version": first["source_version"], "fingerprint": first["fingerprint"]}
    reconfigured = steps.extract(edited, tmp_path / "other-config", previous)
    assert "raw" in reconfigured
    assert steps.already_published(reconfigured) == {}, "another configuration publishes again"
