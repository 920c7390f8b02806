"""What a phone shows first, and what comes after it (issue 25, Lighthouse on a phone): on the search
page the search field and the results, with the search by place as the first filter of the panel
"Ergebnisse filtern", whose map is drawn only when the panel is opened; on a wide screen the place
search and its map stay beside the results. Font Awesome's icons appear once the page is shown
(without JavaScript as well: tests/browser/test_without_javascript.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.test_accessibility import log_in, settle
from tests.browser.test_keyboard_overlays import open_by_keyboard, wait_for

SEARCH = "/dataset/?q=Schule"
# An icon as a visitor sees it: its glyph (Font Awesome's stylesheet applied) drawn in its font.
ICON_SHOWN = """const icon = document.querySelector(arguments[0]);
  const glyph = getComputedStyle(icon, '::before').content;
  return glyph !== 'none' && glyph !== '' && document.fonts.check('900 16px "Font Awesome 6 Free"');"""


@pytest.fixture
def phone(browser) -> Iterator[webdriver.Chrome]:
    """A phone's window (375 px) for one test."""
    size = browser.get_window_size()
    browser.set_window_size(375, 900)
    yield browser
    browser.set_window_size(size["width"], size["height"])


def top(browser, selector: str) -> float:
    return browser.execute_script(
        "return arguments[0].getBoundingClientRect().top", browser.find_element(By.CSS_SELECTOR, selector)
    )


def tiles(browser) -> int:
    return len(browser.find_elements(By.CSS_SELECTOR, ".chemnitz-place-canvas img.leaflet-tile"))


def test_on_a_phone_the_results_come_first_and_the_place_search_is_a_filter(phone, portal_url):
    browser = phone
    browser.get(portal_url + SEARCH)
    settle(browser)
    place = browser.find_element(By.CSS_SELECTOR, ".chemnitz-place-search")
    assert not place.is_displayed(), "the place search (with its map) is shown above the results on a phone"
    assert top(browser, "#field-giant-search") < top(browser, ".dataset-list") < browser.get_window_size()["height"]
    assert tiles(browser) == 0, "the map's tiles were loaded while its panel is closed"
    opener = browser.find_element(By.CSS_SELECTOR, "button.show-filters")
    open_by_keyboard(browser, opener, lambda b: place.is_displayed(), "the filter panel with the place search")
    first = browser.find_element(By.CSS_SELECTOR, "#search-facets .module-heading")
    assert first.text == "Nach Ort suchen", "the place search is not the panel's first filter"
    wait_for(browser, lambda b: tiles(b) > 0, "the map was not drawn when the panel opened")
    # Its district list still searches from inside the panel.
    Select(browser.find_element(By.ID, "place-search-district")).select_by_visible_text("Zentrum")
    browser.find_element(By.CSS_SELECTOR, ".chemnitz-place-form .btn-primary").click()
    # the next page may not have started loading when the click returns: wait for its address
    wait_for(browser, lambda b: "ext_district=Zentrum" in b.current_url, "the district search was not sent")
    assert "q=Schule" in browser.current_url


def test_on_a_wide_screen_the_place_search_and_its_map_are_beside_the_results(browser, portal_url):
    browser.get(portal_url + SEARCH)
    settle(browser)
    place = browser.find_element(By.CSS_SELECTOR, ".chemnitz-place-search")
    results = browser.find_element(By.CSS_SELECTOR, ".dataset-list")
    assert place.is_displayed() and place.location["x"] + place.size["width"] <= results.location["x"]
    wait_for(browser, lambda b: tiles(b) > 0, "the map beside the results was not drawn")
    assert not browser.find_element(By.CSS_SELECTOR, "button.show-filters").is_displayed()


def test_a_filter_chosen_by_a_logged_in_user_keeps_a_drawn_map(browser, portal_url, admin_login):
    """Logged-in users have CKAN's htmx, which replaces the filter panel with the place search after a
    filter link: the new panel's map is drawn too."""
    log_in(browser, portal_url, admin_login)
    try:
        browser.get(portal_url + SEARCH)
        settle(browser)
        wait_for(browser, lambda b: tiles(b) > 0, "the map beside the results was not drawn")
        old_panel = browser.find_element(By.ID, "search-facets")
        browser.execute_script("window.samePage = true")  # gone if the link loaded a new page instead
        link = browser.find_element(By.CSS_SELECTOR, "#search-facets .nav-facet a[href*='organization=']")
        browser.execute_script("arguments[0].click()", link)  # below the fold; htmx takes the click
        wait_for(browser, lambda b: b.find_element(By.ID, "search-facets") != old_panel, "the panel was not replaced")
        assert "organization=" in browser.current_url and browser.execute_script("return window.samePage")
        wait_for(browser, lambda b: tiles(b) > 0, "the replaced panel's map was not drawn")
    finally:
        browser.delete_all_cookies()


def test_icons_appear_once_the_page_is_shown(browser, portal_url):
    browser.get(portal_url + "/")
    settle(browser)
    wait_for(browser, lambda b: b.execute_script(ICON_SHOWN, ".fa"), "no icon was drawn")
