"""Every page a visitor or editor meets, in real headless Chromium: no axe-core WCAG 2.1 A/AA
violation, usable with the keyboard alone, readable at 320 px width (BITV 2.0)."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import api, axe_violations, describe

VISITOR_PAGES = [
    "/",
    "/dataset/?q=Schule",
    "/dataset/?tags=Parken&res_format=CSV",
    "/dataset/schulen",
    "/organization/",
    "/organization/tiefbauamt",
    "/parken",
    "/user/login",
    "/ueber-das-portal",
    "/impressum",
    "/datenschutz",
    "/barrierefreiheit",
    "/leichte-sprache",
    "/lizenzen",
    "/dataset/?ext_district=Ka%C3%9Fberg",
    "/karte",
    "/karte?ext_district=Ka%C3%9Fberg",
]


def settle(browser) -> None:
    WebDriverWait(browser, 20).until(lambda b: b.execute_script("return document.readyState") == "complete")


@pytest.fixture
def at_width(browser):
    """Resize the window for one test and restore it afterwards."""
    size = browser.get_window_size()
    yield lambda width: browser.set_window_size(width, 900)
    browser.set_window_size(size["width"], size["height"])


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_page_has_no_accessibility_violations(browser, portal_url, path):
    browser.get(portal_url + path)
    settle(browser)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert browser.find_elements(By.CSS_SELECTOR, "main, [role='main']"), "no main landmark"
    violations = axe_violations(browser)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", ["/", "/dataset/schulen", "/parken", "/barrierefreiheit"])
def test_page_reflows_at_320_pixels_without_horizontal_scrolling(browser, portal_url, at_width, path):
    at_width(320)
    browser.get(portal_url + path)
    settle(browser)
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow} px wider than the window"


def focus_path(browser, presses: int) -> list[str]:
    """What the keyboard focus lands on, press by press (text or accessible name)."""
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    seen = []
    for _ in range(presses):
        seen.append(browser.execute_script(
            "const e = document.activeElement;"
            "return (e.getAttribute('aria-label') || e.innerText || e.value || e.placeholder || e.tagName).trim();"
        ))  # fmt: skip
        browser.switch_to.active_element.send_keys(Keys.TAB)
    return seen


def test_keyboard_reaches_skip_link_navigation_and_search(browser, portal_url):
    browser.get(portal_url + "/")
    settle(browser)
    seen = focus_path(browser, 14)
    assert seen[0] == "Überspringen zum Hauptinhalt"
    for item in ("Datensätze", "Organisationen", "Was ist wo?", "Parkplatzsuche", "Über das Portal"):
        assert item in seen, f"{item!r} not reachable by Tab: {seen}"
    assert seen.index("Datensätze") < seen.index("Parkplatzsuche")
    # The skip link moves the focus to the content.
    browser.get(portal_url + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.execute_script("return location.hash") == "#content"


def test_the_map_area_search_works_from_the_keyboard(browser, portal_url):
    """On /karte, zoom the map out with the keyboard and search its visible area with the button."""
    browser.get(portal_url + "/karte?ext_district=Zentrum")
    settle(browser)
    before = len(browser.find_elements(By.CSS_SELECTOR, ".chemnitz-karte-list li"))
    assert before > 0, "no facilities listed for Zentrum"
    canvas = browser.find_element(By.CSS_SELECTOR, ".chemnitz-place-canvas")
    canvas.send_keys(Keys.SUBTRACT)  # Leaflet's keyboard zoom-out
    time.sleep(1)  # the zoom animation
    button = browser.find_element(By.CSS_SELECTOR, ".chemnitz-place-use-view")
    assert button.is_displayed() and button.text == "Sichtbaren Kartenausschnitt durchsuchen"
    button.send_keys(Keys.ENTER)  # the next page may not have started loading yet: wait for it
    WebDriverWait(browser, 20).until(lambda b: "ext_bbox=" in b.current_url, "the visible area was not searched")
    settle(browser)
    after = len(browser.find_elements(By.CSS_SELECTOR, ".chemnitz-karte-list li"))
    assert after > before, "the larger visible area should hold more facilities"


def test_the_search_form_works_from_the_keyboard(browser, portal_url):
    browser.get(portal_url + "/")
    settle(browser)
    field = browser.find_element(By.ID, "home-search-q")
    field.send_keys("Schule", Keys.ENTER)
    settle(browser)
    assert "/dataset/" in browser.current_url and "q=Schule" in browser.current_url
    assert "Schulen in Chemnitz" in browser.find_element(By.TAG_NAME, "body").text


def test_a_form_error_is_announced_and_linked_to_its_field(browser, portal_url):
    browser.get(portal_url + "/barrierefreiheit")
    settle(browser)
    browser.find_element(By.CSS_SELECTOR, "#rueckmeldung button[type='submit']").send_keys(Keys.ENTER)
    summary = WebDriverWait(browser, 20).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "#rueckmeldung [role='alert']"), "no error summary"
    )
    link = summary.find_element(By.TAG_NAME, "a")
    assert link.text == "Bitte beschreiben Sie die Barriere, auf die Sie gestoßen sind."
    link.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "feedback-message"
    violations = axe_violations(browser)
    assert not violations, describe(violations)


def log_in(browser, portal_url: str, login: tuple[str, str]) -> None:
    name, password = login
    browser.get(portal_url + "/user/login")
    settle(browser)
    browser.find_element(By.ID, "field-login").send_keys(name)
    browser.find_element(By.ID, "field-password").send_keys(password, Keys.ENTER)
    settle(browser)


def test_the_dataset_edit_form_with_a_validation_error(browser, portal_url, admin_login):
    before = api(portal_url).action.package_show(id="schulen")
    log_in(browser, portal_url, admin_login)
    try:
        browser.get(portal_url + "/dataset/edit/schulen")
        settle(browser)
        browser.find_element(By.ID, "field-notes").clear()  # the description is mandatory (DCAT-AP.de)
        save = browser.find_element(By.CSS_SELECTOR, "form#dataset-edit button[type='submit'][name='save']")
        save.send_keys(Keys.ENTER)
        WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".error-explanation"), "no errors")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "Das Formular enthält unzulässige Einträge:\nBeschreibung: Fehlender Wert" in body
        assert browser.switch_to.active_element.get_attribute("role") == "alert"  # the summary is read first
        link = browser.find_element(By.CSS_SELECTOR, ".error-explanation a")
        assert link.get_attribute("hash") == "#field-notes"
        notes = browser.find_element(By.ID, "field-notes")
        assert notes.get_attribute("aria-invalid") == "true"
        violations = axe_violations(browser)
        assert not violations, describe(violations)
    finally:
        browser.delete_all_cookies()
    after = api(portal_url).action.package_show(id="schulen")
    unchanged = ("state", "notes", "metadata_modified")
    assert [after[key] for key in unchanged] == [before[key] for key in unchanged], "the refused form changed data"


def test_the_forms_javascript_widgets_speak_german(browser, portal_url, admin_login):
    """CKAN's JavaScript modules take their words from /api/i18n/de: here the URL field's button."""
    log_in(browser, portal_url, admin_login)
    try:
        browser.get(portal_url + "/dataset/new")
        settle(browser)
        preview = WebDriverWait(browser, 20).until(lambda b: b.find_element(By.CSS_SELECTOR, ".slug-preview"))
        assert preview.find_element(By.TAG_NAME, "button").text == "Bearbeiten"
    finally:
        browser.delete_all_cookies()


PREVIEWS = [("csv", "#vorschau-tabelle table"), ("geojson", "#vorschau-karte[data-features]")]


@pytest.mark.parametrize(("key", "preview"), PREVIEWS)
def test_resource_pages_with_previews_have_no_accessibility_violations(browser, portal_url, key, preview):
    dataset = api(portal_url).action.package_show(id="schulen")
    resource = next(r for r in dataset["resources"] if r.get("harvest_key") == key)
    browser.get(f"{portal_url}/dataset/schulen/resource/{resource['id']}")
    shown = WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, preview), f"no {key} preview")
    if key == "geojson":
        assert int(shown[0].get_attribute("data-features")) > 100  # the city's schools
        assert browser.find_elements(By.CSS_SELECTOR, "#vorschau-karte path.leaflet-interactive")
    violations = axe_violations(browser)
    assert not violations, describe(violations)
