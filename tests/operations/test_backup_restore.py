"""`make backup` / `make restore` round-trip a populated portal: the test portal (scripts/e2e-portal.sh,
the demo's plugins; after the pipeline suites it holds the harvested datasets) is saved, damaged
the way an accident would (a dataset deleted, an upload lost, DataStore rows gone), stopped,
restored, started again, and then answers exactly as before: same datasets, same downloads
byte for byte, same DataStore rows."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dcat.examples import school_dataset
from tests.support.portal import INI, ROOT, as_pipelines, settings

SCRIPT = ROOT / "scripts" / "backup.sh"


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.read()


def _portal(command: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "e2e-portal.sh"), command], check=True, capture_output=True)


@pytest.fixture()
def populated() -> Iterator[dict[str, Any]]:
    """A dataset with an uploaded file and a DataStore table, besides whatever the harvests left."""
    api = as_pipelines(settings())
    organization = api.action.organization_list_for_user(permission="create_dataset")[0]["name"]
    dataset = api.action.package_create(**school_dataset(organization, name="sicherung-probe",
                                                         title="Sicherungsprobe", resources=[]))  # fmt: skip
    content = "Messstelle;Wert\nZentrum;12,5\nKaßberg;7\n".encode()
    upload = api.call_action("resource_create", {"package_id": dataset["id"], "name": "Messstellen (CSV)",
                                                 "format": "CSV"},
                             files={"upload": ("messstellen.csv", content, "text/csv")})  # fmt: skip
    table = api.action.datastore_create(resource={"package_id": dataset["id"], "name": "Messwerte"},
                  fields=[{"id": "messstelle", "type": "text"}, {"id": "wert", "type": "numeric"}],
                  records=[{"messstelle": "Zentrum", "wert": 12.5}, {"messstelle": "Kaßberg", "wert": 7}],
                  primary_key=["messstelle"])  # fmt: skip
    yield {"api": api, "dataset": dataset, "upload": upload, "content": content, "table": table["resource_id"]}
    api.action.package_delete(id=dataset["id"])  # an editor cannot purge; deleted is gone for visitors


def test_restore_refuses_while_the_portal_runs(tmp_path: Path) -> None:
    settings()
    saved = tmp_path / "backup"
    subprocess.run([str(SCRIPT), "backup", "--ini", str(INI), "--to", str(saved)], check=True, capture_output=True)
    refused = subprocess.run([str(SCRIPT), "restore", "--ini", str(INI), "--from", str(saved)],
                             capture_output=True, text=True)  # fmt: skip
    assert refused.returncode == 1
    assert "stop it first" in refused.stderr


def test_backup_and_restore_round_trip_the_portal(populated: dict[str, Any], tmp_path: Path) -> None:
    api = populated["api"].action
    before = {
        "count": api.package_search(rows=0, include_private=True)["count"],
        "datasets": sorted(d["name"] for d in api.current_package_list_with_resources(limit=1000)),
        "rows": api.datastore_search(resource_id=populated["table"])["records"],
    }
    saved = tmp_path / "backup"
    done = subprocess.run([str(SCRIPT), "backup", "--ini", str(INI), "--to", str(saved)], capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = json.loads((saved / "manifest.json").read_text())
    digest = "sha256:" + hashlib.sha256(populated["content"]).hexdigest()
    assert manifest["resources"][populated["upload"]["id"]] == digest

    # The accident: a dataset deleted, its upload lost, a DataStore table emptied.
    api.datastore_delete(resource_id=populated["table"], filters={})
    api.package_delete(id=populated["dataset"]["id"])
    upload_id = populated["upload"]["id"]
    storage = Path(manifest["ini"]).parent / "e2e-storage" / "resources" / upload_id[:3] / upload_id[3:6]
    (storage / upload_id[6:]).unlink()

    _portal("stop")
    try:
        restored = subprocess.run([str(SCRIPT), "restore", "--ini", str(INI), "--from", str(saved)],
                                  capture_output=True, text=True)  # fmt: skip
    finally:
        _portal("serve")
    assert restored.returncode == 0, restored.stderr
    assert "as in its manifest" in restored.stdout
    for aside in (ROOT / "var").glob("e2e-storage.before-restore-*"):  # the damaged file store, kept by restore
        shutil.rmtree(aside)

    assert api.package_show(id="sicherung-probe")["state"] == "active"
    assert api.package_search(rows=0, include_private=True)["count"] == before["count"]
    datasets = sorted(d["name"] for d in api.current_package_list_with_resources(limit=1000))
    assert datasets == before["datasets"]
    assert api.datastore_search(resource_id=populated["table"])["records"] == before["rows"]
    resource = api.resource_show(id=upload_id)
    assert _download(resource["url"]) == populated["content"]
