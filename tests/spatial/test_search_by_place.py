"""Finding data by place: districts assigned at indexing, ``ext_bbox`` in ``package_search`` (as
ckanext-spatial clients send it), the Stadtteil facet, and clear errors for bad boxes."""

from __future__ import annotations

import json

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import CHEMNITZ, CITY_BBOX, school_dataset
from tests.support.districts import DISTRICTS, publish_districts
from tests.support.search import search

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
# Known places (Schulen fixture): Karl-Schmidt-Rottluff-Gymnasium, Haus I, Hohe Straße 25, on the Kaßberg.
GYMNASIUM = [12.9134159452128, 50.8328645188838]
KASSBERG_BOX = "12.895,50.825,12.925,50.845"  # around Hohe Straße
KLAFFENBACH_BOX = "12.87,50.75,12.90,50.77"  # far south of the city, no school dataset here


@pytest.fixture
def organization() -> dict:
    return factories.Organization(name="stadtplanungsamt")


@pytest.fixture
def districts(organization, create_with_upload) -> dict:
    return publish_districts(organization["id"], create_with_upload)


def publish(organization: dict, name: str, location: dict | None) -> dict:
    coverage = [dict(location, uri=CHEMNITZ, text=name)] if location else []
    return helpers.call_action("package_create", **school_dataset(
        organization["id"], name=name, title=name.capitalize(), resources=[], spatial_coverage=coverage))  # fmt: skip


def point(coordinates: list[float]) -> dict:
    return {"geom": json.dumps({"type": "Point", "coordinates": coordinates})}


def test_a_school_is_assigned_its_district(organization, districts):
    publish(organization, "gymnasium", point(GYMNASIUM))
    found = search(fq='stadtteil:"Kaßberg"', **{"facet.field": '["stadtteil"]'})
    assert [d["name"] for d in found["results"]] == ["gymnasium"]
    facet = {item["name"]: item["count"] for item in found["search_facets"]["stadtteil"]["items"]}
    assert facet == {"Kaßberg": 1}


def test_a_dataset_covering_the_whole_city_gets_all_39_districts(organization, districts):
    publish(organization, "stadtweit", {"bbox": CITY_BBOX})
    found = search(q="name:stadtweit", **{"facet.field": '["stadtteil"]', "facet.limit": 100})
    names = {item["name"] for item in found["search_facets"]["stadtteil"]["items"]}
    assert len(names) == 39
    assert {"Kaßberg", "Glösa-Draisdorf", "Schloßchemnitz", "Röhrsdorf", "Zentrum"} <= names


def test_ext_bbox_finds_what_lies_in_the_box_ranked_by_overlap(organization, districts):
    publish(organization, "gymnasium", point(GYMNASIUM))
    publish(organization, "stadtweit", {"bbox": CITY_BBOX})
    publish(organization, "kassberg-karte", {"bbox": "12.896,50.826,12.924,50.844"})  # nearly the searched box
    publish(organization, "klaffenbach", {"bbox": KLAFFENBACH_BOX})
    publish(organization, "ohne-raumbezug", None)

    found = search(ext_bbox=KASSBERG_BOX)
    assert [d["name"] for d in found["results"]] == ["kassberg-karte", "stadtweit", "gymnasium"]
    assert found["count"] == 3  # no dataset without spatial coverage, nothing from Klaffenbach
    assert [d["name"] for d in search(ext_bbox=KLAFFENBACH_BOX)["results"]] == ["klaffenbach", "stadtweit"]


def test_a_place_search_with_words_ranks_by_overlap_then_by_the_words(organization):
    """The same on both backends: the dataset nearest the searched box first even where the word is
    only in its description; among datasets of the same box, the word in the title first."""
    near = {"uri": CHEMNITZ, "text": "Kaßberg", "bbox": "12.896,50.826,12.924,50.844"}
    city = {"uri": CHEMNITZ, "text": "Chemnitz", "bbox": CITY_BBOX}
    for name, title, notes, coverage in [
        ("stadt-titel", "Schulwege", "Alle Wege.", city),
        ("kassberg-beschreibung", "Kaßberg", "Schulwege auf dem Kaßberg.", near),
        ("stadt-beschreibung", "Wege", "Schulwege der Stadt.", city),
    ]:
        helpers.call_action("package_create", **school_dataset(
            organization["id"], name=name, title=title, notes=notes, tag_string="", resources=[],
            spatial_coverage=[coverage]))  # fmt: skip
    found = search(q="Schulwege", ext_bbox=KASSBERG_BOX)
    assert [d["name"] for d in found["results"]] == ["kassberg-beschreibung", "stadt-titel", "stadt-beschreibung"]


def test_ext_bbox_combines_with_q_fq_and_facets(organization, districts):
    publish(organization, "gymnasium", point(GYMNASIUM))
    publish(organization, "stadtweit", {"bbox": CITY_BBOX})
    found = search(ext_bbox=KASSBERG_BOX, q="name:gymnasium", fq="organization:stadtplanungsamt",
                   **{"facet.field": '["stadtteil"]'})  # fmt: skip
    assert [d["name"] for d in found["results"]] == ["gymnasium"]
    assert found["search_facets"]["stadtteil"]["items"] == [{"name": "Kaßberg", "display_name": "Kaßberg", "count": 1}]


def test_a_district_from_the_list_searches_its_area(organization, districts):
    publish(organization, "gymnasium", point(GYMNASIUM))
    publish(organization, "klaffenbach", {"bbox": KLAFFENBACH_BOX})
    assert [d["name"] for d in search(ext_district="Kaßberg")["results"]] == ["gymnasium"]


@pytest.mark.parametrize(
    ("bbox", "message"),
    [
        ("12.9,50.8,13.0", "four numbers"),
        ("a,b,c,d", "four numbers"),
        ("12.9,50.8,13.0,nan", "four numbers"),
        ("200,50,210,51", "outside"),
        ("13.0,50.8,12.9,50.9", "minx <= maxx"),
    ],
)
def test_a_malformed_bbox_is_a_clear_409(app, bbox, message):
    answer = app.get("/api/3/action/package_search", params={"ext_bbox": bbox}, status=409)
    assert message in answer.json["error"]["message"]
    page = app.get("/dataset/", params={"ext_bbox": bbox}, status=400)  # the search page shows an error, no 500
    assert "search-error" in page.body or "Fehler" in page.body or "error" in page.body.lower()


def test_changed_districts_reach_the_facet(organization, districts, create_with_upload):
    publish(organization, "gymnasium", point(GYMNASIUM))
    collection = json.loads(DISTRICTS.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        if feature["properties"]["STADTTNAME"] == "Kaßberg":
            feature["properties"]["STADTTNAME"] = "Kaßberg-Nord"
    resource = helpers.call_action("package_show", id="stadtteile")["resources"][0]
    create_with_upload(json.dumps(collection).encode(), "stadtteile.geojson", action="resource_update",
                       id=resource["id"], format="GeoJSON")  # fmt: skip
    assert [d["name"] for d in search(fq='stadtteil:"Kaßberg-Nord"')["results"]] == ["gymnasium"]
    assert search(fq='stadtteil:"Kaßberg"')["count"] == 0


def test_a_stale_index_entry_does_not_stop_a_districts_upload(organization, districts, create_with_upload):
    """The index may hold a dataset the catalogue lost (restored database, manual purge): the
    re-indexing after a districts upload removes that entry instead of failing the upload."""
    import ckan.model as model

    stale = publish(organization, "verschwunden", point(GYMNASIUM))
    model.Package.get(stale["id"]).purge()  # behind the index's back
    model.Session.commit()
    model.Session.remove()
    resource = helpers.call_action("package_show", id="stadtteile")["resources"][0]
    create_with_upload(DISTRICTS.read_bytes(), "stadtteile.geojson", action="resource_update",
                       id=resource["id"], format="GeoJSON")  # fmt: skip
    assert search(fq='stadtteil:"Kaßberg"')["count"] == 0
