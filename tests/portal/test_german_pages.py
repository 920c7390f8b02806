"""The portal's main pages and the Action API answer in German, with the demo's plugins enabled."""

from __future__ import annotations

import ckan.tests.factories as factories
import pytest

from tests.ckan_support import PORTAL_PLUGINS

PLUGINS = PORTAL_PLUGINS + " activity"

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "clean_db_with_plugin_tables", "clean_index"),
]


@pytest.fixture
def schools(clean_db_with_plugin_tables, clean_index):
    organization = factories.Organization(
        name="schulverwaltungsamt", title="Schulverwaltungsamt", description="Schulen der Stadt Chemnitz"
    )
    return factories.Dataset(
        name="schulen",
        title="Schulen in Chemnitz",
        notes="Standorte der allgemeinbildenden Schulen",
        owner_org=organization["id"],
        tags=[{"name": "Bildung"}],
        resources=[{"url": "https://example.org/schulen.csv", "format": "CSV", "name": "Schulen (CSV)"}],
    )


def test_home_page(app, schools):
    page = app.get("/")
    assert page.status_code == 200
    assert 'lang="de"' in page.body
    assert "Datensätze" in page.body


def test_dataset_list_with_facets_finds_an_inflected_word(app, schools):
    page = app.get("/dataset/", query_string={"q": "Schule"})
    assert page.status_code == 200
    assert "gefunden" in page.body
    assert "Schulen in Chemnitz" in page.body
    for facet in ("Organisationen", "Tags", "Formate", "Lizenzen"):
        assert facet in page.body
    assert "Schulverwaltungsamt" in page.body


def test_dataset_page(app, schools):
    page = app.get("/dataset/schulen")
    assert page.status_code == 200
    assert "Standorte der allgemeinbildenden Schulen" in page.body
    assert "Daten und Ressourcen" in page.body


def test_organization_pages(app, schools):
    listing = app.get("/organization/")
    assert listing.status_code == 200
    assert "Organisationen" in listing.body
    assert "Schulverwaltungsamt" in listing.body
    page = app.get("/organization/schulverwaltungsamt")
    assert page.status_code == 200
    assert "Schulen in Chemnitz" in page.body


def test_action_api(app, schools):
    result = app.get("/api/3/action/package_search", query_string={"q": "Schulen", "fq": "res_format:CSV"}).json
    assert result["success"] is True
    assert [dataset["name"] for dataset in result["result"]["results"]] == ["schulen"]
    assert app.get("/api/3/action/organization_list").json["result"] == ["schulverwaltungsamt"]
