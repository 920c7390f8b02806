"""Catalogue pages and dataset RDF from the stored pieces: never stale, never private, cheap to re-ask."""

from __future__ import annotations

import datetime
import time

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import rdflib
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT, DCT, FOAF
from rdflib import RDF
from rdflib.compare import isomorphic

from ckanext.chemnitz.dcat.catalog import HYDRA
from ckanext.chemnitz.dcat.pages import AS
from ckanext.chemnitz.dcat.profile import DCATDE
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_dcat_store", "clean_index"),
]

FORMATS = {"ttl": "turtle", "n3": "n3", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
PROFILES = ("dcat_ap_de", "dcat_ap_de_2")


def graph_of(app, url: str, rdf_format: str, **headers: str) -> rdflib.Graph:
    answer = app.get(url, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return rdflib.Graph().parse(data=answer.get_data(), format=rdf_format)


def every_view(name: str) -> list[tuple[str, str]]:
    """Every catalogue page and dataset document the portal serves, in every format and profile."""
    views = []
    for suffix, rdf_format in FORMATS.items():
        for profile in PROFILES:
            views.append((f"/catalog.{suffix}?profiles={profile}", rdf_format))
            views.append((f"/dataset/{name}.{suffix}?profiles={profile}", rdf_format))
    return views


def dataset_titles(graph: rdflib.Graph) -> set[str]:
    return {str(graph.value(d, DCT.title)) for d in graph.subjects(RDF.type, DCAT.Dataset)}


@pytest.fixture
def department() -> dict:
    return factories.Organization(name="schulverwaltungsamt", title="Schulverwaltungsamt")


def test_every_page_changes_at_once_with_the_dataset_its_licence_and_its_organization(app, department):
    dataset = school_dataset(department["id"], contact=[], maintainer="", maintainer_email="")
    helpers.call_action("package_create", **dataset)
    for url, rdf_format in every_view("schulen"):
        graph_of(app, url, rdf_format)  # every piece made and served once

    helpers.call_action("package_patch", id="schulen", title="Schulen und Horte", license_id="cc-by/4.0")
    helpers.call_action("organization_patch", id=department["id"], title="Amt für Schulen")

    for url, rdf_format in every_view("schulen"):
        graph = graph_of(app, url, rdf_format)
        assert dataset_titles(graph) == {"Schulen und Horte"}, url
        licences = {str(o) for o in graph.objects(None, DCT.license)}
        assert licences and all("cc-by" in licence for licence in licences), (url, licences)
        [maintainer] = graph.objects(None, DCATDE.maintainer)
        assert str(graph.value(maintainer, FOAF.name)) == "Amt für Schulen", url


@pytest.mark.parametrize("profile", PROFILES)
def test_a_stored_page_holds_what_ckanext_dcat_builds_for_each_dataset(app, department, profile):
    """The catalogue node and each dataset's graph as ckanext-dcat makes it on its own, in every
    format. (Built into one shared graph, the stock ``euro_dcat_ap_3`` steps of each dataset rewrite
    the distributions of the datasets before it: under 2.0 all but the last lost their 2.0
    ``dcat:byteSize``.) Text that needs escaping reads back as it was entered."""
    names = [f"schulen-{number}" for number in range(3)]
    awkward = {"title": 'Schulen "A & B" <Ämter>', "notes": 'Zeile 1\nZeile 2 mit \\ und """ und \'\ttab'}
    for number, name in enumerate(names):
        helpers.call_action(
            "package_create", **school_dataset(department["id"], name=name, **(awkward if number else {}))
        )

    catalogue = RDFSerializer(profiles=[profile])
    catalog_ref = catalogue.graph_from_catalog({})
    expected = rdflib.Graph() + catalogue.g
    for name in names:
        serializer = RDFSerializer(profiles=[profile])
        dataset_ref = serializer.graph_from_dataset(helpers.call_action("package_show", id=name))
        expected += serializer.g
        expected.add((catalog_ref, DCAT.dataset, dataset_ref))
    as_written = rdflib.Graph().parse(data=expected.serialize(format="turtle"), format="turtle")  # "1.0" for 1
    for suffix, rdf_format in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")):
        stored = graph_of(app, f"/catalog.{suffix}?profiles={profile}", rdf_format)
        paging = set(stored.subjects(RDF.type, HYDRA.PagedCollection))
        for page in paging:
            stored.remove((page, None, None))
        assert len(paging) == 1, suffix
        assert isomorphic(stored, as_written if suffix == "ttl" else expected), suffix


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_pages_split_and_count_the_public_catalogue_and_date_its_last_change(app, department):
    for name in ("eins", "zwei", "drei"):
        helpers.call_action("package_create", **school_dataset(department["id"], name=name))
    helpers.call_action("package_create", **school_dataset(department["id"], name="privat", private=True))

    listed = []
    for page, expected in ((1, 2), (2, 1), (3, 0)):
        graph = graph_of(app, f"/catalog.ttl?page={page}", "turtle")
        [paging] = graph.subjects(RDF.type, HYDRA.PagedCollection)
        assert graph.value(paging, HYDRA.totalItems).toPython() == 3, page
        datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
        assert len(datasets) == expected, page
        listed += datasets
    assert len(set(listed)) == 3

    [catalogue] = graph_of(app, "/catalog.ttl", "turtle").subjects(RDF.type, DCAT.Catalog)
    before = graph_of(app, "/catalog.ttl", "turtle").value(catalogue, DCT.modified).toPython()
    helpers.call_action("package_patch", id="eins", title="Eins, neu")
    after = graph_of(app, "/catalog.ttl", "turtle").value(catalogue, DCT.modified).toPython()
    assert after > before


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_pages_follow_edits_and_departures_at_once_each_dataset_on_one_page(app, department):
    """Where each page starts is kept between requests (dcat/listing.py); a change moves it."""

    def pages() -> tuple[list[set[str]], set[int]]:
        found, totals = [], set()
        for page in range(1, 5):
            graph = graph_of(app, f"/catalog.ttl?page={page}", "turtle")
            totals |= {graph.value(paging, HYDRA.totalItems).toPython()
                       for paging in graph.subjects(RDF.type, HYDRA.PagedCollection)}  # fmt: skip
            found.append(dataset_titles(graph))
        return found, totals

    for name in ("eins", "zwei", "drei", "vier", "fuenf"):
        helpers.call_action("package_create", **school_dataset(department["id"], name=name, title=name))
    assert pages() == ([{"fuenf", "vier"}, {"drei", "zwei"}, {"eins"}, set()], {5})

    helpers.call_action("package_patch", id="zwei", title="zwei, neu")
    helpers.call_action("package_patch", id="vier", private=True)
    helpers.call_action("package_create", **school_dataset(department["id"], name="sechs", title="sechs"))
    assert pages() == ([{"sechs", "zwei, neu"}, {"fuenf", "drei"}, {"eins"}, set()], {5})
    helpers.call_action("package_delete", id="sechs")
    assert pages() == ([{"zwei, neu", "fuenf"}, {"drei", "eins"}, set(), set()], {4})


def test_pages_are_served_from_the_stored_pieces(app, department, monkeypatch):
    helpers.call_action("package_create", **school_dataset(department["id"]))

    def refuse(*args, **kwargs):
        raise AssertionError("a dataset graph was built while serving")

    monkeypatch.setattr(RDFSerializer, "graph_from_dataset", refuse)
    for url, rdf_format in every_view("schulen"):
        assert dataset_titles(graph_of(app, url, rdf_format)) == {"Schulen in Chemnitz"}, url


def test_private_draft_and_deleted_datasets_are_never_listed(app, department):
    public = helpers.call_action("package_create", **school_dataset(department["id"], name="oeffentlich"))
    helpers.call_action("package_create", **school_dataset(department["id"], name="privat", private=True))
    helpers.call_action("package_create", **school_dataset(department["id"], name="entwurf", state="draft"))
    helpers.call_action("package_create", **school_dataset(department["id"], name="geloescht"))
    helpers.call_action("package_create", **school_dataset(department["id"], name="spaeter-privat"))
    graph_of(app, "/catalog.ttl", "turtle")  # all public ones stored and served once
    helpers.call_action("package_delete", id="geloescht")
    helpers.call_action("package_patch", id="spaeter-privat", private=True)

    for suffix, rdf_format in FORMATS.items():
        graph = graph_of(app, f"/catalog.{suffix}", rdf_format)
        names = {str(d).rsplit("/", 1)[-1] for d in graph.subjects(RDF.type, DCAT.Dataset)}
        assert names == {public["id"]}, suffix
    for name in ("privat", "entwurf", "geloescht", "spaeter-privat"):
        assert app.get(f"/dataset/{name}.ttl").status_code in (403, 404), name


def test_modified_since_lists_what_changed_and_announces_what_left(app, department):
    for name in ("bleibt", "aendert-sich", "geht", "wird-privat"):
        helpers.call_action("package_create", **school_dataset(department["id"], name=name))
    time.sleep(0.01)
    since = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(0.01)
    changed = helpers.call_action("package_patch", id="aendert-sich", title="Neu")
    gone = helpers.call_action("package_show", id="geht")
    helpers.call_action("package_delete", id="geht")
    private = helpers.call_action("package_patch", id="wird-privat", private=True)

    graph = graph_of(app, f"/catalog.ttl?modified_since={since}", "turtle")
    assert {str(d).rsplit("/", 1)[-1] for d in graph.subjects(RDF.type, DCAT.Dataset)} == {changed["id"]}
    tombstones = {str(t).rsplit("/", 1)[-1] for t in graph.subjects(RDF.type, AS.Tombstone)}
    assert tombstones == {gone["id"], private["id"]}
    for tombstone in graph.subjects(RDF.type, AS.Tombstone):
        assert (tombstone, AS.formerType, DCAT.Dataset) in graph
        deleted = graph.value(tombstone, AS.deleted).toPython()
        assert deleted >= datetime.datetime.fromisoformat(since).replace(tzinfo=None)


def test_an_organization_rename_counts_as_a_change_of_its_datasets(app, department):
    helpers.call_action("package_create", **school_dataset(department["id"]))
    since = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    graph = graph_of(app, f"/catalog.ttl?modified_since={since}", "turtle")
    assert not set(graph.subjects(RDF.type, DCAT.Dataset))

    helpers.call_action("organization_patch", id=department["id"], title="Amt für Schulen")
    graph = graph_of(app, f"/catalog.ttl?modified_since={since}", "turtle")
    assert dataset_titles(graph) == {"Schulen in Chemnitz"}


@pytest.mark.parametrize("url", ["/catalog.ttl", "/catalog.jsonld?page=1", "/dataset/schulen.rdf"])
def test_conditional_requests_are_answered_304_until_something_changes(app, department, url):
    helpers.call_action("package_create", **school_dataset(department["id"]))
    first = app.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and etag and last_modified

    assert app.get(url, headers={"If-None-Match": etag}).status_code == 304
    # as a harvester sends it back after nginx compressed the page (gzip weakens the tag)
    assert app.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert app.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert app.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200

    time.sleep(1)  # Last-Modified counts whole seconds
    helpers.call_action("package_patch", id="schulen", title="Schulen und Horte")
    again = app.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert app.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 200
    assert app.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200
