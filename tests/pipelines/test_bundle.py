"""One DAG per source; a broken source configuration is an import error of its own DAG only."""

from __future__ import annotations

import shutil

from airflow.dag_processing.dagbag import DagBag

from pipelines import config
from pipelines.bundle import write_stubs


def test_one_dag_per_configuration_and_a_broken_one_does_not_take_the_others_down(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(config.SOURCES, sources)
    (sources / "kaputt.yaml").write_text(
        (config.SOURCES / "parkplaetze_reisebus.yaml")
        .read_text(encoding="utf-8")
        .replace("id: parkplaetze_reisebus", "id: kaputt")
        .replace("crs: EPSG:3857", "crs: Web-Mercator"),
        encoding="utf-8",
    )
    dags = tmp_path / "dags"
    stubs = write_stubs(sources, dags)
    assert len(stubs) == len(list(sources.glob("*.yaml")))

    bag = DagBag(dag_folder=str(dags))
    healthy = {f"harvest_{p.stem}" for p in config.all_paths()}
    assert healthy <= set(bag.dag_ids)
    assert "harvest_kaputt" not in bag.dag_ids
    ((error_file, message),) = bag.import_errors.items()
    assert error_file.endswith("harvest_kaputt.py")
    assert "kaputt.yaml" in message and "field 'crs'" in message


def test_stubs_follow_the_configurations(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(config.SOURCES / "parkplaetze_reisebus.yaml", sources)
    dags = tmp_path / "dags"
    (stub,) = write_stubs(sources, dags)
    modified = stub.stat().st_mtime_ns
    write_stubs(sources, dags)
    assert stub.stat().st_mtime_ns == modified  # unchanged: not rewritten, not re-parsed
    (sources / "parkplaetze_reisebus.yaml").unlink()
    assert write_stubs(sources, dags) == [] and not stub.exists()
