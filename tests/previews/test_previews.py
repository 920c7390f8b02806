"""Resource previews: a DataStore table sortable and paged on the server, GeoJSON on a map."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from tests.support import pages

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz datastore chemnitz_table_view chemnitz_map_view"),
    pytest.mark.ckan_config("ckan.views.default_views", "chemnitz_table_view chemnitz_map_view"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_datastore", "clean_index"),
]
FIELDS = [
    {"id": "nummer", "type": "int", "info": {"label": "Nummer"}},
    {"id": "lage", "type": "text", "info": {"label": "Lage"}},
    {"id": "kapazitaet", "type": "float8", "info": {"label": "Kapazität"}},
]


@pytest.fixture
def table() -> tuple[dict, dict]:
    dataset = factories.Dataset(name="parkplaetze")
    resource = factories.Resource(package_id=dataset["id"], url="https://example.org/p.csv", format="CSV")
    rows = [{"nummer": n, "lage": f"Platz {n:03d}", "kapazitaet": 1000.5 + n} for n in range(1, 121)]
    rows[0]["lage"] = '<script>alert("x")</script>Südbahnhof'
    helpers.call_action("datastore_create", resource_id=resource["id"], fields=FIELDS, records=rows,
                        primary_key=["nummer"], force=True)  # fmt: skip
    return dataset, resource


def preview(app, dataset: dict, resource: dict, **args: str) -> html.HtmlElement:
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}", query_string=args, status=200)
    (section,) = html.fromstring(page.body).xpath("//section[@id='vorschau-tabelle']")
    return section


def column(section: html.HtmlElement, index: int) -> list[str]:
    return [row.xpath("td")[index].text_content().strip() for row in section.xpath(".//tbody/tr")]


def test_a_datastore_table_is_previewed_page_by_page_in_german_number_format(app, table):
    section = preview(app, *table)
    caption = " ".join(section.xpath(".//caption")[0].text_content().split())
    assert caption.startswith("Zeilen 1 bis 50 von 120")
    assert [th.text_content().strip() for th in section.xpath(".//thead//th")] == ["Nummer", "Lage", "Kapazität"]
    assert column(section, 2)[1] == "1.002,5"
    second = preview(app, *table, seite="3")
    assert column(second, 0)[0] == "101" and len(column(second, 0)) == 20


def test_headings_sort_the_table_and_say_so(app, table):
    section = preview(app, *table)
    link = section.xpath(".//thead//th[2]/a/@href")[0]
    assert "sortierung=lage%3Aauf" in link or "sortierung=lage:auf" in link
    descending = preview(app, *table, sortierung="kapazitaet:ab")
    assert column(descending, 0)[:2] == ["120", "119"]
    assert descending.xpath(".//thead//th[3]/@aria-sort") == ["descending"]
    assert preview(app, *table, sortierung="nicht_da:ab").xpath(".//thead//th/@aria-sort") == []  # ignored


def test_values_are_text_never_markup(app, table):
    page = app.get(f"/dataset/{table[0]['name']}/resource/{table[1]['id']}").body
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert" in page


def test_a_geojson_resource_gets_the_map_preview(app):
    dataset = factories.Dataset(name="schulen")
    resource = factories.Resource(package_id=dataset["id"], url="https://example.org/schulen.geojson", format="GeoJSON")
    page = pages.page(app, f"/dataset/schulen/resource/{resource['id']}")
    (section,) = page.xpath("//section[@id='vorschau-karte']")
    assert section.get("data-url") == "https://example.org/schulen.geojson"
    assert page.xpath("//script[contains(@src, 'preview_map')]")
