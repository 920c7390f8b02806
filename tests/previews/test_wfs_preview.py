"""WFS resources on the map preview: the portal fetches GML 3.2 from the service in WGS 84 and
answers GeoJSON, checked against the WFS replica (MapServer) serving the city's real data."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import ckan.tests.factories as factories
import pytest

from ckanext.chemnitz.security import outbound
from replica import wfs as wfs_replica
from replica.data import FIXTURES
from replica.run import free_port
from tests.support import pages

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz chemnitz_map_view"),
    pytest.mark.ckan_config("ckan.views.default_views", "chemnitz_map_view"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
UNAVAILABLE = "Die Vorschau ist nicht verfügbar: Der Datendienst hat keine verwertbare Antwort gegeben."


@pytest.fixture(scope="module")
def wfs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/wfs"
    server = wfs_replica.server(tmp_path_factory.mktemp("wfs"), port, url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url
    server.shutdown()


@pytest.fixture(autouse=True)
def allowed_replica(ckan_config, wfs_url: str) -> None:
    """The replica is a city source: listed, as the demo lists its replicas (security/outbound.py)."""
    ckan_config[outbound.ALLOWED_HOSTS] = [outbound.exact_entry(wfs_url)]


def wfs_resource(url: str, **dataset: object) -> dict:
    owner = factories.Dataset(**dataset)
    return factories.Resource(package_id=owner["id"], url=url, format="WFS", name="WFS-Dienst")


def geojson(app, resource: dict, status: int = 200) -> dict:
    answer = app.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}/wfs.geojson", status=status)
    return json.loads(answer.body)


def test_the_resource_page_previews_the_service_through_the_portal(app, wfs_url):
    resource = wfs_resource(f"{wfs_url}?SERVICE=WFS&REQUEST=GetCapabilities", name="schulen")
    page = pages.page(app, f"/dataset/schulen/resource/{resource['id']}")
    (section,) = page.xpath("//section[@id='vorschau-karte']")
    assert section.get("data-url") == f"/dataset/{resource['package_id']}/resource/{resource['id']}/wfs.geojson"


def test_points_come_back_longitude_first_at_their_real_position(app, wfs_url):
    """A capabilities address: the first feature type (Schulen); EPSG::4326 is read latitude first."""
    found = geojson(app, wfs_resource(f"{wfs_url}?SERVICE=WFS&REQUEST=GetCapabilities"))
    expected = json.loads((FIXTURES / "Schulen.geojson").read_text(encoding="utf-8"))["features"]
    assert found["name"] == "ms:Schulen" and len(found["features"]) == len(expected) == 139
    by_name = {f["properties"]["BEZEICHNUNG"]: f["geometry"]["coordinates"] for f in found["features"]}
    longitude, latitude = by_name["Albert-Einstein-Grundschule"]
    assert longitude == pytest.approx(12.8872762658422, abs=1e-6)
    assert latitude == pytest.approx(50.7922749102438, abs=1e-6)


def test_polygons_of_a_named_feature_type(app, wfs_url):
    found = geojson(app, wfs_resource(f"{wfs_url}?typeNames=Stadtteile"))
    assert len(found["features"]) == 39
    klaffenbach = next(f for f in found["features"] if f["properties"]["STADTTNAME"] == "Klaffenbach")
    assert klaffenbach["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ring = klaffenbach["geometry"]["coordinates"][0]
    ring = ring[0] if klaffenbach["geometry"]["type"] == "MultiPolygon" else ring
    assert ring[0] == ring[-1] and len(ring) > 10
    assert all(12.7 < x < 13.1 and 50.7 < y < 50.95 for x, y in ring)


@pytest.mark.ckan_config("ckanext.chemnitz.preview.wfs_max_features", "5")
def test_the_preview_asks_for_a_bounded_number_and_says_how_many_exist(app, wfs_url):
    found = geojson(app, wfs_resource(f"{wfs_url}?typeNames=Schulen"))
    assert len(found["features"]) == 5
    assert found["numberMatched"] is None  # MapServer answers numberMatched="unknown" unless told to count


def test_an_unreachable_or_failing_service_is_one_german_502_and_logged_precisely(app, wfs_url, ckan_config, caplog):
    """Visitors get one answer whatever failed (security/outbound.py: no port scanning through
    previews); the operator reads the precise reason in the log."""
    down = f"http://127.0.0.1:{free_port()}/wfs"
    ckan_config[outbound.ALLOWED_HOSTS] = [outbound.exact_entry(wfs_url), outbound.exact_entry(down)]
    unreachable = geojson(app, wfs_resource(down), status=502)
    unknown = geojson(app, wfs_resource(f"{wfs_url}?typeNames=Gibtsnicht"), status=502)
    assert unreachable == unknown == {"error": UNAVAILABLE}
    assert f"({down}) failed: the service was not asked or did not answer:" in caplog.text
    assert f"({wfs_url}?typeNames=Gibtsnicht) failed: the service reports:" in caplog.text


def test_private_datasets_and_other_formats_are_not_fetched(app, wfs_url):
    organization = factories.Organization()
    hidden = wfs_resource(f"{wfs_url}?typeNames=Schulen", owner_org=organization["id"], private=True)
    assert geojson(app, hidden, status=404) == {"error": "dataset not found"}
    csv = factories.Resource(package_id=factories.Dataset()["id"], url=f"{wfs_url}?typeNames=Schulen", format="CSV")
    geojson(app, csv, status=404)


@pytest.fixture
def short_lived_wfs(tmp_path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A WFS replica of the test's own, and the function that shuts it down."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/wfs"
    server = wfs_replica.server(tmp_path, port, url)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def shut_down() -> None:
        server.shutdown()
        server.server_close()  # closes the listening socket: connections are refused, as with a server down

    yield url, shut_down
    shut_down()


@pytest.mark.parametrize(("max_age", "after_outage"), [(600, 200), (0, 502)])
def test_a_preview_is_kept_for_the_configured_time(app, short_lived_wfs, ckan_config, max_age, after_outage):
    """Kept: the service is asked once and the map still shows while it is down; 0 asks every time."""
    ckan_config["ckanext.chemnitz.preview.wfs_cache_seconds"] = max_age
    url, shut_down = short_lived_wfs
    ckan_config[outbound.ALLOWED_HOSTS] = [outbound.exact_entry(url)]
    resource = wfs_resource(f"{url}?typeNames=Stadtteile")
    path = f"/dataset/{resource['package_id']}/resource/{resource['id']}/wfs.geojson"
    first = app.get(path, status=200)
    assert len(json.loads(first.body)["features"]) == 39
    shut_down()
    again = app.get(path, status=after_outage)
    if after_outage == 200:
        assert again.body == first.body
    else:
        assert json.loads(again.body) == {"error": UNAVAILABLE}
