"""Hostile data and hostile requests against the running test portal, in real headless Chromium.

* Script payloads in a harvested dataset's title, description, resource name, table cells and
  GeoJSON attributes do not run on the dataset page, the resource pages with table and map preview
  or the search page, and come back intact (escaped, not stripped) in RDF/XML and JSON-LD.
* The Content Security Policy is in force (an injected inline script does not run) and the portal's
  own pages cause no violation of it.
* Every form that changes something carries CKAN's CSRF token and is refused without it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
import requests
from ckanext.dcat.profiles import DCT
from lxml import html
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import api_write
from tests.dcat.examples import school_dataset

MARK = "xss-probe"
TITLE = f'{MARK} </script><script>window.__xss="title"</script><img src=x onerror="window.__xss=\'title-img\'">'
NOTES = (
    f'{MARK} <script>window.__xss="notes"</script> [Link](javascript:window.__xss="md") '
    '<img src=x onerror=window.__xss="notes-img">'
)
CELL = '<img src=x onerror=window.__xss="cell">'
FEATURE = '<img src=x onerror=window.__xss="feature">'
RECORD = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
# Pages of the portal's own code, with maps, charts, previews and forms.
PAGES = ["/", "/dataset/?q=Schule", "/dataset/schulen", "/parken", "/karte?ext_district=Ka%C3%9Fberg",
         "/barrierefreiheit", "/user/login"]  # fmt: skip


@pytest.fixture(scope="module")
def hostile(portal_url: str) -> Iterator[dict[str, Any]]:
    """A dataset as a compromised source would deliver it, published with the pipelines' token."""
    pipelines = api_write(portal_url).action
    org = pipelines.organization_list_for_user(permission="create_dataset")[0]
    dataset = pipelines.package_create(**school_dataset(
        org["id"], name=f"xss-probe-{secrets.token_hex(3)}", title=TITLE, notes=NOTES, resources=[],
    ))  # fmt: skip
    table = pipelines.resource_create(package_id=dataset["id"], format="CSV", url="https://example.org/t.csv",
                                      name=f'<svg onload=window.__xss="res">{MARK}')  # fmt: skip
    pipelines.datastore_create(resource_id=table["id"], force=True,
                               fields=[{"id": "name", "type": "text"}], records=[{"name": CELL}])  # fmt: skip
    geojson = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": FEATURE},
               "geometry": {"type": "Point", "coordinates": [12.92, 50.83]}}]}  # fmt: skip
    upload = api_write(portal_url).call_action(
        "resource_create", {"package_id": dataset["id"], "name": "Punkte", "format": "GeoJSON"},
        files={"upload": ("punkte.geojson", json.dumps(geojson), "application/geo+json")},
    )  # fmt: skip
    yield {"dataset": dataset, "table": table, "map": upload}
    pipelines.package_delete(id=dataset["id"])


@pytest.fixture
def recording(browser) -> Iterator[None]:
    """Every page opened from now on records its CSP violations in ``window.__csp``."""
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD})
    yield
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


def visit(browser, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 20).until(lambda b: b.execute_script("return document.readyState") == "complete")


def click_the_feature(browser) -> bool:
    browser.find_element(By.CSS_SELECTOR, ".chemnitz-preview-map-canvas path.leaflet-interactive").click()
    return True


def test_payloads_do_not_run_on_any_page(browser, portal_url, hostile, recording):
    name = hostile["dataset"]["name"]
    pages = [f"/dataset/{name}", f"/dataset/{name}/resource/{hostile['table']['id']}", f"/dataset/?q={MARK}"]
    for page in pages:
        visit(browser, portal_url + page)
        assert browser.execute_script("return window.__xss") is None, page
        assert MARK in browser.find_element(By.TAG_NAME, "body").text, page  # shown as text, not dropped
    # The map preview: the feature's name in the list and in its popup, as text.
    visit(browser, f"{portal_url}/dataset/{name}/resource/{hostile['map']['id']}")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "[data-features='1']"))
    # The map may still be fitting its view to the data (an animated zoom): click once it holds still.
    WebDriverWait(browser, 10, ignored_exceptions=[ElementClickInterceptedException]).until(click_the_feature)
    # Leaflet fades the popup in: its text is there for a reader once it is visible.
    popup = WebDriverWait(browser, 10).until(lambda b: b.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text)
    assert FEATURE in popup
    assert browser.execute_script("return window.__xss") is None


def test_payloads_are_escaped_in_the_markup_not_only_blocked(portal_url, hostile):
    """Without the CSP as a second line: no payload is markup; embedded JSON-LD stays JSON."""
    body = requests.get(f"{portal_url}/dataset/{hostile['dataset']['name']}", timeout=30).text
    assert "</script><script>" not in body  # the title inside <script type="application/ld+json"> did not close it
    document = html.fromstring(body)
    assert not document.xpath("//@*[starts-with(name(), 'on')]"), "an event attribute"
    assert not document.xpath("//@href[starts-with(normalize-space(.), 'javascript:')]")
    for script in document.xpath("//script[not(@src)]"):
        if script.get("type") in ("application/json", "application/ld+json"):
            json.loads(script.text)  # intact JSON, whatever the payload did
        else:
            assert "__xss" not in (script.text or "")
    embedded = [json.loads(s.text) for s in document.xpath("//script[@type='application/ld+json']")]
    assert TITLE in set(_strings(embedded))  # carried exactly, not mangled


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize(("suffix", "rdf_format"), [("rdf", "xml"), ("jsonld", "json-ld"), ("ttl", "turtle")])
def test_rdf_outputs_carry_the_title_exactly(portal_url, hostile, suffix, rdf_format):
    answer = requests.get(f"{portal_url}/dataset/{hostile['dataset']['name']}.{suffix}", timeout=30)
    assert answer.status_code == 200
    graph = rdflib.Graph().parse(data=answer.content, format=rdf_format)
    assert TITLE in {str(title) for title in graph.objects(None, DCT.title)}


def test_the_content_security_policy_blocks_inline_scripts(browser, portal_url, recording):
    visit(browser, portal_url + "/")
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.append(s);"
    )
    assert browser.execute_script("return window.__inline") is None
    assert any(v.startswith("script-src") for v in browser.execute_script("return window.__csp"))


@pytest.mark.parametrize("path", PAGES)
def test_the_portals_own_pages_violate_no_policy(browser, portal_url, recording, path):
    visit(browser, portal_url + path)
    assert browser.execute_script("return window.__csp") == [], path


def test_the_map_preview_violates_no_policy(browser, portal_url, hostile, recording):
    visit(browser, f"{portal_url}/dataset/{hostile['dataset']['name']}/resource/{hostile['map']['id']}")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "[data-features='1']"))
    assert browser.execute_script("return window.__csp") == []


@pytest.mark.parametrize(("path", "fields"), [
    ("/user/login", {"login": "admin", "password": "falsch"}),
    ("/barrierefreiheit", {"name": "Test", "email": "test@example.org", "message": "Eine Barriere", "page": "/"}),
])  # fmt: skip
def test_forms_carry_a_csrf_token_and_are_refused_without(portal_url, path, fields):
    session = requests.Session()
    page = html.fromstring(session.get(portal_url + path, timeout=30).text)
    forms = page.xpath("//form[translate(@method, 'POST', 'post') = 'post']")
    assert forms, path
    assert all(form.xpath(".//input[@name='_csrf_token' and @value != '']") for form in forms), path
    refused = session.post(portal_url + path, data=fields, timeout=30, allow_redirects=False)
    assert refused.status_code == 400, (path, refused.status_code)
    assert "CSRF" in refused.text
