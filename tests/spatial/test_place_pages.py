"""The pages of the place search: the search page's district list and map, a dataset's covered area,
and /karte listing the schools and childcare places of a district from their GeoJSON files."""

from __future__ import annotations

import json

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from shapely.geometry import Point, shape

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import CITY_BBOX, school_dataset
from tests.spatial.test_search_by_place import DISTRICTS, GYMNASIUM, point, publish
from tests.support.pages import page

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
FIXTURES = DISTRICTS.parent


@pytest.fixture
def portal(create_with_upload) -> dict:
    """Districts, schools and childcare places as the harvests publish them (city-wide, GeoJSON)."""
    org = factories.Organization(name="schulverwaltungsamt")
    published = {}
    for name, title, fixture in (("stadtteile", "Stadtteile", "Stadtteile"), ("schulen", "Schulen", "Schulen"),
                                 ("kitas", "Kindertageseinrichtungen", "Kindertageseinrichtungen")):  # fmt: skip
        coverage = [] if name == "stadtteile" else [{"text": "Chemnitz", "bbox": CITY_BBOX}]
        dataset = helpers.call_action("package_create", **school_dataset(
            org["id"], name=name, title=title, resources=[], spatial_coverage=coverage))  # fmt: skip
        create_with_upload((FIXTURES / f"{fixture}.geojson").read_bytes(), f"{name}.geojson",
                           package_id=dataset["id"], format="GeoJSON", name=f"{title} (GeoJSON)")  # fmt: skip
        published[name] = dataset
    published["org"] = org
    return published


def test_the_search_page_offers_the_districts_and_narrows_to_one(app, portal):
    publish(portal["org"], "gymnasium", point(GYMNASIUM))
    search = page(app, "/dataset/")
    options = search.xpath("//select[@name='ext_district']/option/text()")
    assert len(options) == 40 and "Kaßberg" in options and options[0] == "das ganze Stadtgebiet"
    assert search.xpath("//label[@for='place-search-district']/text()") == ["Stadtteil"]
    facet_headings = [
        " ".join(t.split()) for t in search.xpath("//section[contains(@class, 'module-narrow')]//h2/text()")
    ]
    assert "Stadtteil" in facet_headings

    narrowed = page(app, "/dataset/", ext_district="Klaffenbach")
    titles = [t.strip() for t in narrowed.xpath("//h2[contains(@class, 'dataset-heading')]/a/text()")]
    assert "Gymnasium" not in titles and {"Schulen", "Kindertageseinrichtungen"} <= set(titles)
    assert narrowed.xpath("//div[@class='chemnitz-place-map']/@data-bbox")[0].startswith("12.8")
    assert narrowed.xpath("//select[@name='ext_district']/option[@selected]/text()") == ["Klaffenbach"]


def test_a_bad_search_area_is_explained_in_german(app, portal):
    search = page(app, "/dataset/", status=400, ext_bbox="13.5,50.8,12.9")  # the page, as a client error
    alert = " ".join(search.xpath("//p[@role='alert']//text()"))
    assert "Das Suchgebiet konnte nicht verwendet werden" in alert
    assert "vier Zahlen" in alert


def test_the_dataset_page_shows_its_area_and_districts(app, portal):
    publish(portal["org"], "gymnasium", point(GYMNASIUM))
    dataset = page(app, "/dataset/gymnasium")
    section = dataset.xpath("//section[contains(@class, 'chemnitz-coverage')]")[0]
    text = " ".join(section.text_content().split())
    assert "Stadtteil: Kaßberg" in text
    assert "West 12.9134, Süd 50.8329" in text
    geometry = json.loads(section.xpath(".//script[@class='chemnitz-place-geometry']/text()")[0])
    assert geometry == {"type": "Point", "coordinates": GYMNASIUM}


def test_karte_lists_the_schools_and_childcare_places_of_a_district(app, portal):
    karte = page(app, "/karte", ext_district="Kaßberg")
    groups = {
        section.xpath(".//h3/a/text()")[0]: [li.text.strip() for li in section.xpath(".//li")]
        for section in karte.xpath("//section[@class='chemnitz-karte-group']")
    }
    assert set(groups) == {"Schulen", "Kindertageseinrichtungen"}
    assert "Karl-Schmidt-Rottluff-Gymnasium, Haus I" in groups["Schulen"]
    assert "Sportgymnasium Chemnitz" not in groups["Schulen"]  # Reichenhainer Straße, far from the Kaßberg
    district = helpers.call_action("package_search", ext_district="Kaßberg")  # the same area as the API sees it
    assert district["count"] == 2
    points = json.loads(karte.xpath("//script[@class='chemnitz-place-points']/text()")[0])
    assert len(points) == sum(len(names) for names in groups.values())
    kassberg = next(
        f for f in json.loads(DISTRICTS.read_text())["features"] if f["properties"]["STADTTNAME"] == "Kaßberg"
    )
    assert all(shape(kassberg["geometry"]).intersects(Point(p["lon"], p["lat"])) for p in points)  # the polygon
    heading = karte.xpath("//h2[@aria-live='polite']/text()")[0]
    assert heading.startswith(f"{len(points)} Einrichtungen")


def test_karte_without_an_area_asks_for_one(app, portal):
    karte = page(app, "/karte")
    assert not karte.xpath("//section[@class='chemnitz-karte-group']")
    assert "Wählen Sie einen Stadtteil" in karte.text_content()
