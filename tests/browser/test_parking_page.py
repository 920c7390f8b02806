"""``/parken`` in real headless Chromium: car parks on the map and in the table, sorting, distance
from a district, today's chart from the history, and no axe-core violations."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import api, api_write, axe_violations, describe


@pytest.fixture(scope="module")
def occupancy(portal_url: str) -> list[dict]:
    """The current state as the DataStore API gives it to anybody; its readings are also in the
    history as of now, as the occupancy DAG's run every 5 minutes leaves them (so that "today" has
    readings even just after midnight, when the pipeline suites ran yesterday)."""
    dataset = api(portal_url).action.package_show(id="parkhaus-belegung")
    keyed = {r.get("harvest_key"): r for r in dataset["resources"]}
    current = keyed["occupancy-current"]["id"]
    records = api(portal_url).action.datastore_search(resource_id=current, limit=1000)["records"]
    assert records, "the pipeline suites publish the occupancy first"
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    readings = [{"car_park": r["car_park"], "observed_at": now.isoformat(), "total": r["total"], "free": r["free"]}
                for r in records if r["total"]]  # fmt: skip
    api_write(portal_url).action.datastore_upsert(resource_id=keyed["occupancy-history"]["id"], records=readings,
                                                  method="upsert", force=True)  # fmt: skip
    return records


@pytest.fixture
def page(browser, portal_url):
    browser.get(f"{portal_url}/parken")
    return browser


def wait(browser, condition, message: str, seconds: float = 20):
    return WebDriverWait(browser, seconds).until(condition, message)


def displayed(element_id: str):
    """A wait condition: the element, once it is shown and enabled."""

    def condition(browser):
        element = browser.find_element(By.ID, element_id)
        return element if element.is_displayed() and element.is_enabled() else False

    return condition


def markers(browser) -> list:
    return browser.find_elements(By.CSS_SELECTOR, "#parking-map path.leaflet-interactive")


def table_names(browser) -> list[str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#parking-table tbody tr")
    return [row.find_element(By.TAG_NAME, "th").text for row in rows]


def column(browser, index: int) -> list[str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#parking-table tbody tr")
    return [row.find_elements(By.CSS_SELECTOR, "th, td")[index].get_attribute("data-sort-value") for row in rows]


def test_every_published_car_park_is_in_the_table_and_on_the_map(page, occupancy):
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert sorted(table_names(page)) == sorted(row["name"] for row in occupancy)
    shown = wait(page, markers, "no car park on the map")
    assert len(shown) == len(occupancy)
    shown[0].click()
    popup = wait(page, lambda b: b.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text, "no popup")
    assert " frei von " in popup and "Stand" in popup


def test_unreachable_map_tiles_leave_a_readable_map_with_a_notice(page):
    notice = wait(page, displayed("parking-map-notice"), "no notice")
    assert "Hintergrundkarte kann nicht geladen werden" in notice.text


def test_the_table_sorts_by_free_spaces_from_the_keyboard(page):
    button = page.find_element(By.XPATH, "//th[@data-sort-key='free']/button")
    button.send_keys(Keys.ENTER)
    header = page.find_element(By.XPATH, "//th[@data-sort-key='free']")
    assert header.get_attribute("aria-sort") == "ascending"
    free = [int(value) for value in column(page, 1)]
    assert free == sorted(free)
    button.send_keys(Keys.ENTER)
    assert header.get_attribute("aria-sort") == "descending"
    assert [int(value) for value in column(page, 1)] == sorted(free, reverse=True)
    assert "Freie Plätze" in page.find_element(By.ID, "parking-status").text


def test_choosing_a_district_sorts_the_car_parks_by_distance_from_it(page):
    select = wait(page, displayed("parking-district"), "no districts")
    Select(select).select_by_visible_text("Zentrum")
    distances = [float(value) for value in column(page, 6) if value]
    assert distances and distances == sorted(distances)
    assert distances[0] < 2, "a car park of the sample feed lies in or near the centre"
    status = page.find_element(By.ID, "parking-status").text
    assert status.startswith("Nach Entfernung von Zentrum sortiert.")
    assert page.find_element(By.XPATH, "//th[@data-sort-key='distance']").is_displayed()


def test_todays_chart_is_drawn_from_the_history(page, occupancy):
    plot = wait(page, lambda b: b.find_element(By.CSS_SELECTOR, "#parking-chart svg"), "no chart")
    assert plot.get_attribute("role") == "img"
    summary = page.find_element(By.ID, "parking-chart-summary").text
    first = sorted(row["name"] for row in occupancy)[0]
    assert summary.startswith(f"{first} heute:") and "Messungen" in summary
    assert int(page.find_element(By.ID, "parking-chart").get_attribute("data-readings")) >= 1


def test_the_page_has_no_accessibility_violations(page, occupancy):
    wait(page, markers, "map not ready")
    wait(page, lambda b: b.find_elements(By.CSS_SELECTOR, "#parking-chart svg"), "chart not ready")
    violations = axe_violations(page)
    assert not violations, describe(violations)
