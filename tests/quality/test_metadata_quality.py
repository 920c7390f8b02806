"""Metadata quality: scored like data.europa.eu's MQA, shown on the dataset page, a facet, a sort
and the catalogue average on the home page."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.chemnitz.quality import assessment
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def sparse(owner_org: str) -> dict:
    """What the schema accepts at the least: title, description, publisher, one XLSX file without an address."""
    return {
        "name": "baustellen",
        "title": "Baustellen",
        "notes": "Aktuelle Baustellen im Stadtgebiet.",
        "owner_org": owner_org,
        "publisher": [{"name": "Stadt Chemnitz, Tiefbauamt"}],
        "license_id": "",
        "resources": [{"name": "Liste", "url": "", "format": "XLSX"}],  # no address yet
    }


@pytest.fixture
def datasets() -> dict[str, dict]:
    org = factories.Organization(name="schulverwaltungsamt")
    complete = helpers.call_action("package_create", **school_dataset(org["id"], tag_string="Bildung,Schule"))
    poor = helpers.call_action("package_create", **sparse(org["id"]))
    return {"complete": complete, "sparse": poor}


def test_a_complete_dataset_rates_excellent_and_a_sparse_one_lists_what_is_missing(datasets):
    complete = assessment.assess(datasets["complete"])
    poor = assessment.assess(datasets["sparse"])
    assert complete.rating == "excellent" and complete.percent >= 87
    assert poor.rating != "excellent" and poor.percent <= 60 < complete.percent
    missing = {result.indicator.key for result in poor.to_improve()}
    assert {"keywords", "themes", "spatial", "temporal", "contact_point", "non_proprietary", "download_url"} <= missing
    assert "publisher" not in missing and "machine_readable" not in missing  # XLSX is machine-readable


def test_distribution_indicators_count_in_proportion(datasets):
    # One of the two distributions has a size and a download URL of its own: half the points.
    dataset = dict(datasets["complete"])
    dataset["resources"] = [dict(r, download_url=r["url"]) if r["format"] == "CSV" else r for r in dataset["resources"]]
    results = {r.indicator.key: r for r in assessment.assess(dataset).results}
    assert results["download_url"].earned == 10 and results["byte_size"].earned == 2.5


def test_the_api_reports_every_indicator(datasets):
    shown = helpers.call_action("chemnitz_metadata_quality_show", id="baustellen")
    assert shown["maximum"] == 375
    assert set(shown["dimensions"]) == set(assessment.DIMENSIONS)
    assert len(shown["indicators"]) == len(assessment.INDICATORS)
    assert shown["percent"] == assessment.assess(datasets["sparse"]).percent


def test_search_sorts_and_facets_by_quality(datasets):
    best_first = helpers.call_action("package_search", sort="metadata_quality desc")["results"]
    assert [d["name"] for d in best_first] == ["schulen", "baustellen"]
    worst_first = helpers.call_action("package_search", sort="metadata_quality asc")["results"]
    assert [d["name"] for d in worst_first] == ["baustellen", "schulen"]
    facet = {"facet.field": '["metadata_quality_rating"]'}
    found = helpers.call_action("package_search", fq="metadata_quality_rating:excellent", **facet)
    assert [d["name"] for d in found["results"]] == ["schulen"]
    everything = helpers.call_action("package_search", **facet)["search_facets"]["metadata_quality_rating"]
    sparse_rating = assessment.assess(datasets["sparse"]).rating
    labels = {item["name"]: item["display_name"] for item in everything["items"]}
    assert labels == {"excellent": "Excellent", sparse_rating: assessment.RATING_LABELS[sparse_rating]}


def test_the_dataset_page_shows_the_score_and_german_advice(app, datasets):
    page = app.get("/dataset/baustellen").body
    percent = assessment.assess(datasets["sparse"]).percent
    assert "Metadatenqualität" in page
    assert f"{percent} %" in page
    assert "Schlagwörter (Tags) ergänzen." in page
    assert "Auffindbarkeit" in page and "Wiederverwendbarkeit" in page


def test_the_search_page_offers_the_facet_and_the_sort_in_german(app, datasets):
    page = app.get("/dataset/", query_string={"sort": "metadata_quality desc, title_string asc"}).body
    assert "Metadatenqualität" in page
    assert "Ausgezeichnet" in page
    assert 'value="metadata_quality desc, title_string asc" selected' in page
    assert page.index("Schulen in Chemnitz") < page.index("Baustellen")


def test_the_home_page_shows_the_catalogue_average(app, datasets):
    scores = [assessment.assess(d).percent for d in datasets.values()]
    page = app.get("/").body
    assert "Metadatenqualität des Katalogs" in page
    assert f"{round(sum(scores) / len(scores))} %" in page
    assert "Durchschnitt von 2 Datensätzen" in page


def test_private_datasets_do_not_count_in_the_average(app, datasets):
    helpers.call_action("package_patch", id="baustellen", private=True)
    page = app.get("/").body
    assert f"{assessment.assess(datasets['complete']).percent} %" in page
    assert "Durchschnitt von 1 Datensatz" in page


def test_files_stored_by_the_portal_count_as_download_urls(datasets):
    complete = datasets["complete"]
    stored = dict(complete, resources=[dict(r, url_type="upload") for r in complete["resources"]])
    results = {r.indicator.key: r for r in assessment.assess(stored).results}
    assert results["download_url"].met
