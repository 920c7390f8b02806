"""CSV downloads the portal generates cannot carry spreadsheet formulas; every answer carries the
security headers, and the pages have no inline script the Content Security Policy would have to allow."""

from __future__ import annotations

import csv
import io

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.security.formula_cells import FORMULA_CELLS, HARMLESS_CELLS
from tests.support import pages

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore chemnitz_csv_downloads"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_datastore", "clean_db", "clean_index"),
]
CELLS = [stored for stored, _ in FORMULA_CELLS] + HARMLESS_CELLS


@pytest.fixture
def table() -> dict:
    dataset = helpers.call_action("package_create", **school_dataset(factories.Organization()["id"], resources=[]))
    resource = factories.Resource(package_id=dataset["id"], url="https://example.org/t.csv", format="CSV")
    helpers.call_action(
        "datastore_create", resource_id=resource["id"], force=True,
        fields=[{"id": "text", "type": "text"}, {"id": "number", "type": "int"}],
        records=[{"text": cell, "number": -n} for n, cell in enumerate(CELLS)],
    )  # fmt: skip
    return resource


@pytest.mark.parametrize(("fmt", "dialect"), [("csv", "excel"), ("tsv", "excel-tab")])
def test_formula_cells_are_neutralised_in_downloads(app, table, fmt, dialect):
    answer = app.get(f"/datastore/dump/{table['id']}", query_string={"format": fmt}, status=200)
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff")), dialect=dialect))
    assert [row["text"] for row in rows] == [written for _, written in FORMULA_CELLS] + HARMLESS_CELLS
    assert [row["number"] for row in rows] == [str(-n) for n in range(len(CELLS))]  # numbers keep their sign


def test_the_api_keeps_the_stored_values(app, table):
    records = helpers.call_action("datastore_search", resource_id=table["id"])["records"]
    assert [record["text"] for record in records] == CELLS


def test_security_headers_on_pages_api_and_assets(app):
    answers = [app.get("/"), app.get("/api/3/action/status_show"), app.get("/dataset/")]
    for answer in answers:
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
        # the configured map hosts: basemap.de and GeoSN's aerial photographs (tests/spatial/test_basemaps.py)
        assert "img-src 'self' data: https://geodienste.sachsen.de https://sgx.geodatenzentrum.de;" in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("path", ["/", "/dataset/", "/parken", "/karte", "/barrierefreiheit", "/user/login"])
def test_pages_have_no_inline_scripts(app, path):
    page = pages.page(app, path)
    inline = [
        script for script in page.xpath("//script[not(@src)]")
        if (script.get("type") or "text/javascript") not in ("application/json", "application/ld+json")
    ]  # fmt: skip
    assert inline == [], [html.tostring(script)[:200] for script in inline]
    handlers = [f"{el.tag} {name}" for el in page.iter() if isinstance(el.tag, str) for name in el.attrib
                if name.startswith("on")]  # fmt: skip
    assert handlers == []
