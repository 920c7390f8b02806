"""Dataset series: a series of yearly datasets, its navigation, and its DCAT-AP.de 3.0 RDF."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import rdflib
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.profiles import DCAT, DCT

from ckanext.chemnitz.dcat import shacl
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


@pytest.fixture
def editor() -> dict:
    return {"user": factories.Sysadmin()["name"]}


@pytest.fixture
def series(editor, org) -> dict:
    created = helpers.call_action(
        "package_create",
        type="dataset_series",
        name="schulen-schuljahre",
        title="Schulen in Chemnitz nach Schuljahren",
        notes="Zu jedem Schuljahr ein Datensatz mit den Schulstandorten.",
        owner_org=org["id"],
        publisher=[{"name": "Stadt Chemnitz, Schulverwaltungsamt"}],
        series_order_field="issued",
    )
    for year in (2023, 2024, 2025):
        helpers.call_action(
            "package_create",
            context=dict(editor),
            **school_dataset(
                org["id"],
                name=f"schulen-{year}",
                title=f"Schulen in Chemnitz {year}/{year + 1 - 2000}",
                issued=f"{year}-09-01",
                in_series=[created["id"]],
            ),
        )
    return created


def test_members_know_their_neighbours(series):
    assert helpers.call_action("package_show", id=series["id"])["series_navigation"]["count"] == 3
    middle = helpers.call_action("package_show", id="schulen-2024")
    navigation = middle["series_navigation"][0]
    assert navigation["id"] == series["id"]
    assert navigation["previous"]["name"] == "schulen-2023"
    assert navigation["next"]["name"] == "schulen-2025"


def test_a_member_of_an_unknown_series_is_refused(series, editor):
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action(
            "package_create",
            context=dict(editor),
            **school_dataset(series["owner_org"], name="schulen-x", in_series=["keine-reihe"]),
        )
    assert "in_series" in refused.value.error_dict


def test_the_catalogue_holds_the_series_and_its_members_conformant(app, series):
    graph = rdflib.Graph().parse(data=app.get("/catalog.ttl").get_data(), format="turtle")
    series_ref = rdflib.URIRef(f"{tk.config['ckan.site_url']}/dataset/{series['id']}")
    assert (series_ref, rdflib.RDF.type, DCAT.DatasetSeries) in graph
    assert str(graph.value(series_ref, DCT.title)) == "Schulen in Chemnitz nach Schuljahren"
    members = {str(graph.value(m, DCT.title)) for m in graph.subjects(DCAT.inSeries, series_ref)}
    assert members == {"Schulen in Chemnitz 2023/24", "Schulen in Chemnitz 2024/25", "Schulen in Chemnitz 2025/26"}
    for profile in ("3.0", "2.0"):
        if profile == "2.0":
            graph = rdflib.Graph().parse(
                data=app.get("/catalog.ttl?profiles=dcat_ap_de_2").get_data(), format="turtle"
            )
        report = shacl.validate(graph, profile)
        violations = [f"{f.focus} {f.path}: {f.message}" for f in report.findings if f.severity == "Violation"]
        assert not violations, "\n".join(violations)


def test_series_membership_survives_the_round_trip(app, series):
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.parse(app.get("/catalog.ttl").get_data(), _format="turtle")
    parsed = {d["title"]: d for d in parser.datasets()}
    assert parsed["Schulen in Chemnitz 2024/25"]["in_series"] == [series["id"]]


@pytest.mark.ckan_config("ckan.locale_default", "de")
def test_the_series_form_and_page_are_german(app, series):
    headers = {"Authorization": factories.APIToken(user=factories.Sysadmin()["name"])["token"]}
    form = app.get("/dataset_series/new", headers=headers)
    assert form.status_code == 200
    assert "Reihenfolge nach" in form.body and "Veröffentlichungsdatum" in form.body
    page = app.get(f"/dataset_series/{series['name']}").body
    assert "Schulen in Chemnitz nach Schuljahren" in page
