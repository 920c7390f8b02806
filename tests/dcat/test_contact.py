"""Who to ask: every dataset names a contact point and its department; its dates are consistent."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import rdflib
from ckanext.dcat.profiles import DCAT, DCT, FOAF, VCARD
from rdflib import RDF, URIRef

from ckanext.chemnitz.dcat.catalog import HYDRA
from ckanext.chemnitz.dcat.profile import DCATDE
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_dcat_store", "clean_index"),
]

DECLARED = """
organizations:
  - name: tiefbauamt
    title: Tiefbauamt
    description: Parken in Chemnitz.
    contact:
      email: parken@example.org
"""


def dataset_graph(app, name: str) -> tuple[rdflib.Graph, URIRef]:
    answer = app.get(f"/dataset/{name}.ttl")
    assert answer.status_code == 200
    graph = rdflib.Graph().parse(data=answer.get_data(), format="turtle")
    return graph, next(graph.subjects(RDF.type, DCAT.Dataset))


def contact_cards(graph: rdflib.Graph, dataset: URIRef) -> list[dict[str, object]]:
    return [
        {
            "types": set(graph.objects(card, RDF.type)),
            "fn": str(graph.value(card, VCARD.fn)),
            "url": graph.value(card, VCARD.hasURL),
            "email": graph.value(card, VCARD.hasEmail),
        }
        for card in graph.objects(dataset, DCAT.contactPoint)
    ]


def test_a_dataset_without_contact_names_its_department_and_the_portal_contact_page(app):
    org = factories.Organization(name="schulverwaltungsamt", title="Schulverwaltungsamt")
    helpers.call_action("package_create", **school_dataset(org["id"], contact=[], maintainer="", maintainer_email=""))
    graph, dataset = dataset_graph(app, "schulen")

    [card] = contact_cards(graph, dataset)
    assert VCARD.Organization in card["types"]
    assert card["fn"] == "Schulverwaltungsamt"
    assert card["email"] is None
    url = urlsplit(str(card["url"]))
    assert url.path == "/kontakt" and parse_qs(url.query) == {"stelle": ["schulverwaltungsamt"]}
    [maintainer] = graph.objects(dataset, DCATDE.maintainer)
    assert (maintainer, RDF.type, FOAF.Organization) in graph
    assert str(graph.value(maintainer, FOAF.name)) == "Schulverwaltungsamt"

    page = app.get(f"{url.path}?{url.query}")  # the contact point is a real page of the portal
    assert page.status_code == 200
    assert "Schulverwaltungsamt" in page.get_data(as_text=True)


def test_a_department_declares_its_own_contact(app, tmp_path: Path, ckan_config, monkeypatch):
    declarations = tmp_path / "organizations.yaml"
    declarations.write_text(DECLARED, encoding="utf-8")
    monkeypatch.setitem(ckan_config, "ckanext.chemnitz.organizations", str(declarations))
    org = factories.Organization(name="tiefbauamt", title="Tiefbauamt")
    helpers.call_action("package_create", **school_dataset(org["id"], name="reisebus", contact=[], maintainer_email=""))
    graph, dataset = dataset_graph(app, "reisebus")

    [card] = contact_cards(graph, dataset)
    assert card["fn"] == "Tiefbauamt"
    assert card["email"] == URIRef("mailto:parken@example.org")
    assert card["url"] is None


def test_the_dataset_s_own_contact_wins(app, published):
    graph, dataset = dataset_graph(app, published["name"])
    [card] = contact_cards(graph, dataset)
    assert card["email"] == URIRef("mailto:schulverwaltungsamt@stadt-chemnitz.de")
    assert "/kontakt" not in str(card["url"])


def test_the_dataset_page_shows_whom_to_ask(app):
    org = factories.Organization(name="vermessungsamt", title="Städtisches Vermessungsamt")
    dataset = school_dataset(org["id"], name="stadtteile", contact=[], maintainer_email="")
    helpers.call_action("package_create", **dataset)
    page = app.get("/dataset/stadtteile").get_data(as_text=True)
    assert "Ansprechpartner" in page
    assert "/kontakt?stelle=vermessungsamt" in page


def test_the_contact_page_lists_the_departments_and_refuses_unknown_ones(app):
    factories.Organization(name="vermessungsamt", title="Städtisches Vermessungsamt")
    overview = app.get("/kontakt")
    assert overview.status_code == 200
    assert "/kontakt?stelle=vermessungsamt" in overview.get_data(as_text=True)
    assert app.get("/kontakt?stelle=gibt-es-nicht").status_code == 404


def moment(literal: rdflib.Literal) -> datetime:
    value = literal.toPython()
    return value if isinstance(value, datetime) else datetime.combine(value, time.min)


def every_page(app, url: str) -> list[rdflib.Graph]:
    graphs = []
    while url:
        graph = rdflib.Graph().parse(data=app.get(url).get_data(), format="turtle")
        graphs.append(graph)
        following = [str(o) for o in graph.objects(None, HYDRA.next)]
        url = urlsplit(following[0])._replace(scheme="", netloc="").geturl() if following else ""
    return graphs


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_no_date_in_the_catalogue_says_modified_before_issued(app):
    """The whole catalogue, as a harvester reads it: datasets created with resources, resources
    added and changed later, datasets without any date of their own."""
    org = factories.Organization()
    for number in range(3):
        created = helpers.call_action(
            "package_create", **school_dataset(org["id"], name=f"schulen-{number}", issued=None, modified=None)
        )
    helpers.call_action("resource_create", package_id=created["id"], url="https://example.org/neu.csv", format="CSV")
    helpers.call_action("resource_patch", id=created["resources"][0]["id"], description="Geändert.")

    checked = 0
    for graph in every_page(app, "/catalog.ttl"):
        for subject in set(graph.subjects(DCT.issued, None)):
            issued, modified = graph.value(subject, DCT.issued), graph.value(subject, DCT.modified)
            if modified is not None:
                assert moment(modified) >= moment(issued), f"{subject}: modified {modified} < issued {issued}"
                checked += 1
    assert checked >= 3 + 7  # every dataset and every distribution
