"""``/catalog`` answers by content negotiation, like the catalogue URI a harvester is given."""

from __future__ import annotations

import pytest
import rdflib
from ckanext.dcat.profiles import DCAT, DCT

from ckanext.chemnitz.dcat import shacl
from tests.ckan_support import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]



@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("*/*", "text/turtle", "turtle"),  # curl's default
        (None, "text/turtle", "turtle"),
    ],
)
def test_the_catalogue_uri_negotiates_its_rdf_format(app, published, accept, media_type, rdf_format):
    answer = app.get("/catalog", headers={"Accept": accept} if accept else {})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(media_type)
    assert "Accept" in answer.headers["Vary"]
    graph = rdflib.Graph().parse(data=answer.get_data(), format=rdf_format)
    assert published["title"] in {str(t) for t in graph.objects(None, DCT.title)}
    assert (None, rdflib.RDF.type, DCAT.Catalog) in graph


def test_the_negotiated_catalogue_is_conformant(app, published):
    answer = app.get("/catalog", headers={"Accept": "text/turtle"})
    report = shacl.validate(rdflib.Graph().parse(data=answer.get_data(), format="turtle"), "3.0")
    violations = [f"{f.focus} {f.path}: {f.message}" for f in report.findings if f.severity == "Violation"]
    assert report.conforms, "\n".join(violations)


def test_a_browser_is_sent_to_the_dataset_search(app, published):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = app.get("/catalog", headers={"Accept": accept}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/dataset/")


def test_query_parameters_still_apply(app, published):
    answer = app.get("/catalog?q=Hochwasser", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.get_data(), format="turtle")
    assert not list(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
