"""The pages without JavaScript (Chromium's script execution switched off): maps give way to a
sentence that says where their content is, tables sort by links the server answers, and controls
that only work with JavaScript are hidden while what they would open is shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_accessibility import settle
from tests.browser.test_first_view import ICON_SHOWN
from tests.browser.test_pages_read_well import page_path

MAPS = ".chemnitz-place-canvas, .chemnitz-preview-map-canvas, #parking-map"


@pytest.fixture
def no_js(browser) -> Iterator:
    """The session's browser with scripts switched off for one test (the page's own and libraries')."""
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    size = browser.get_window_size()
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        browser.set_window_size(size["width"], size["height"])


def shown(browser, selector: str) -> list[str]:
    """The texts (or the markup) of the displayed elements matching selector, in one call."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].filter(e => e.checkVisibility({visibilityProperty: true}))"
        "  .map(e => e.innerText.trim() || e.outerHTML.slice(0, 80))",
        selector,
    )


@pytest.mark.parametrize(
    ("page", "sentence"),
    [
        ("/dataset/schulen", "Die Karte braucht JavaScript; das Gebiet ist unten beschrieben."),
        ("/karte", "Die Karte braucht JavaScript; die Einrichtungen des Gebiets sind unten aufgeführt."),
        (
            "/dataset/?q=Schule",
            "Die Karte braucht JavaScript; wählen Sie das Suchgebiet oben aus der Liste der Stadtteile.",
        ),
        ("/parken", "Die Karte braucht JavaScript; die Tabelle unten nennt jedes Parkhaus mit seinen freien Plätzen."),
        ("resource:geojson", "Die Karte benötigt JavaScript. Die Daten können oben heruntergeladen werden."),
    ],
)
def test_a_map_gives_way_to_a_sentence(no_js, portal_url, page, sentence):
    no_js.get(portal_url + page_path(portal_url, page))
    settle(no_js)
    assert not no_js.execute_script("return !!window.L"), "scripts ran"
    assert not shown(no_js, MAPS), "an empty map box is shown"
    assert sentence in no_js.find_element(By.TAG_NAME, "body").text
    assert not shown(no_js, ".chemnitz-needs-js, .chemnitz-place-use-view"), "a control that needs JavaScript is shown"


def test_the_parking_table_sorts_by_links(no_js, portal_url):
    no_js.get(portal_url + "/parken")
    settle(no_js)
    assert not shown(no_js, "button.parking-sort"), "sort buttons that do nothing without JavaScript"
    header = no_js.find_element(By.CSS_SELECTOR, "th[data-sort-key='free']")
    header.find_element(By.TAG_NAME, "a").click()
    settle(no_js)
    assert "sortierung=free" in no_js.current_url
    header = no_js.find_element(By.CSS_SELECTOR, "th[data-sort-key='free']")
    assert header.get_attribute("aria-sort") == "ascending"
    cells = no_js.find_elements(By.CSS_SELECTOR, "#parking-table tbody tr > :nth-child(2)")
    free = [int(cell.get_attribute("data-sort-value")) for cell in cells]  # -1: no reading, listed last
    free = [value for value in free if value >= 0]
    assert free == sorted(free) and len(free) > 2
    header.find_element(By.TAG_NAME, "a").click()  # again: descending
    settle(no_js)
    assert "sortierung=-free" in no_js.current_url
    assert no_js.find_element(By.CSS_SELECTOR, "th[data-sort-key='free']").get_attribute("aria-sort") == "descending"


def test_the_preview_table_sorts_by_links(no_js, portal_url):
    no_js.get(portal_url + page_path(portal_url, "resource:csv"))
    settle(no_js)
    link = no_js.find_element(By.CSS_SELECTOR, "#vorschau-tabelle thead th a")
    name = link.text
    link.click()
    settle(no_js)
    assert "sortierung=" in no_js.current_url
    assert no_js.find_element(By.XPATH, f"//th[a='{name}']").get_attribute("aria-sort") == "ascending"


def test_a_phone_reaches_navigation_filters_and_resources_without_javascript(no_js, portal_url):
    no_js.set_window_size(375, 900)
    no_js.get(portal_url + "/dataset/?tags=Parken")
    settle(no_js)
    assert "Datensätze" in shown(no_js, ".navbar a"), "the navigation is closed behind a menu button"
    assert not shown(no_js, ".navbar-toggler, .show-filters"), "buttons that do nothing without JavaScript"
    assert any("Parken" in text for text in shown(no_js, "#search-facets .nav-facet a")), "the filters are hidden"
    assert shown(no_js, ".lang-select button[type=submit]"), "the language cannot be changed"
    no_js.get(portal_url + "/dataset/schulen")
    settle(no_js)
    assert not shown(no_js, ".resource-item .dropdown-toggle"), "Erkunden menus that do not open"
    assert len(shown(no_js, ".resource-item a.heading")) > 1


def test_icons_are_shown(no_js, portal_url):
    """Font Awesome's stylesheet, which a script enables on reading pages after the first paint, applies at once."""
    no_js.get(portal_url + "/")
    settle(no_js)
    assert not no_js.execute_script("return !!window.chemnitzAfterFirstPaint"), "scripts ran"
    WebDriverWait(no_js, 10).until(lambda b: b.execute_script(ICON_SHOWN, ".fa"), "no icon was drawn")
