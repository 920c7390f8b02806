"""``/parken`` as rendered by the portal: the table from the DataStore, freshness judged at view time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import yaml

from tests.support.pages import page, text

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz datastore"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_datastore", "clean_index"),
]

CURRENT = yaml.safe_load((Path(__file__).parents[2] / "schemas/feeds/occupancy_tables.yaml").read_text())[
    "occupancy-current"
]  # the columns the occupancy DAG gives the table


def utc(minutes_ago: int) -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago)).replace(tzinfo=None).isoformat()


def reading(car_park: str, name: str, free: int | None, total: int = 400, minutes_ago: int = 2, **more) -> dict:
    return {"car_park": car_park, "name": name, "state": "open", "total": total, "free": free,
            "observed_at": utc(minutes_ago), "stale": False, "lat": 50.83, "lon": 12.92, **more}  # fmt: skip


@pytest.fixture
def occupancy() -> list[dict]:
    """The dataset as the occupancy DAG publishes it, with a current-state table."""
    dataset = factories.Dataset(name="parkhaus-belegung", title="Belegung der Parkhäuser")
    resource = factories.Resource(
        package_id=dataset["id"], url="", url_type="datastore", harvest_key="occupancy-current"
    )
    rows = [
        reading("p-zentrum", "Parkhaus Zentrum", 300),
        reading("p-markt", "Tiefgarage Markt", 60),
        reading("p-bahnhof", "Parkplatz Hauptbahnhof", 0),
        reading("p-alt", "Parkhaus Altchemnitz", 250, minutes_ago=50),  # the poll stopped: no longer live
        reading("p-nacht", "Parkhaus Schloßteich", None, state="closed"),
    ]
    helpers.call_action("datastore_create", resource_id=resource["id"], fields=CURRENT["fields"],
                        primary_key=CURRENT["primary_key"], records=rows, force=True)  # fmt: skip
    return rows


def table_rows(app) -> dict[str, list[str]]:
    rows = page(app, "/parken").xpath("//table[@id='parking-table']/tbody/tr")
    return {row.get("data-car-park"): [text(cell) for cell in row.xpath("th|td")] for row in rows}


def test_every_car_park_is_listed_with_free_spaces_and_status_in_german(app, occupancy):
    rows = table_rows(app)
    assert set(rows) == {row["car_park"] for row in occupancy}
    assert rows["p-zentrum"][:5] == ["Parkhaus Zentrum", "300", "400", "25 %", "viele Plätze frei"]
    assert rows["p-markt"][4] == "wenige Plätze frei"
    assert rows["p-bahnhof"][4] == "voll oder fast voll"
    assert rows["p-nacht"][4] == "geschlossen"
    assert "vor 2 Minuten" in rows["p-zentrum"][5]


def test_a_reading_older_than_15_minutes_is_shown_as_outdated_not_live(app, occupancy):
    rows = table_rows(app)
    assert rows["p-alt"][4] == "veraltete Messung"
    assert "vor 50 Minuten" in rows["p-alt"][5]


def test_the_page_links_the_data_and_its_api(app, occupancy):
    links = set(page(app, "/parken").xpath("//a/@href"))
    assert "/dataset/parkhaus-belegung" in links
    assert any("datastore_search?resource_id=" in link for link in links)


def test_without_published_occupancy_the_page_says_so(app):
    shown = page(app, "/parken")
    assert "Es wurden noch keine Belegungsdaten veröffentlicht." in text(shown)
    assert not shown.xpath("//table[@id='parking-table']")


def test_times_with_offset_and_old_rows_without_one_are_the_same_moment():
    """The table's timestamptz column answers with an offset; rows of a table from before (timestamp,
    UTC without zone) must still be read as UTC, not as local time."""
    from ckanext.chemnitz.parking import status

    now = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.timezone.utc)
    rows = [
        {"car_park": "neu", "observed_at": "2026-12-03T11:55:00+01:00", "total": 400, "free": 200, "state": "open"},
        {"car_park": "alt", "observed_at": "2026-12-03T10:55:00", "total": 400, "free": 200, "state": "open"},
        {"car_park": "utc", "observed_at": "2026-12-03T10:55:00.000Z", "total": 400, "free": 200, "state": "open"},
    ]
    parks = status.car_parks(rows, now, dt.timedelta(minutes=15))
    assert {park.observed_at for park in parks} == {dt.datetime(2026, 12, 3, 10, 55, tzinfo=dt.timezone.utc)}
    assert all(park.age_minutes(now) == 5 and park.level == "many" for park in parks)
