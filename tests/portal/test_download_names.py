"""GDAL opening a CSV by its download address finds the column types published beside it, and a
name the dataset has no file of is not answered with another file."""

from __future__ import annotations

import io

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz scheming_datasets dataset_series dcat"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
CSV = b"Nummer;Stadtteil\n01;Zentrum\n"
CSVT = b'"String","String"\n'


@pytest.fixture
def published(app) -> dict:
    """A department's dataset with ``data.csv`` and ``data.csvt`` uploaded, as the pipelines publish them."""
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = helpers.call_action("package_create", **school_dataset(org["id"], resources=[], private=True))
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    files = {}
    for name, content in (("data.csv", CSV), ("data.csvt", CSVT)):
        answer = app.post(
            "/api/3/action/resource_create",
            data={"package_id": dataset["id"], "name": name, "upload": (io.BytesIO(content), name)},
            headers=headers,
        )
        files[name] = answer.json["result"]
    return {"dataset": dataset, "files": files, "headers": headers}


def download(published: dict, resource: str, name: str) -> str:
    return f"/dataset/{published['dataset']['id']}/resource/{published['files'][resource]['id']}/download/{name}"


def test_the_column_types_beside_the_csv_are_the_csvt(app, published):
    answer = app.get(download(published, "data.csv", "data.csvt"), headers=published["headers"], follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(download(published, "data.csvt", "data.csvt"))
    followed = app.get(download(published, "data.csvt", "data.csvt"), headers=published["headers"])
    assert followed.status_code == 200 and followed.get_data() == CSVT


@pytest.mark.ckan_config("ckan.locale_default", "de")
def test_a_file_the_dataset_does_not_have_is_not_found(app, published):
    # GDAL asks for a projection file beside the CSV; it got the CSV itself before
    answer = app.get(download(published, "data.csv", "data.prj"), headers=published["headers"])
    assert answer.status_code == 404
    assert "keine Datei namens data.prj" in answer.get_data(as_text=True)


def test_the_file_itself_and_other_names_are_served_as_before(app, published):
    assert app.get(download(published, "data.csv", "data.csv"), headers=published["headers"]).get_data() == CSV
    # a link with an older name of the upload keeps working
    assert app.get(download(published, "data.csv", "schulen.csv"), headers=published["headers"]).get_data() == CSV


def test_a_stranger_learns_nothing_about_a_private_datasets_files(app, published):
    for name in ("data.csvt", "data.prj", "data.csv"):
        assert app.get(download(published, "data.csv", name)).status_code in (403, 404)
    assert "Location" not in app.get(download(published, "data.csv", "data.csvt"), follow_redirects=False).headers
