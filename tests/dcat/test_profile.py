"""The ``dcat_ap_de`` profile: conformant with the official shapes, and parsed back unchanged."""

from __future__ import annotations

import pytest
import rdflib
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.profiles import DCAT, DCT, VCARD
from rdflib import RDF, Literal, URIRef

from ckanext.chemnitz.dcat import shacl
from ckanext.chemnitz.dcat.profile import DCATDE
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import CHEMNITZ
from tests.support import rdf

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def catalogue(datasets: list[dict], profile: str = "dcat_ap_de"):
    serializer = RDFSerializer(profiles=[profile])
    catalog_ref = serializer.graph_from_catalog({})
    for dataset in datasets:
        serializer.g.add((catalog_ref, DCAT.dataset, serializer.graph_from_dataset(dataset)))
    return serializer.g


@pytest.mark.parametrize(("profile", "rdf_profile"), [("3.0", "dcat_ap_de"), ("2.0", "dcat_ap_de_2")])
def test_a_complete_dataset_has_no_violation(published, profile, rdf_profile):
    report = shacl.validate(catalogue([published], rdf_profile), profile)
    violations = [f"{f.focus} {f.path}: {f.message}" for f in report.findings if f.severity == "Violation"]
    assert report.conforms, "\n".join(violations)
    if profile == "3.0":  # the 2.0-only properties give deprecation warnings, nothing worse
        deprecated = {f.path.rsplit("/", 1)[-1] for f in report.findings if f.message.startswith("Deprecated")}
        assert deprecated == {"maintainer", "originator", "legalBasis", "politicalGeocodingURI"}


def test_a_dataset_without_publisher_violates_3_0(published):
    graph = catalogue([published])
    graph.remove((None, DCT.publisher, None))
    report = shacl.validate(graph, "3.0")
    assert not report.conforms
    assert any("publisher" in finding.path for finding in report.findings if finding.severity == "Violation")


def test_german_properties_are_written(published):
    graph = catalogue([published])
    [dataset] = graph.subjects(RDF.type, DCAT.Dataset)
    distributions = {str(graph.value(d, DCT.title)): d for d in graph.objects(dataset, DCAT.distribution)}
    geojson = distributions["Schulen (GeoJSON)"]
    [contact] = graph.objects(dataset, DCAT.contactPoint)
    expected = [
        (dataset, DCATDE.politicalGeocodingURI, URIRef(CHEMNITZ)),
        (
            dataset,
            DCATDE.politicalGeocodingLevelURI,
            URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality"),
        ),
        *((d, DCATDE.licenseAttributionByText, Literal("Stadt Chemnitz")) for d in distributions.values()),
        (None, DCT.license, URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")),
        (geojson, DCT["format"], URIRef("http://publications.europa.eu/resource/authority/file-type/GEOJSON")),
        (geojson, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/application/geo+json")),
        (contact, VCARD.hasEmail, URIRef("mailto:schulverwaltungsamt@stadt-chemnitz.de")),
        (dataset, DCATDE.legalBasis, Literal("Sächsisches Schulgesetz")),
    ]
    assert len(distributions) == 2
    assert not rdf.missing(graph, expected)


ROUND_TRIP_FIELDS = (
    "title", "notes", "theme", "license_id", "license_attribution_by_text", "frequency", "language",
    "access_rights", "conforms_to", "legal_basis", "maintainer", "maintainer_email", "originator",
    "political_geocoding_level_uri", "issued", "modified",
)  # fmt: skip


def test_serialise_then_parse_gives_the_same_dataset(published):
    graph = catalogue([published])
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.g = graph
    (parsed,) = list(parser.datasets())
    for key in ROUND_TRIP_FIELDS:
        assert parsed.get(key) == published.get(key), key
    assert [t["name"] for t in parsed["tags"]] == [t["name"] for t in published["tags"]]
    assert parsed["publisher"][0]["name"] == published["publisher"][0]["name"]
    assert parsed["publisher"][0]["email"] == published["publisher"][0]["email"]
    assert parsed["contact"][0]["email"] == published["contact"][0]["email"]
    assert parsed["temporal_coverage"] == published["temporal_coverage"]
    assert parsed["spatial_coverage"][0]["uri"] == published["spatial_coverage"][0]["uri"]
    assert parsed["spatial_coverage"][0]["bbox"] == published["spatial_coverage"][0]["bbox"]
    by_name = {r["name"]: r for r in parsed["resources"]}
    for resource in published["resources"]:
        again = by_name[resource["name"]]
        for key in ("url", "format", "mimetype", "size", "hash", "status", "availability", "description"):
            assert (again.get(key) or None) == (resource.get(key) or None), (resource["name"], key)


def test_a_file_stored_by_the_portal_is_its_own_download_url(published):
    stored = dict(published["resources"][0], url_type="upload")
    graph = catalogue([dict(published, resources=[stored])])
    assert (None, DCAT.downloadURL, rdflib.URIRef(stored["url"])) in graph
    linked = catalogue([published])
    assert not list(linked.objects(None, DCAT.downloadURL))  # links elsewhere are access URLs only
