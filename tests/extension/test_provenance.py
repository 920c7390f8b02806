"""A harvested dataset's page says where it comes from and when it was last harvested."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.support import pages

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_datastore", "clean_index"),
]
SOURCE = "http://127.0.0.1:8081/file-geojson/rest/services/Schulen_OpenData/FeatureServer/0"


@pytest.fixture
def published() -> dict:
    org = factories.Organization(name="schulverwaltungsamt")
    return helpers.call_action("package_create", **school_dataset(org["id"]))


def provenance(app, name: str) -> list[str]:
    page = pages.page(app, f"/dataset/{name}")
    entries = page.xpath("//section[@class='module-content provenance']//dd")
    return [" ".join(entry.text_content().split()) for entry in entries]


def test_the_newest_harvest_run_is_shown_with_its_source(app, published):
    log = factories.Resource(package_id=published["id"], url="", url_type="datastore", harvest_key="harvest-log")
    runs = [
        {"run_at": "2026-11-24T05:00:00", "run_id": "a", "source_url": SOURCE, "status": "geändert", "fetched": 139,
         "rejected": 2, "changes": "csv: updated"},
        {"run_at": "2026-11-25T05:00:00", "run_id": "b", "source_url": SOURCE, "status": "unverändert", "fetched": 139,
         "rejected": 0, "changes": "Quelldaten und Konfiguration unverändert seit dem letzten Lauf"},
    ]  # fmt: skip
    helpers.call_action("datastore_create", resource_id=log["id"], records=runs, primary_key=["run_id"], force=True)
    shown = provenance(app, published["name"])
    assert shown[0] == "25.11.2026 06:00 (unverändert)"  # 05:00 UTC in the city's time
    assert shown[1] == SOURCE
    assert shown[2] == "139"
    assert shown[3].startswith("Quelldaten und Konfiguration unverändert")


def test_a_dataset_that_is_not_harvested_has_no_origin_section(app, published):
    assert provenance(app, published["name"]) == []
