"""Script of an editor or a URL parameter does not run on the portal's origin, in real Chromium.

* The two-upload chain: an uploaded HTML page whose ``<script src>`` is another upload. Served
  inline, the page ran on the portal's origin and the script passed ``script-src 'self'``; now
  both are attachments, so opening the page downloads it.
* An HTML injection into a portal page could still point a ``<script src>`` at an uploaded script
  or at the API's JSONP answer (``?callback=…``): neither runs.
* Uploaded images still show, in a page and opened on their own.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import api_write
from tests.dcat.examples import school_dataset

MARKER = "upload-probe"
SCRIPT = f"localStorage.setItem('{MARKER}', 'ran'); document.title = 'pwned';"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def upload(portal_url: str, dataset: dict, name: str, content: bytes, mimetype: str) -> dict:
    """A file as an editor uploads it, with the pipelines' token (an editor of every department)."""
    return api_write(portal_url).call_action(
        "resource_create", {"package_id": dataset["id"], "name": name}, files={"upload": (name, content, mimetype)}
    )


@pytest.fixture(scope="module")
def uploads(portal_url: str) -> Iterator[dict[str, Any]]:
    org = api_write(portal_url).action.organization_list_for_user(permission="create_dataset")[0]
    dataset = api_write(portal_url).action.package_create(**school_dataset(
        org["id"], name=f"upload-probe-{secrets.token_hex(3)}", resources=[],
    ))  # fmt: skip
    script = upload(portal_url, dataset, "werkzeug.js", SCRIPT.encode(), "text/javascript")
    page = f'<!DOCTYPE html><html><head><script src="{script["url"]}"></script></head><body>Seite</body></html>'
    html = upload(portal_url, dataset, "seite.html", page.encode(), "text/html")
    image = upload(portal_url, dataset, "bild.png", PNG, "image/png")
    yield {"script": script, "page": html, "image": image}
    api_write(portal_url).action.package_delete(id=dataset["id"])


@pytest.fixture
def portal_page(browser, portal_url: str) -> Any:
    """A page of the portal, with no trace of an earlier run of the probe script."""
    browser.get(portal_url + "/dataset/")
    browser.execute_script(f"localStorage.removeItem('{MARKER}')")
    return browser


def probe_ran(browser, portal_url: str) -> bool:
    """Whether the probe script ran on the portal's origin (it leaves its mark in its storage)."""
    if not browser.current_url.startswith(portal_url):
        browser.get(portal_url + "/dataset/")
    return browser.execute_script(f"return localStorage.getItem('{MARKER}')") == "ran"


def load_script(browser, url: str) -> str:
    """What became of ``<script src=url>`` injected into the current page: 'load' or 'error'."""
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; const s = document.createElement('script');"
        "s.onload = () => done('load'); s.onerror = () => done('error'); s.src = arguments[0];"
        "document.head.append(s);",
        url,
    )


def test_an_uploaded_page_cannot_run_an_uploaded_script(portal_page, portal_url, uploads):
    portal_page.get(uploads["page"]["url"])
    assert "pwned" not in portal_page.title
    assert not probe_ran(portal_page, portal_url)


def test_an_injected_script_tag_cannot_load_an_upload(portal_page, portal_url, uploads):
    assert load_script(portal_page, uploads["script"]["url"]) == "error"
    assert not probe_ran(portal_page, portal_url)


def test_an_injected_script_tag_cannot_load_jsonp(portal_page, portal_url):
    callback = "window.__jsonp=(function(answer){return answer})"
    outcome = load_script(portal_page, f"{portal_url}/api/3/action/status_show?callback={callback}")
    assert outcome == "error"
    assert portal_page.execute_script("return window.__jsonp") is None


def test_uploaded_images_still_show(portal_page, uploads):
    shown = portal_page.execute_async_script(
        "const done = arguments[arguments.length - 1]; const img = new Image();"
        "img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); img.src = arguments[0];",
        uploads["image"]["url"],
    )
    assert shown == 1
    portal_page.get(uploads["image"]["url"])
    WebDriverWait(portal_page, 10).until(lambda b: b.execute_script("return document.images.length") == 1)
    assert portal_page.execute_script("return document.images[0].naturalWidth") == 1
