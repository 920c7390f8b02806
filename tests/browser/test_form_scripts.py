"""CKAN's and ckanext-scheming's editing forms work under the portal's Content Security Policy.

``script-src 'self'`` blocks inline event handlers (``onclick=``) and ``javascript:`` links; the
stock templates used both for "Hinzufügen" of repeated text fields and the resource form's
"Hochladen"/"Link" buttons, which then did nothing. In headless Chromium, logged in as the
sysadmin: every form page an editor uses causes no ``securitypolicyviolation``, the buttons do
what they say, and the organization's bulk page changes its datasets.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import api_write
from tests.browser.test_accessibility import log_in, settle
from tests.browser.test_security import recording  # noqa: F401 (fixture)
from tests.dcat.examples import school_dataset

TEXT_FIELDS = "fieldset.scheming-fieldset:has(> ol.multiple-text-group)"
ADD_SUBFIELDS = "fieldset[data-module='scheming-repeating-subfields'] a[name='repeating-add']"


@pytest.fixture(scope="module")
def dataset(portal_url: str) -> Iterator[dict[str, Any]]:
    """Two datasets of one organization the pipelines' user edits, the first with a resource."""
    pipelines = api_write(portal_url).action
    org = pipelines.organization_list_for_user(permission="create_dataset")[0]
    created = [pipelines.package_create(**school_dataset(org["id"], name=f"formular-{secrets.token_hex(3)}"))
               for _ in range(2)]  # fmt: skip
    yield {"org": org, "first": created[0], "second": created[1]}
    for item in created:
        pipelines.package_delete(id=item["id"])


@pytest.fixture
def logged_in(browser, portal_url, admin_login) -> Iterator[None]:
    log_in(browser, portal_url, admin_login)
    yield
    browser.delete_all_cookies()


# Scrolls the element to the middle of the window at once (Bootstrap makes scrolling smooth, a click
# would land where it was) and answers whether, two frames later, it is still there and is what a
# click at its centre hits. ckanext-scheming shows an added group with a 100 ms animation, which moves
# what lies below it after the scroll (CI once clicked a button that had moved, and hit its fieldset).
CENTRED_AND_ON_TOP = """
const [element, done] = arguments;
element.scrollIntoView({block: 'center', behavior: 'instant'});
const before = element.getBoundingClientRect();
requestAnimationFrame(() => requestAnimationFrame(() => {
  const now = element.getBoundingClientRect();
  const hit = document.elementFromPoint(now.x + now.width / 2, now.y + now.height / 2);
  done(now.x === before.x && now.y === before.y && element.contains(hit));
}));
"""


def scroll_to(browser, element) -> None:
    """The element in the middle of the window, where it stays, ready for a click."""
    WebDriverWait(browser, 5, poll_frequency=0.05).until(lambda b: b.execute_async_script(CENTRED_AND_ON_TOP, element))


def violations(browser) -> list[str]:
    return browser.execute_script("return window.__csp")


# CKAN starts every module of the page in one go (ckan.module.initialize): once one has an
# instance, all have, and a click reaches their handlers (the bulk page's row selection, which a
# click before it left unticked in make test at 22:55 UTC). A page without a module has none to wait for.
MODULES_STARTED = """
if (!(window.ckan && ckan.module)) return false;
if (Object.keys(ckan.module.instances).length) return true;
return !Array.from(document.querySelectorAll('[data-module]'))
  .some(element => element.getAttribute('data-module').split(' ').some(name => ckan.module.registry[name]));
"""


def open_form(browser, url: str) -> None:
    """The form once CKAN's modules have started: they start after the page's load, when the
    translations arrive, and ckanext-scheming's then takes out its hidden template group (with its
    own "Hinzufügen" buttons, which a test that read the form earlier would hold)."""
    browser.get(url)
    settle(browser)
    WebDriverWait(browser, 20).until(lambda b: b.execute_script(MODULES_STARTED), f"{url}: modules did not start")
    template = "[data-module=scheming-repeating-subfields] > [name=repeating-template]"
    assert not browser.find_elements(By.CSS_SELECTOR, template), url
    assert browser.find_elements(By.CSS_SELECTOR, "form"), url
    assert not browser.find_elements(By.CSS_SELECTOR, "[onclick], [onchange], a[href^='javascript:']"), url


def adds_one(browser, button, items: str) -> list:
    """A click on an "Hinzufügen" button adds one of the ``items`` to its fieldset; they are returned."""
    fieldset = button.find_element(By.XPATH, "ancestor::fieldset[1]")
    before = len(fieldset.find_elements(By.CSS_SELECTOR, items))
    scroll_to(browser, button)
    button.click()
    after = fieldset.find_elements(By.CSS_SELECTOR, items)
    assert len(after) == before + 1, fieldset.get_attribute("name")
    return after


def add_text_fields(browser) -> None:
    """Each "Hinzufügen" of a repeated text field adds one empty field and focuses it."""
    buttons = browser.find_elements(By.CSS_SELECTOR, f"{TEXT_FIELDS} button[name='multiple-add']")
    assert buttons, "no repeated text field"
    for button in buttons:
        inputs = adds_one(browser, button, "li input")
        assert inputs[-1].get_attribute("value") == ""
        assert browser.switch_to.active_element == inputs[-1]


def remove_last_text_field(browser) -> None:
    """The "Entfernen" button on the last of several repeated fields removes it without leaving the page."""
    fieldset = browser.find_element(By.CSS_SELECTOR, TEXT_FIELDS)
    before = len(fieldset.find_elements(By.CSS_SELECTOR, "li"))
    url = browser.current_url
    remove = fieldset.find_elements(By.CSS_SELECTOR, "button[name='multiple-remove']")[-1]
    scroll_to(browser, remove)
    remove.click()
    WebDriverWait(browser, 5).until(lambda b: len(fieldset.find_elements(By.CSS_SELECTOR, "li")) == before - 1)
    assert browser.current_url == url


def choose_link(browser) -> None:
    """The resource form's "Link" shows the URL field and focuses it."""
    link = browser.find_element(By.ID, "resource-link-button")
    scroll_to(browser, link)
    link.click()
    url = browser.find_element(By.ID, "field-resource-url")
    assert browser.find_element(By.ID, "resource-url-link").is_selected()
    assert url.is_displayed()
    assert browser.switch_to.active_element == url


def remove_choice(browser, field: str) -> None:
    """The "Entfernen" button next to the URL or file field empties it and offers "Hochladen"/"Link" again."""
    remove = browser.find_element(
        By.XPATH,
        f"//input[@id='{field}']/ancestor::div[@class='upload-type' or @class='select-type'][1]"
        "//button[contains(@class, 'btn-remove-url')]",
    )
    scroll_to(browser, remove)
    remove.click()
    assert browser.find_element(By.ID, "resource-url-none").is_selected()
    assert browser.find_element(By.ID, field).get_attribute("value") == ""
    upload = browser.find_element(By.ID, "resource-upload-button")
    assert upload.is_displayed()
    assert browser.switch_to.active_element == upload


def choose_upload(browser) -> None:
    """The "Hochladen" button selects the file upload (the file dialog itself cannot open headless)."""
    browser.find_element(By.ID, "resource-upload-button").click()
    assert browser.find_element(By.ID, "resource-url-upload").is_selected()
    assert browser.find_element(By.ID, "field-resource-upload").is_displayed()


def add_subfield_groups(browser) -> None:
    """ckanext-scheming's "Hinzufügen" of a group of fields (contact point, area, period) adds one."""
    buttons = browser.find_elements(By.CSS_SELECTOR, ADD_SUBFIELDS)
    assert buttons, "no repeating subfields"
    for button in buttons:
        adds_one(browser, button, ".scheming-repeating-subfields-group > div")


@pytest.mark.usefixtures("logged_in", "recording")
def test_the_dataset_forms_add_repeated_fields_without_a_violation(browser, portal_url, dataset):
    for page in ("/dataset/new", f"/dataset/edit/{dataset['first']['name']}"):
        open_form(browser, portal_url + page)
        add_text_fields(browser)
        remove_last_text_field(browser)
        add_subfield_groups(browser)
        assert violations(browser) == [], page


@pytest.mark.usefixtures("logged_in", "recording")
def test_the_resource_forms_work_without_a_violation(browser, portal_url, dataset):
    name, resource = dataset["first"]["name"], dataset["first"]["resources"][0]
    open_form(browser, f"{portal_url}/dataset/{name}/resource/new")
    choose_link(browser)
    browser.switch_to.active_element.send_keys("https://example.org/daten.csv")
    remove_choice(browser, "field-resource-url")
    choose_upload(browser)
    remove_choice(browser, "field-resource-upload")
    add_text_fields(browser)
    assert violations(browser) == []

    # The stored link is shown; a second standard added with "Hinzufügen" is saved.
    open_form(browser, f"{portal_url}/dataset/{name}/resource/{resource['id']}/edit")
    assert browser.find_element(By.ID, "resource-url-link").is_selected()
    add_text_fields(browser)
    browser.switch_to.active_element.send_keys("https://example.org/zweiter-standard")
    browser.find_element(By.CSS_SELECTOR, "button[name='save']").click()
    settle(browser)
    assert violations(browser) == []
    saved = api_write(portal_url).action.resource_show(id=resource["id"])
    assert saved["conforms_to"] == [*resource.get("conforms_to", []), "https://example.org/zweiter-standard"]
    assert saved["url"] == resource["url"]


@pytest.mark.usefixtures("logged_in", "recording")
def test_the_bulk_page_makes_datasets_private_and_public(browser, portal_url, dataset):
    ids = [dataset["first"]["id"], dataset["second"]["id"]]
    for action, private in (("private", True), ("public", False)):
        open_form(browser, f"{portal_url}/organization/bulk_process/{dataset['org']['name']}")
        for dataset_id in ids:
            browser.find_element(By.CSS_SELECTOR, f"input[name='dataset_{dataset_id}']").click()
        browser.find_element(By.CSS_SELECTOR, f"button[name='bulk_action.{action}']").click()
        settle(browser)
        assert "Internal Server Error" not in browser.title
        assert violations(browser) == [], action
        assert [api_write(portal_url).action.package_show(id=i)["private"] for i in ids] == [private, private]


@pytest.mark.usefixtures("logged_in", "recording")
def test_api_tokens_are_created_and_revoked_without_a_violation(browser, portal_url, admin_login):
    """Ticking a token enables "Token zurückziehen" (its onchange handler was blocked: no revoking)."""
    open_form(browser, f"{portal_url}/user/{admin_login[0]}/api-tokens")
    name = f"formular-{secrets.token_hex(3)}"
    browser.find_element(By.CSS_SELECTOR, "input#name").send_keys(name)
    browser.find_element(By.CSS_SELECTOR, "button[value='create']").click()
    row = WebDriverWait(browser, 20).until(
        lambda b: next((r for r in b.find_elements(By.CSS_SELECTOR, "#api-tokens-table tr") if name in r.text), None)
    )
    revoke = browser.find_element(By.ID, "revoke-tokens-button")
    assert revoke.text == "Token zurückziehen"  # CKAN's compiled German catalogue lacks it
    assert not revoke.is_enabled()
    row.find_element(By.CSS_SELECTOR, "input[name='token']").click()
    assert revoke.is_enabled()
    revoke.click()
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.CSS_SELECTOR, ".modal.show .modal-footer .btn:not(.btn-cancel)")
    ).click()
    WebDriverWait(browser, 20).until(lambda b: name not in b.find_element(By.ID, "api-tokens-table").text)
    assert not revoke.is_enabled()
    assert violations(browser) == []
