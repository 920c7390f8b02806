"""The home page: search first, EU themes with German labels and counts, newest and most used datasets."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from ckanext.chemnitz import usage
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index", "clean_usage"),
]
EDUC = "http://publications.europa.eu/resource/authority/data-theme/EDUC"


@pytest.fixture
def clean_usage():
    usage.reset()
    yield
    usage.reset()


@pytest.fixture
def schools() -> dict:
    org = factories.Organization(name="schulverwaltungsamt", title="Schulverwaltungsamt")
    return helpers.call_action("package_create", **school_dataset(org["id"]))


def home(app) -> html.HtmlElement:
    return html.fromstring(app.get("/", status=200).body)


def test_the_search_form_comes_first_and_searches_datasets(app, schools):
    page = home(app)
    main = page.xpath("//div[@role='main']")[0]
    first_form = main.xpath(".//form")[0]
    assert first_form.get("role") == "search" and first_form.get("action") == "/dataset/"
    assert main.xpath(".//label[@for='home-search-q']")[0].text_content().strip() == "Datensätze durchsuchen"


def test_themes_show_german_labels_and_counts_and_filter_the_search(app, schools):
    tiles = {
        " ".join(a.xpath(".//span[@class='chemnitz-tile-label']")[0].text_content().split()): a.get("href")
        for a in home(app).xpath("//ul[contains(@class, 'chemnitz-theme-tiles')]//a")
    }
    assert len(tiles) == 13
    assert "Bildung, Kultur und Sport" in tiles
    found = app.get(tiles["Bildung, Kultur und Sport"]).body
    assert "Schulen in Chemnitz" in found
    facets = helpers.call_action("package_search", **{"facet.field": ["theme"]})["facets"]["theme"]
    assert facets.get(EDUC) == 1  # one facet value per theme, not the JSON list


def test_most_used_counts_page_views_of_visible_datasets(app, schools):
    assert "Noch wurde kein Datensatz genutzt." in home(app).text_content()
    for _ in range(3):
        app.get(f"/dataset/{schools['name']}", status=200)
    app.get(f"/dataset/{schools['id']}", status=200)  # by id: the same dataset
    app.get("/dataset/does-not-exist", status=404)  # not counted
    used = home(app).xpath("//section[@aria-labelledby='home-used-heading']//li")
    assert [" ".join(li.text_content().split()) for li in used] == ["Schulen in Chemnitz 4-mal genutzt"]

    helpers.call_action("package_patch", id=schools["id"], private=True)
    assert home(app).xpath("//section[@aria-labelledby='home-used-heading']//li") == []


def test_the_summary_follows_every_catalogue_change_at_once(app, schools):
    """The home page's cached figures change with the next view after a dataset or department changed."""

    def stats() -> str:
        return " ".join(home(app).xpath("//p[@class='chemnitz-home-stats']")[0].text_content().split())

    def newest() -> list[str]:
        return [a.text_content() for a in home(app).xpath("//section[@aria-labelledby='home-newest-heading']//li/a")]

    assert stats().startswith("1 Datensatz · 1 Fachamt")
    second = helpers.call_action(
        "package_create",
        **dict(school_dataset(schools["owner_org"]), name="schulen-2", title="Schulen, zweite Fassung"),
    )
    assert stats().startswith("2 Datensätze")
    assert newest() == ["Schulen, zweite Fassung", "Schulen in Chemnitz"]

    helpers.call_action("package_patch", id=second["id"], private=True)
    assert stats().startswith("1 Datensatz") and newest() == ["Schulen in Chemnitz"]

    helpers.call_action("organization_patch", id=schools["owner_org"], title="Amt für Schulen")
    tiles = home(app).xpath("//ul[contains(@class, 'chemnitz-department-tiles')]//span[@class='chemnitz-tile-label']")
    assert [tile.text_content() for tile in tiles] == ["Amt für Schulen"]
