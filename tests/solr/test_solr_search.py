"""The portal's search on the SolrCloud (docker/solr/conf, scripts/solr.sh) as a visitor notices it:
German words and their inflections, umlauts and ß written out or not, German stop words, the search
by map area (``ext_bbox``) and the portal's facets, on a collection spread over two nodes."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import requests
from ckan.lib import search as ckan_search

from ckanext.chemnitz.search.fields import TIE_BREAK
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import CHEMNITZ, EU, school_dataset
from tests.support.search import names

pytestmark = pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index")
GYMNASIUM = [12.9134159452128, 50.8328645188838]  # Karl-Schmidt-Rottluff-Gymnasium, Hohe Straße, Kaßberg
KASSBERG_BOX = "12.895,50.825,12.925,50.845"
KLAFFENBACH_BOX = "12.87,50.75,12.90,50.77"  # far south of the city


@pytest.fixture
def organization() -> dict:
    return factories.Organization(name="schulverwaltungsamt")


def publish(organization: dict, name: str, title: str, **changes) -> dict:
    dataset = school_dataset(organization["id"], name=name, title=title, **changes)
    return helpers.call_action("package_create", **dataset)


def test_ckan_accepts_the_schema_and_the_collection_spans_two_nodes():
    assert ckan_search.check_solr_schema_version() is True
    # The portal's collection "ckan" (pytest-xdist workers search collections of their own, ckan_gwN,
    # with one replica per shard: scripts/ckan-config.sh test-solr).
    base = tk.config["solr_url"].rsplit("/", 1)[0]
    status = requests.get(f"{base}/admin/collections", params={"action": "CLUSTERSTATUS", "wt": "json"}, timeout=10)
    collection = status.json()["cluster"]["collections"]["ckan"]
    replicas = [r for shard in collection["shards"].values() for r in shard["replicas"].values()]
    assert len(collection["shards"]) == 2 and len(replicas) == 4
    assert {r["state"] for r in replicas} == {"active"}
    assert len({r["node_name"] for r in replicas}) == 2


def test_deep_pages_read_ids_and_sort_keys_without_the_stored_datasets():
    """For a page deep in the results (``start=5000``) each shard first collects the key and the sort
    values of every match before the page. Solr reads the key from docValues, without decompressing each
    match's stored document (which holds the whole dataset), only when it is single-valued with
    docValues; read from the stored documents, ``start=5000`` took over a second at 10,000 datasets,
    about 60 ms from docValues (docs/search.md, *Deep paging*). ``id`` (CKAN's ``fl=id``) and the sort's
    tie-break fields have docValues too, so they are neither read from stored documents nor uninverted."""
    base = tk.config["solr_url"]
    key = requests.get(f"{base}/schema/uniquekey", params={"wt": "json"}, timeout=10).json()["uniqueKey"]
    for name in [key, "id", *(name for name, _ in TIE_BREAK)]:
        answer = requests.get(f"{base}/schema/fields/{name}", params={"showDefaults": "true", "wt": "json"}, timeout=10)
        field = answer.json()["field"]
        assert (name, field["docValues"], field["multiValued"]) == (name, True, False)


def test_german_inflections_umlauts_and_stop_words():
    factories.Dataset(name="schulen", title="Schulen in Chemnitz", notes="Standorte mit Schulart und Träger.")
    factories.Dataset(name="baustellen", title="Baustellen an der Straße der Nationen", notes="Sperrungen.")
    factories.Dataset(name="kitas", title="Kitas und Horte", notes="Kindertagesstätten der Stadt.")

    assert names(q="Schule") == ["schulen"]
    assert names(q="Schulen") == ["schulen"]
    assert names(q="Schulen in Chemnitz") == ["schulen"]  # "in" is a stop word
    assert names(q="Strasse") == ["baustellen"]
    assert names(q="straße der Nationen") == ["baustellen"]
    assert names(q="Kita") == ["kitas"]  # the -s plural the stemmer keeps
    assert names(q="Kindertagesstatte") == ["kitas"]  # ä written without its dots
    assert names(q="Trager") == ["schulen"]
    assert names(q="title:Schule") == ["schulen"]


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
def test_ext_bbox_and_the_portal_facets(organization):
    point = {"uri": CHEMNITZ, "text": "Gymnasium", "geom": json.dumps({"type": "Point", "coordinates": GYMNASIUM})}
    publish(organization, "gymnasium", "Gymnasium auf dem Kaßberg", spatial_coverage=[point])
    far = {"uri": CHEMNITZ, "text": "Klaffenbach", "bbox": KLAFFENBACH_BOX}
    publish(organization, "klaffenbach", "Wasserschloss Klaffenbach", spatial_coverage=[far])
    publish(organization, "ohne-raumbezug", "Haushaltsplan", spatial_coverage=[])

    assert names(ext_bbox=KASSBERG_BOX) == ["gymnasium"]
    assert names(ext_bbox=KLAFFENBACH_BOX) == ["klaffenbach"]
    found = helpers.call_action(
        "package_search", fq=f'theme:"{EU}data-theme/EDUC"', **{"facet.field": '["theme", "metadata_quality_rating"]'}
    )
    assert found["count"] == 3
    assert {item["name"] for item in found["search_facets"]["theme"]["items"]} == {
        EU + "data-theme/EDUC", EU + "data-theme/REGI"
    }  # fmt: skip
    assert found["search_facets"]["metadata_quality_rating"]["items"]


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
def test_a_box_matches_exactly_as_on_postgresql(organization):
    """Boxes that touch the searched box match, boxes a few metres beside it do not (the PostgreSQL
    backend's extent columns answer the same; an approximating prefix-tree field matched them)."""
    west = {"uri": CHEMNITZ, "text": "West", "bbox": "12.80,50.80,12.90,50.85"}
    beside = {"uri": CHEMNITZ, "text": "Daneben", "bbox": "12.9001,50.80,12.95,50.85"}
    publish(organization, "westen", "Im Westen", spatial_coverage=[west])
    publish(organization, "daneben", "Daneben", spatial_coverage=[beside])

    assert names(ext_bbox="12.89,50.85,12.90,50.86") == ["westen"]  # a corner in common
    assert names(ext_bbox="12.9000,50.79,12.90005,50.79999") == []  # below both, and between them
    assert names(ext_bbox="12.90002,50.81,12.90008,50.82") == []  # in the 10 m gap between the two


def test_stop_words_and_the_licence_title_in_free_text():
    factories.Dataset(name="schulen", title="Schulen in Chemnitz", license_id="dl-by-de/2.0")
    factories.Dataset(name="wetter", title="Wetterdaten", license_id="cc-zero")

    assert names(q="Schulen in Kaßberg") == []  # "in" does not stand in for the missing word
    assert names(q="Schulen in der Stadt Chemnitz") == ["schulen"]  # three words, all but one
    assert names(q='"Datenlizenz Deutschland"') == ["schulen"]  # the licence's title, as on PostgreSQL
