"""Uploads: a file over ``ckan.max_resource_size`` is refused before anything is stored, and a
file name that tries to leave the storage folder ends up as a plain name inside it."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers
import pytest

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz scheming_datasets dataset_series dcat"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def storage() -> Path:
    return Path(tk.config["ckan.storage_path"])


def stored_files() -> set[Path]:
    return {path for path in storage().rglob("*") if path.is_file()}


def upload(app, editor: dict, name: str, content: bytes):
    return app.post(
        "/api/3/action/resource_create",
        data={"package_id": editor["dataset"]["id"], "name": "Datei", "upload": (io.BytesIO(content), name)},
        headers=editor["headers"],
    )


@pytest.mark.ckan_config("ckan.max_resource_size", "1")
def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(app, editor):
    before = stored_files()
    answer = upload(app, editor, "gross.csv", b"a;b\n" + b"1;2\n" * 400_000)  # 1.6 MB
    assert answer.status_code in (400, 409, 413)
    assert "too large" in answer.get_data(as_text=True).lower()
    assert helpers.call_action("package_show", id=editor["dataset"]["id"])["resources"] == []
    assert stored_files() == before
    assert upload(app, editor, "klein.csv", b"a;b\n1;2\n").status_code == 200  # under the limit: stored


@pytest.mark.parametrize(
    "name", ["../../../../tmp/chemnitz-traversal.csv", "..\\..\\chemnitz-traversal.csv", "/tmp/chemnitz-traversal.csv",
             "%2e%2e%2fchemnitz-traversal.csv"]
)  # fmt: skip
def test_a_file_name_cannot_leave_the_storage_folder(app, editor, name):
    before = stored_files()
    answer = upload(app, editor, name, b"Nummer;Lage\n1;Innenstadt\n")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    resource = answer.json["result"]
    basename = resource["url"].rsplit("/", 1)[-1]
    assert "/" not in unquote(basename) and "\\" not in unquote(basename) and basename not in (".", "..")
    new = stored_files() - before
    assert len(new) == 1 and storage().resolve() in next(iter(new)).resolve().parents
    assert not Path("/tmp/chemnitz-traversal.csv").exists()
    assert not (storage().parent / "chemnitz-traversal.csv").exists()
    download = app.get(f"/dataset/{editor['dataset']['id']}/resource/{resource['id']}/download/{basename}")
    assert download.status_code == 200 and download.get_data() == b"Nummer;Lage\n1;Innenstadt\n"
