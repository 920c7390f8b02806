"""The city's values in the DCAT-AP.de catalogue are settings with Chemnitz's as defaults: the area
the catalogue covers (``ckanext.chemnitz.dcat.regional_key``) and the contributor ID of a delivery
through Open Data Sachsen (``ckanext.chemnitz.dcat.contributor_id``, empty: none written)."""

from __future__ import annotations

import ckan.tests.helpers as helpers
import pytest
import rdflib
from ckan.exceptions import CkanConfigurationException
from ckanext.dcat.profiles import DCAT, DCT
from rdflib import RDF, URIRef

from ckanext.chemnitz.dcat.profile import DCATDE
from ckanext.chemnitz.plugin import ChemnitzPlugin
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import CHEMNITZ, school_dataset
from tests.support import rdf

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_dcat_store", "clean_index"),
]
DRESDEN = URIRef("http://dcat-ap.de/def/politicalGeocoding/regionalKey/146120000000")
SAXONY = URIRef("http://dcat-ap.de/def/contributors/freistaatSachsen")


def published_catalogue(app, org: dict) -> tuple[rdflib.Graph, rdflib.term.Node, rdflib.term.Node]:
    """The portal's /catalog.ttl with the school dataset in it: graph, catalogue and dataset node."""
    helpers.call_action("package_create", **school_dataset(org["id"]))
    graph = rdf.graph(app.get("/catalog.ttl").body)
    [catalogue] = graph.subjects(RDF.type, DCAT.Catalog)
    [dataset] = graph.objects(catalogue, DCAT.dataset)
    return graph, catalogue, dataset


def test_by_default_the_catalogue_covers_chemnitz_and_names_no_contributor(app, org):
    graph, catalogue, dataset = published_catalogue(app, org)
    assert set(graph.objects(catalogue, DCT.spatial)) == {URIRef(CHEMNITZ)}
    assert (URIRef(CHEMNITZ), RDF.type, DCT.Location) in graph
    assert list(graph.objects(dataset, DCATDE.contributorID)) == []


@pytest.mark.ckan_config("ckanext.chemnitz.dcat.regional_key", "146120000000")
@pytest.mark.ckan_config("ckanext.chemnitz.dcat.contributor_id", str(SAXONY))
def test_the_area_and_the_contributor_come_from_the_settings(app, org):
    graph, catalogue, dataset = published_catalogue(app, org)
    assert set(graph.objects(catalogue, DCT.spatial)) == {DRESDEN}
    assert (DRESDEN, RDF.type, DCT.Location) in graph
    assert set(graph.objects(dataset, DCATDE.contributorID)) == {SAXONY}


def test_a_regional_key_that_is_not_twelve_digits_stops_the_start():
    with pytest.raises(CkanConfigurationException, match=r"ckanext\.chemnitz\.dcat\.regional_key: '14511' .*12 digits"):
        ChemnitzPlugin().configure({"ckanext.chemnitz.dcat.regional_key": "14511"})
    ChemnitzPlugin().configure({"ckanext.chemnitz.dcat.regional_key": "146120000000"})
