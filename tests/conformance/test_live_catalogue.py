"""The live catalogue of the test portal (after the pipeline suites harvested every source into it).

Run by ``make test`` after the pipeline tests, against the portal of ``scripts/e2e-portal.sh``:
the DCAT endpoints as GovData and data.europa.eu use them, every page validated with the
official shapes, and ckanext-dcat's own parser reading the catalogue back.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
import rdflib
from ckanext.dcat.processors import RDFParser

from ckanext.chemnitz.dcat import catalog, shacl
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.test_profile import ROUND_TRIP_FIELDS
from tests.support import rdf
from tests.support.portal import as_pipelines

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins"),
]
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DATE_FALLBACKS = {"issued": "metadata_created", "modified": "metadata_modified"}
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def get(url: str, accept: str | None = None) -> tuple[str, bytes]:
    """A page as a harvester fetches it: its content type and body."""
    headers = {"Accept": accept} if accept else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as answer:
        return answer.headers.get("Content-Type", ""), answer.read()


@pytest.mark.parametrize("profile", ["3.0", "2.0"])
def test_every_page_of_the_catalogue_has_no_violation(portal, published, profile):
    start = f"{portal['CKAN_URL']}/catalog.ttl"
    if profile == "2.0":
        start = catalog.with_profile(start, "dcat_ap_de_2")
    graphs = list(catalog.pages(start))
    datasets = {str(d) for g in graphs for d in g.subjects(rdflib.RDF.type, DCAT.Dataset)}
    assert len(datasets) == len(published)
    findings = [f for g in graphs for f in shacl.validate(g, profile).findings]
    violations = [f"{f.focus} {f.path}: {f.message}" for f in findings if f.severity == "Violation"]
    assert not violations, "\n".join(violations)


@pytest.mark.usefixtures("with_extended_cli")
def test_the_validate_command_reports_the_counts(portal, published, cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["chemnitz", "validate", "--url", f"{portal['CKAN_URL']}/catalog.ttl"])
    assert result.exit_code == 0, result.output
    assert re.search(r"DCAT-AP\.de 3\.0: 0 violations, \d+ warnings", result.output)
    assert re.search(r"DCAT-AP\.de 2\.0: 0 violations", result.output)


@pytest.mark.parametrize(
    ("suffix", "media_type", "rdf_format"),
    [
        ("ttl", "text/turtle", "turtle"),
        ("rdf", "application/rdf+xml", "xml"),
        ("jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_catalogue_and_dataset_endpoints_in_each_format(portal, published, suffix, media_type, rdf_format):
    content_type, body = get(f"{portal['CKAN_URL']}/catalog.{suffix}")
    assert content_type.startswith(media_type)
    assert (None, rdflib.RDF.type, DCAT.Catalog) in rdflib.Graph().parse(data=body, format=rdf_format)
    name = published[0]["name"]
    _, body = get(f"{portal['CKAN_URL']}/dataset/{name}.{suffix}")
    titles = [str(t) for t in rdflib.Graph().parse(data=body, format=rdf_format).objects(None, DCT.title)]
    assert published[0]["title"] in titles


def test_the_negotiated_catalogue_uri_is_conformant(portal, published):
    content_type, body = get(f"{portal['CKAN_URL']}/catalog", accept="text/turtle")
    assert content_type.startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))) == len(published)
    assert shacl.validate(graph, "3.0").conforms


def test_content_negotiation_and_paging(portal, published):
    content_type, body = get(f"{portal['CKAN_URL']}/dataset/{published[0]['name']}", accept="text/turtle")
    assert content_type.startswith("text/turtle")
    assert published[0]["title"] in rdf.dataset_titles(rdf.graph(body))
    _, body = get(f"{portal['CKAN_URL']}/catalog.ttl?q=Schulen")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    titles = {str(t) for d in graph.subjects(rdflib.RDF.type, DCAT.Dataset) for t in graph.objects(d, DCT.title)}
    assert "Schulen in Chemnitz" in titles and len(titles) < len(published)
    _, body = get(f"{portal['CKAN_URL']}/catalog.ttl?modified_since=2999-01-01")
    assert not list(rdflib.Graph().parse(data=body, format="turtle").subjects(rdflib.RDF.type, DCAT.Dataset))


def test_dataset_pages_embed_schema_org_json_ld(portal, published):
    _, body = get(f"{portal['CKAN_URL']}/dataset/{published[0]['name']}")
    blocks = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert blocks, "no JSON-LD block on the dataset page"
    texts = [json.dumps(json.loads(block), ensure_ascii=False) for block in blocks]  # "ä" may be escaped
    assert any(published[0]["title"] in text for text in texts)


def test_private_datasets_never_appear(portal, published):
    private = as_pipelines(portal).action.package_create(
        name="intern-unveroeffentlicht",
        title="Interner Entwurf Haushaltsplanung",
        notes="Nicht öffentlich.",
        owner_org=published[0]["organization"]["name"],
        private=True,
        publisher=[{"name": "Stadt Chemnitz"}],
    )
    try:
        for path in ("/catalog.ttl", "/catalog.ttl?q=Haushaltsplanung", "/catalog.jsonld"):
            _, body = get(portal["CKAN_URL"] + path)
            assert b"Haushaltsplanung" not in body and private["id"].encode() not in body
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(f"{portal['CKAN_URL']}/dataset/{private['name']}.ttl")
        assert refused.value.code in (403, 404)
    finally:
        as_pipelines(portal).action.package_delete(id=private["id"])


def test_ckanext_dcat_parser_imports_the_catalogue_intact(portal, published):
    parser = RDFParser(profiles=["dcat_ap_de"])
    for graph in catalog.pages(f"{portal['CKAN_URL']}/catalog.ttl"):
        for triple in graph:
            parser.g.add(triple)
    imported = {d["title"]: d for d in parser.datasets()}
    for original in published:
        again = imported[original["title"]]
        for key in ROUND_TRIP_FIELDS:
            # ckanext-dcat writes dct:issued/dct:modified from the portal's timestamps when the
            # dataset has no dates of its own, and the profile names the responsible department as
            # dcatde:maintainer when it has no maintainer: those come back filled in.
            fallback = (
                original["organization"]["title"] if key == "maintainer" else original.get(DATE_FALLBACKS.get(key, key))
            )
            expected, value = original.get(key) or fallback, again.get(key)
            if isinstance(expected, list):  # RDF has no order: themes, languages … compare as sets
                expected, value = sorted(expected), sorted(value or [])
            assert value == expected, (original["name"], key)
        resources = {r["name"]: r for r in again["resources"]}
        for resource in original["resources"]:
            for key in ("url", "format", "mimetype", "size", "description", "status"):
                assert (resources[resource["name"]].get(key) or None) == (resource.get(key) or None), (
                    original["name"], resource["name"], key
                )  # fmt: skip
        assert again["license_id"] == original["license_id"] == "dl-by-de/2.0"
        assert sorted(again["theme"]) == sorted(original["theme"])
        assert again["publisher"][0]["name"] == original["publisher"][0]["name"]
        assert again["spatial_coverage"][0]["uri"] == original["spatial_coverage"][0]["uri"]
        assert again.get("temporal_coverage") == original.get("temporal_coverage")
        assert again.get("hvd_category") == original.get("hvd_category")
