"""The address fields of ``/karte`` and ``/parken`` in real headless Chromium, typed as a visitor types.

Addresses are resolved against the house coordinates the pipeline suites harvested into the test
portal (source ``hauskoordinaten``: the addresses of the real schools, childcare and youth
services, e.g. Hohe Straße 35 at the Karl-Schmidt-Rottluff-Gymnasium), never by an outside geocoder.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import axe_violations, describe

UNKNOWN = "Die Adresse Hohe Straße 999 steht nicht in den Hauskoordinaten der Stadt."


def wait(browser, condition, message: str, seconds: float = 20):
    return WebDriverWait(browser, seconds).until(condition, message)


def type_into(browser, element_id: str, text: str) -> None:
    field = browser.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text, Keys.ENTER)


def page_text(browser) -> str:
    return " ".join(browser.find_element(By.TAG_NAME, "body").text.split())


@pytest.mark.parametrize("typed", ["hohe str. 35", "Hohe Straße 35, 09112 Chemnitz"])
def test_karte_lists_what_is_near_a_typed_address(browser, portal_url, typed):
    browser.get(f"{portal_url}/karte")
    label = browser.find_element(By.CSS_SELECTOR, "label[for='karte-adresse']")
    assert label.text == "Adresse" and label.is_displayed()
    type_into(browser, "karte-adresse", typed)

    wait(browser, lambda b: "adresse=" in b.current_url, "the address form was not sent")
    assert "Im Umkreis von 500 m um Hohe Straße 35:" in page_text(browser)
    near = [item.text for item in browser.find_elements(By.CSS_SELECTOR, ".chemnitz-karte-list li")]
    assert any(name.startswith("Karl-Schmidt-Rottluff-Gymnasium") for name in near), near
    assert browser.find_element(By.ID, "karte-adresse").get_attribute("value") == typed
    violations = axe_violations(browser)
    assert not violations, describe(violations)


def test_karte_explains_an_unknown_address(browser, portal_url):
    browser.get(f"{portal_url}/karte")
    type_into(browser, "karte-adresse", "Hohe Straße 999")

    alert = wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "[role='alert']"), "no message")
    assert UNKNOWN in " ".join(alert.text.split())


def test_parken_sorts_the_car_parks_by_distance_from_a_typed_address(browser, portal_url):
    browser.get(f"{portal_url}/parken")
    label = browser.find_element(By.CSS_SELECTOR, "label[for='parking-address-input']")
    assert label.text == "Adresse" and label.is_displayed()
    type_into(browser, "parking-address-input", "hohe str. 35")

    status = wait(
        browser,
        lambda b: b.find_element(By.ID, "parking-status").text,
        "the status line did not say what the table is sorted by",
    )
    assert status.startswith("Nach Entfernung von Hohe Straße 35 sortiert.")
    heading = browser.find_element(By.CSS_SELECTOR, "#parking-table th[data-sort-key='distance']")
    assert heading.is_displayed() and heading.get_attribute("aria-sort") == "ascending"
    headings = browser.find_elements(By.CSS_SELECTOR, "#parking-table thead th")
    column = [heading.get_attribute("data-sort-key") for heading in headings].index("distance")
    rows = browser.find_elements(By.CSS_SELECTOR, "#parking-table tbody tr")
    measured = [cell for row in rows if (cell := row.find_elements(By.CSS_SELECTOR, "th, td")[column]).text != "–"]
    distances = [float(cell.get_attribute("data-sort-value")) for cell in measured]
    assert distances and distances == sorted(distances)
    assert all(cell.text.endswith(" km") for cell in measured)


def test_parken_explains_an_unknown_address(browser, portal_url):
    browser.get(f"{portal_url}/parken")
    type_into(browser, "parking-address-input", "Hohe Straße 999")

    status = wait(browser, lambda b: b.find_element(By.ID, "parking-status").text, "no message")
    assert status == UNKNOWN
