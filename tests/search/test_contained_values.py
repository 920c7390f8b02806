"""Data-aware search: the values of a dataset's categorical columns ("Enthaltene Werte") find it,
follow each harvest, are listed on its page, stay private with it and are no DCAT keywords."""

from __future__ import annotations

import ckan.lib.search.index as solr_index
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.logic import index_update_package
from ckanext.dcat.profiles import DCAT
from lxml import html
from werkzeug.datastructures import MultiDict

from ckanext.chemnitz.search import backend
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.support import pages, rdf

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
# As the pipelines publish the city's school list (tests/pipelines/test_contained_values.py).
SCHOOL_VALUES = [
    {"field": "art", "title": "Schulart", "values": ["Förderschule", "Grundschule", "Gymnasium", "Oberschule"]},
    {"field": "traeger", "title": "Träger", "values": ["Frei", "Kommunal", "Land Sachsen"]},
]


@pytest.fixture
def organization() -> dict:
    return factories.Organization(name="schulverwaltungsamt")


@pytest.fixture
def schools(organization) -> dict:
    decoy = {"name": "wetter", "title": "Wetterdaten", "notes": "Temperatur und Niederschlag.", "tag_string": "Wetter"}
    helpers.call_action("package_create", **school_dataset(organization["id"], **decoy))
    return helpers.call_action("package_create", **school_dataset(organization["id"]), contained_values=SCHOOL_VALUES)


def found(q: str, **params) -> list[str]:
    return [dataset["name"] for dataset in helpers.call_action("package_search", q=q, **params)["results"]]


def search_page(app, q: str) -> list[str]:
    page = pages.page(app, "/dataset/", q=q)
    return [link.get("href") for link in page.xpath("//*[contains(@class, 'dataset-heading')]//a")]


@pytest.mark.parametrize("word", ["Grundschule", "Grundschulen", "Gymnasium", "Förderschule", "Land Sachsen"])
def test_a_value_of_the_data_finds_the_dataset(app, schools, word):
    assert found(word) == ["schulen"]
    assert search_page(app, word) == ["/dataset/schulen"]


def test_the_values_are_searchable_by_field(schools):
    assert found("extras_contained_values:Gymnasium") == ["schulen"]
    assert found("extras_contained_values:Wetter") == []


def test_solr_gets_the_values_as_text(schools, monkeypatch):
    """With Solr (no PostgreSQL backend), CKAN's own indexer sends them in ``extras_contained_values``,
    a text field that CKAN's Solr schema copies into ``text``, which free-text queries search."""
    sent: list[dict] = []

    class Solr:
        def add(self, docs: list[dict], commit: bool = False) -> None:
            sent.extend(docs)

    monkeypatch.setattr(solr_index, "make_connection", Solr)
    monkeypatch.setattr(backend, "is_active", lambda: False)
    index_update_package({}, schools["id"])
    [document] = sent
    assert document["extras_contained_values"] == (
        "Schulart: Förderschule; Grundschule; Gymnasium; Oberschule\nTräger: Frei; Kommunal; Land Sachsen"
    )
    assert "contained_values" not in document


def test_a_harvest_that_changes_the_values_changes_what_finds_the_dataset(app, schools):
    changed = [{"field": "art", "title": "Schulart", "values": ["Oberschule"]}]
    helpers.call_action("package_patch", id=schools["id"], contained_values=changed)
    assert found("Grundschule") == []
    assert search_page(app, "Grundschulen") == []
    assert found("Oberschulen") == ["schulen"]
    helpers.call_action("package_patch", id=schools["id"], contained_values=[])
    assert found("Oberschule") == []


def test_the_dataset_page_lists_the_values_under_their_column_titles(app, schools):
    assert helpers.call_action("package_show", id=schools["id"])["contained_values"] == SCHOOL_VALUES
    page = pages.page(app, "/dataset/schulen")
    [section] = page.xpath("//section[contains(@class, 'contained-values')]")
    heading = section.xpath(".//h2")[0]
    assert heading.text_content().strip() == "Enthaltene Werte"
    assert section.get("aria-labelledby") == heading.get("id")
    terms = [dt.text_content().strip() for dt in section.xpath(".//dl/dt")]
    values = [[li.text_content().strip() for li in dd.xpath(".//li")] for dd in section.xpath(".//dl/dd")]
    assert list(zip(terms, values, strict=True)) == [(entry["title"], entry["values"]) for entry in SCHOOL_VALUES]


def test_editing_the_dataset_by_hand_keeps_the_values(app, schools):
    headers = {"Authorization": factories.APIToken(user=factories.Sysadmin()["name"])["token"]}
    [form] = html.fromstring(app.get("/dataset/edit/schulen", headers=headers, status=200).body).xpath(
        "//form[@id='dataset-edit']"
    )
    # without the hidden template of a new repeating group, which the form's script takes out
    fields = MultiDict((name, value) for name, value in form.form_values() if "REPEATING-INDEX" not in name)
    fields["title"] = "Schulen in Chemnitz (Schuljahr 2025/26)"
    fields["save"] = ""
    app.post("/dataset/edit/schulen", data=fields, headers=headers, status=200)
    shown = helpers.call_action("package_show", id=schools["id"])
    assert shown["title"] == "Schulen in Chemnitz (Schuljahr 2025/26)"
    assert shown["contained_values"] == SCHOOL_VALUES


def test_a_dataset_without_values_has_no_such_section(app, organization):
    helpers.call_action("package_create", **school_dataset(organization["id"]))
    assert "Enthaltene Werte" not in app.get("/dataset/schulen", status=200).body


def test_the_values_of_a_private_dataset_stay_private(app, organization):
    member = factories.User()
    helpers.call_action("organization_member_create", id=organization["id"], username=member["name"], role="member")
    helpers.call_action(
        "package_create", **school_dataset(organization["id"]), private=True, contained_values=SCHOOL_VALUES
    )
    anonymous = {"user": "", "ignore_auth": False}
    assert helpers.call_action("package_search", context=anonymous, q="Grundschule", include_private=True)["count"] == 0
    assert search_page(app, "Grundschule") == []
    page = app.get("/dataset/schulen")
    assert page.status_code == 404
    assert "Grundschule" not in page.body
    as_member = {"user": member["name"], "ignore_auth": False}
    assert found("Grundschule", context=as_member, include_private=True) == ["schulen"]


def test_the_values_are_not_dcat_keywords(app, schools):
    graph = rdf.graph(app.get("/dataset/schulen.ttl", status=200).get_data())
    assert {str(keyword) for keyword in graph.objects(None, DCAT.keyword)} == {"Bildung", "Schule"}
    assert not rdf.mentions(graph, "Grundschule")
