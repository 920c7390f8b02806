"""A dataset's page lists the source attributes it does not publish, with the reason ("Nicht
veröffentlichte Felder"); the pipelines set them from the source configuration's ``withheld``."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.support import pages

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
WITHHELD = [
    {"field": "Creator", "reason": "Personenbezogene Daten (Kontoname der Person, die den Eintrag angelegt hat)."},
    {"field": "GlobalID", "reason": "Interne Kennung der ArcGIS-Datenbank."},
]


@pytest.fixture
def organization() -> dict:
    return factories.Organization(name="schulverwaltungsamt")


def section(app, name: str):
    page = pages.page(app, f"/dataset/{name}")
    found = page.xpath("//section[contains(@class, 'withheld-fields')]")
    return found[0] if found else None


def test_the_withheld_attributes_are_listed_with_their_reasons(app, organization):
    dataset = helpers.call_action("package_create", **school_dataset(organization["id"]), withheld_fields=WITHHELD)
    assert helpers.call_action("package_show", id=dataset["id"])["withheld_fields"] == WITHHELD
    shown = section(app, dataset["name"])
    heading = shown.xpath(".//h2")[0]
    assert heading.text_content().strip() == "Nicht veröffentlichte Felder"
    assert shown.get("aria-labelledby") == heading.get("id")
    assert shown.xpath("string(.//caption)").strip().startswith("Attribute der Quelle")
    assert [th.text_content() for th in shown.xpath(".//thead//th[@scope='col']")] == [
        "Attribut der Quelle",
        "Begründung",
    ]
    rows = [(row.xpath("string(th[@scope='row']/code)"), row.xpath("string(td)")) for row in shown.xpath(".//tbody/tr")]
    assert rows == [(entry["field"], entry["reason"]) for entry in WITHHELD]


def test_a_dataset_that_withholds_nothing_has_no_such_section(app, organization):
    dataset = helpers.call_action("package_create", **school_dataset(organization["id"]))
    assert section(app, dataset["name"]) is None
    page = app.get(f"/dataset/{dataset['name']}", status=200).body
    assert "Nicht veröffentlichte Felder" not in page
