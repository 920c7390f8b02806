"""Everything that opens over or into the page works with the keyboard alone (WCAG 2.1.1, 2.1.2,
2.4.3): the filter panel of narrow screens, the resources' "Erkunden" menus, the navigation menu of
narrow screens and the dialog "Einbettung" of a resource view open with Enter, take the focus,
close with Escape (or Enter on their button) and give the focus back to what opened them; what they
show is German. The language is chosen by keyboard too."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.german import english_texts
from tests.browser.test_accessibility import settle
from tests.browser.test_pages_read_well import page_path, run_checks


@pytest.fixture
def narrow(browser):
    """A phone's window for one test."""
    size = browser.get_window_size()
    browser.set_window_size(375, 900)
    yield browser
    browser.set_window_size(size["width"], size["height"])


def active(browser):
    return browser.switch_to.active_element


def press(browser, *keys: str) -> None:
    active(browser).send_keys(*keys)


def inside(browser, selector: str) -> bool:
    return browser.execute_script("return !!document.activeElement.closest(arguments[0])", selector)


def wait_for(browser, condition, message: str):
    # an element read while the page is being replaced (a form sent) is stale: ask again
    return WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(condition, message)


def load(browser, url: str) -> None:
    """The page, once its scripts have run."""
    browser.get(url)
    settle(browser)


def open_by_keyboard(browser, opener, opened, what: str):
    """``opener`` focused and Enter pressed: ``opened(browser)`` becomes true (and is returned)."""
    browser.execute_script("arguments[0].focus()", opener)
    press(browser, Keys.ENTER)
    return wait_for(browser, opened, f"Enter did not open {what}")


def close_by_escape(browser, opener, closed, what: str) -> None:
    """Escape pressed: ``closed(browser)`` becomes true and the focus is back on ``opener``."""
    press(browser, Keys.ESCAPE)
    wait_for(browser, closed, f"Escape did not close {what}")
    assert active(browser) == opener, f"the focus did not return from {what}"


def test_the_filter_panel_opens_and_closes_by_keyboard_and_keeps_the_focus_inside(narrow, portal_url):
    browser = narrow
    load(browser, portal_url + "/dataset/?tags=Parken")
    opener = browser.find_element(By.CSS_SELECTOR, "button.show-filters")
    panel = browser.find_element(By.ID, "search-facets")
    assert opener.is_displayed() and not panel.is_displayed()
    open_by_keyboard(browser, opener, lambda b: panel.is_displayed(), "the filter panel")
    assert panel.get_attribute("role") == "dialog" and opener.get_attribute("aria-expanded") == "true"
    assert inside(browser, "#search-facets"), "the focus did not move into the panel"
    seen = set()
    for _ in range(60):  # more presses than the panel has controls (place search, map, facets): Tab wraps inside it
        press(browser, Keys.TAB)
        assert inside(browser, "#search-facets"), "Tab left the open panel"
        seen.add(active(browser).text)
    assert any("Parken" in text for text in seen), f"the facet links were not reached: {seen}"
    close_by_escape(browser, opener, lambda b: not panel.is_displayed(), "the filter panel")
    assert opener.get_attribute("aria-expanded") == "false"
    # Its close button works by keyboard too.
    press(browser, Keys.ENTER)
    wait_for(browser, lambda b: panel.is_displayed(), "Enter did not open the filter panel again")
    close = browser.find_element(By.CSS_SELECTOR, "#search-facets .hide-filters")
    assert active(browser) == close and close.text == "Filter schließen"
    press(browser, Keys.ENTER)
    wait_for(browser, lambda b: not panel.is_displayed(), "the close button did not close the panel")
    assert active(browser) == opener


def test_a_resources_menu_opens_and_closes_by_keyboard(browser, portal_url):
    load(browser, portal_url + "/dataset/schulen")
    buttons = browser.find_elements(By.CSS_SELECTOR, ".resource-item .dropdown-toggle")
    assert len({button.get_attribute("id") for button in buttons}) == len(buttons) > 1, "ids are not unique"
    button = buttons[0]
    name = browser.find_element(By.CSS_SELECTOR, ".resource-item .heading").text.split("\n")[0]
    assert button.tag_name == "button" and button.accessible_name.startswith("Erkunden ")
    assert name.rstrip(".") in button.accessible_name, "the menu's name does not say which resource it is for"
    labelled = f"[aria-labelledby='{button.get_attribute('id')}']"
    menu = open_by_keyboard(browser, button, lambda b: b.find_element(By.CSS_SELECTOR, labelled), "the menu")
    wait_for(browser, lambda b: menu.is_displayed(), "Enter did not open the menu")
    press(browser, Keys.ARROW_DOWN)
    assert inside(browser, ".dropdown-menu") and active(browser).text in ("Vorschau", "Mehr Information")
    close_by_escape(browser, button, lambda b: not menu.is_displayed(), "the menu")


def test_the_navigation_menu_of_narrow_screens_opens_by_keyboard(narrow, portal_url):
    browser = narrow
    load(browser, portal_url + "/")
    toggler = browser.find_element(By.CSS_SELECTOR, ".navbar-toggler")
    open_by_keyboard(browser, toggler, lambda b: toggler.get_attribute("aria-expanded") == "true", "the menu")
    link = wait_for(browser, lambda b: b.find_element(By.LINK_TEXT, "Datensätze"), "no link to the datasets")
    wait_for(browser, lambda b: link.is_displayed(), "the menu's links are not shown")
    wait_for(browser, lambda b: not b.find_elements(By.CSS_SELECTOR, ".collapsing"), "the menu keeps moving")
    press(browser, Keys.TAB)
    assert inside(browser, "nav, .navbar-collapse"), "Tab did not go into the opened menu"
    browser.execute_script("arguments[0].focus()", toggler)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda b: not link.is_displayed(), "Enter did not close the menu")
    assert active(browser) == toggler


def test_the_language_is_chosen_by_keyboard(browser, portal_url):
    """The browser's own selection (phones show their picker) and a button: choosing does not yet
    change the page (WCAG 3.2.2), the button does."""
    load(browser, portal_url + "/")
    selection = browser.find_element(By.ID, "field-lang-select")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", selection)
    browser.execute_script("arguments[0].focus()", selection)
    press(browser, "English")
    assert selection.get_attribute("value").rstrip("/").endswith("/en") and browser.current_url == portal_url + "/"
    press(browser, Keys.TAB)
    assert active(browser).text == "Los"
    press(browser, Keys.ENTER)
    wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "still German")


def test_the_embed_dialog_of_a_resource_view_opens_and_closes_by_keyboard(browser, portal_url):
    load(browser, portal_url + page_path(portal_url, "resource:csv"))
    embed = browser.find_element(By.CSS_SELECTOR, "[data-module=resource-view-embed]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", embed)
    dialog = open_by_keyboard(browser, embed, lambda b: b.find_element(By.CSS_SELECTOR, ".resource-view-embed"),
                              "the dialog")  # fmt: skip
    wait_for(browser, lambda b: dialog.is_displayed() and inside(b, ".resource-view-embed"), "not opened, no focus")
    close = dialog.find_element(By.CSS_SELECTOR, ".btn-close")
    assert close.accessible_name == "Dialog schließen"
    english = english_texts(run_checks(browser, "spokenTexts();"))  # the page with the dialog open
    assert not english, "\n".join(english)
    press(browser, Keys.ESCAPE)
    wait_for(browser, lambda b: not dialog.is_displayed(), "Escape did not close the dialog")
    wait_for(browser, lambda b: active(b) == embed, "the focus did not return to the button")


def test_a_map_pop_up_speaks_german_and_closes_by_keyboard(browser, portal_url):
    """Leaflet names its pop-ups' close button in English ("Close popup"); here in German."""
    load(browser, portal_url + "/parken")
    markers = WebDriverWait(browser, 20).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#parking-map path.leaflet-interactive"), "no car parks on the map"
    )
    markers[0].click()
    close = wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, ".leaflet-popup-close-button"), "no pop-up")
    assert close.accessible_name == "Infofenster schließen"
    english = english_texts(run_checks(browser, "spokenTexts();"))
    assert not english, "\n".join(english)
    close.send_keys(Keys.ENTER)
    wait_for(browser, lambda b: not b.find_elements(By.CSS_SELECTOR, ".leaflet-popup"), "Enter left the pop-up open")
