"""/karte finds what is near a street address, resolved against the portal's own house coordinates (the
DataStore table the ``hauskoordinaten`` harvest fills), never by an outside geocoder."""

from __future__ import annotations

import ckan.tests.helpers as helpers
import pytest

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.spatial.test_place_pages import page, portal  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
# Addresses as the harvest publishes them (stn, hnr, adz, lon, lat), at the facilities' points of Schulen.csv.
COLUMNS = ("oi", "stn", "hnr", "adz", "lon", "lat")
HOUSES = [
    dict(zip(COLUMNS, row, strict=True))
    for row in (
        ("DESNBEISPIEL0114", "Hohe Straße", 35, None, 12.911862861039, 50.8352668312807),
        ("DESNBEISPIEL0113", "Hohe Straße", 25, None, 12.9134159452128, 50.8328645188838),
        ("DESNBEISPIEL0002", "Max-Türpe-Straße", 58, None, 12.8872762658422, 50.7922749102438),
    )
]


@pytest.fixture
def houses(portal):  # noqa: F811
    dataset = helpers.call_action("package_create", **school_dataset(
        portal["org"]["id"], name="hauskoordinaten", title="Hauskoordinaten von Chemnitz", resources=[]))  # fmt: skip
    helpers.call_action(
        "datastore_create",
        resource={"package_id": dataset["id"], "name": "Hauskoordinaten", "harvest_key": "csv", "format": "CSV"},
        fields=[{"id": column, "type": {"hnr": "int8", "lon": "float8", "lat": "float8"}.get(column, "text")}
                for column in COLUMNS],
        primary_key=["oi"], records=HOUSES, force=True,
    )  # fmt: skip
    return dataset


def facilities(app, address: str) -> list[str]:
    found = page(app, "/karte", adresse=address)
    return [" ".join(item.text_content().split()) for item in found.xpath("//ul[@class='chemnitz-karte-list']/li")]


@pytest.mark.parametrize("typed", ["Hohe Straße 35", "hohe str. 35", "Hohe Strasse 35, 09112 Chemnitz"])
def test_an_address_lists_the_facilities_within_500_metres(app, houses, typed):
    near = facilities(app, typed)
    assert any(name.startswith("Karl-Schmidt-Rottluff-Gymnasium, Haus II") for name in near)
    assert any(name.startswith("Karl-Schmidt-Rottluff-Gymnasium, Haus I ") for name in near)  # 290 m away
    assert not any(name.startswith("Albert-Einstein-Grundschule") for name in near)  # 5 km away
    shown = page(app, "/karte", adresse=typed)
    assert "Im Umkreis von 500 m um Hohe Straße 35:" in " ".join(shown.text_content().split())
    assert shown.xpath("//input[@id='karte-adresse']/@value") == [typed]
    assert shown.xpath("//label[@for='karte-adresse']/text()") == ["Adresse"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("Hohe Straße 999", "Die Adresse Hohe Straße 999 steht nicht in den Hauskoordinaten der Stadt."),
     ("Hohe Straße", "Bitte geben Sie Straße und Hausnummer ein, z. B. Hohe Straße 35.")],
)  # fmt: skip
def test_an_unknown_or_incomplete_address_is_explained_in_german(app, houses, typed, message):
    alert = " ".join(page(app, "/karte", adresse=typed).xpath("//p[@role='alert']//text()"))
    assert message in alert


def test_the_parking_search_looks_addresses_up_in_the_portal(app, houses):
    """/parken sorts by distance in the browser: it asks the portal's own lookup, which answers JSON."""
    found = app.get("/karte/adresse", params={"adresse": "hohe str. 35"}).json
    assert found == {"label": "Hohe Straße 35", "lon": 12.911862861039, "lat": 50.8352668312807}
    missing = app.get("/karte/adresse", params={"adresse": "Hohe Straße 999"}, status=404).json
    assert missing == {"error": "Die Adresse Hohe Straße 999 steht nicht in den Hauskoordinaten der Stadt."}
