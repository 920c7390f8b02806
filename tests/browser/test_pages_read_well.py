"""What axe-core cannot see, on every page of the accessibility list, one page load each: the focus is
visible on every focusable element (WCAG 2.4.7, 1.4.11), no English text, name or tooltip reaches a
person or a screen reader, HTML_CodeSniffer (WCAG2AA) finds no error, every page has a title that
names it and a meta description, and nothing is wider than a window of 375 or 320 px (1.4.10)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import HTMLCS, api
from tests.browser.german import english_texts
from tests.browser.test_accessibility import VISITOR_PAGES, settle

CHECKS = Path(__file__).with_name("page_checks.js").read_text(encoding="utf-8")
RESOURCE_PAGES = ["resource:csv", "resource:geojson"]  # the table and the map preview of "schulen"


def page_path(portal_url: str, page: str) -> str:
    if not page.startswith("resource:"):
        return page
    dataset = api(portal_url).action.package_show(id="schulen")
    resource = next(r for r in dataset["resources"] if r.get("harvest_key") == page.split(":", 1)[1])
    return f"/dataset/schulen/resource/{resource['id']}"


def run_checks(browser, script: str):
    """A function of tests/browser/page_checks.js on the page as it is now."""
    return browser.execute_script(CHECKS + "\nreturn chemnitzChecks." + script)


def htmlcs_errors(browser) -> list[str]:
    """HTML_CodeSniffer's errors for WCAG 2.1 AA (a second engine beside axe-core)."""
    browser.execute_script(HTMLCS.read_text(encoding="utf-8"))
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "HTMLCS.process('WCAG2AA', document, () => done(HTMLCS.getMessages()"
        "  .filter(m => m.type === HTMLCS.ERROR)"
        "  .map(m => m.code + ': ' + m.msg + ' at ' + (m.element.outerHTML || m.element.nodeName).slice(0, 160))),"
        "  error => done(['HTML_CodeSniffer failed: ' + error]));"
    )


def overflow(browser, width: int) -> list[str]:
    """The elements that reach beyond a window of this width (the page's own width, scroll bar excluded)."""
    browser.set_window_size(width, 900)  # the script below lays the page out anew for this width
    return browser.execute_script(
        "const width = document.documentElement.clientWidth;"
        "if (document.documentElement.scrollWidth <= width) return [];"
        "const scrolled = e => {"  # inside a box that scrolls or clips (a wide table's region, a map)
        "  for (let n = e.parentElement; n && n !== document.body; n = n.parentElement)"
        "    if (getComputedStyle(n).overflowX !== 'visible') return true;"
        "  return false; };"
        "return [...document.querySelectorAll('body *')]"
        "  .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.getBoundingClientRect().width > 0)"
        "  .filter(e => getComputedStyle(e).position !== 'fixed' && !scrolled(e))"
        "  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')"
        "       + ' ' + Math.round(e.getBoundingClientRect().right - width) + ' px').slice(0, 8);"
    )


def focus_problems(browser) -> list[str]:
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)  # keyboard use: focus() then shows :focus-visible
    found = run_checks(browser, "focusProblems();")
    assert found["checked"] > 5, "hardly anything focusable: the check did not run"
    return found["problems"]


@pytest.mark.parametrize("page", VISITOR_PAGES + RESOURCE_PAGES)
def test_page_reads_well(browser, portal_url, page):
    path = page_path(portal_url, page)
    size = browser.get_window_size()
    browser.set_window_size(1280, 1000)
    browser.get(portal_url + path)
    settle(browser)
    problems = []
    title = browser.title
    description = browser.execute_script("return document.querySelector('meta[name=description]')?.content")
    if not description or len(description) < 30:
        problems.append(f"meta description missing or too short: {description!r}")
    searched = [value for key, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query) if key != "page"]
    if any(value not in title for value in searched):
        problems.append(f"the title {title!r} does not name the search {searched}")
    problems += [f"English: {line}" for line in english_texts(run_checks(browser, "spokenTexts();"))]
    problems += [f"HTML_CodeSniffer: {error}" for error in htmlcs_errors(browser)]
    problems += [f"focus at 1280 px: {problem}" for problem in focus_problems(browser)]
    problems += [f"broken at 1280 px: {word}" for word in run_checks(browser, "brokenWords();")]
    try:
        browser.set_window_size(375, 900)
        problems += [f"focus at 375 px: {problem}" for problem in focus_problems(browser)]
        for width in (375, 320):
            problems += [f"wider than {width} px: {element}" for element in overflow(browser, width)]
            problems += [f"broken at {width} px: {word}" for word in run_checks(browser, "brokenWords();")]
            problems += [f"cut off at {width} px: {field}" for field in run_checks(browser, "cutPlaceholders();")]
    finally:
        browser.set_window_size(size["width"], size["height"])
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_filters_without_entries_say_so_in_german(browser, portal_url):
    """A search that finds nothing leaves every filter empty: the message reads as German
    ("Es gibt keine Hochwertige Datensätze, die …" did not)."""
    browser.get(portal_url + "/dataset/?q=Schule&tags=Parken")
    settle(browser)
    empty = [e.get_attribute("textContent").strip() for e in browser.find_elements(By.CSS_SELECTOR, ".filters .empty")]
    assert len(empty) > 2, "no empty filters on a search without results"
    for message in empty:
        assert message.startswith("Keine Einträge unter „") and message.endswith("“ für diese Suche"), message


def test_the_dataset_page_shows_each_detail_once_and_in_words(browser, portal_url):
    """No label without a value, no raw GeoJSON, no "Veröffentlichende Stelle 1" beside the row
    that already says "Veröffentlichende Stelle"; the area's bounding box is given in words."""
    browser.get(portal_url + "/dataset/schulen")
    settle(browser)
    details = browser.find_element(By.CSS_SELECTOR, ".additional-info")
    pairs = browser.execute_script(
        "return [...arguments[0].querySelectorAll('dt, tbody th')]"
        "  .map(label => [label.innerText.trim(), label.nextElementSibling.innerText.trim()])",
        details,
    )
    assert pairs and all(value for _, value in pairs), f"labels without a value: {pairs}"
    text = details.text
    assert '"coordinates"' not in text and "Polygon" not in text, "raw GeoJSON on the page"
    assert "Veröffentlichende Stelle 1" not in text and "Gebiet 1" not in text
    assert "Begrenzungsrechteck\nWest 12,786, Süd 50,762, Ost 13,021, Nord 50,881 (WGS 84)" in text


@pytest.mark.parametrize("key", ["csv", "geojson"])
def test_the_resource_page_labels_its_details(browser, portal_url, key):
    """The resource's further information in words, not CKAN's raw keys (Datastore active: True)."""
    browser.get(portal_url + page_path(portal_url, f"resource:{key}"))
    settle(browser)
    table = browser.find_element(By.XPATH, "//h2[.='Zusätzliche Informationen']/following-sibling::table")
    labels = [th.get_attribute("textContent").strip() for th in table.find_elements(By.CSS_SELECTOR, "tbody th")]
    for raw in ("Datastore active", "Url type", "Package id", "Has views", "Position", "State", "Harvest key"):
        assert raw not in labels, f"raw key {raw!r} on the resource page"
    assert "Ablage der Datei" in labels and "Kennung der Ressource (für die API)" in labels
    assert ("Tabelle über die API" in labels) == (key == "csv")  # the CSV is in the DataStore
    values = [td.get_attribute("textContent").strip() for td in table.find_elements(By.CSS_SELECTOR, "tbody td")]
    assert "" not in values and "True" not in values and "upload" not in values, f"empty or raw values: {values}"
