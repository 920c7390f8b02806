"""The pages an editor works with carry no inline script, which the Content Security Policy
(``script-src 'self'``) would block: no event attributes (``onclick=``), no htmx ``hx-on`` (compiled
from strings), no ``javascript:`` links, no ``<script>`` with code in the page. CKAN's and
ckanext-scheming's templates had all of these; their buttons did nothing on the portal.
tests/browser/test_form_scripts.py clicks the buttons in Chromium."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
DATA_SCRIPTS = {"application/json", "application/ld+json"}


def inline_script(page: str) -> list[str]:
    """Everything in ``page`` that is script the browser would have to run from the page itself."""
    found = []
    for element in html.fromstring(page).iter():
        if not isinstance(element.tag, str):  # comments
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith(("on", "hx-on")):
                found.append(f"<{element.tag} {name}>")
            elif name in ("href", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} {name}={value}>")
        code = (element.text or "").strip()
        if element.tag == "script" and not element.get("src") and element.get("type") not in DATA_SCRIPTS and code:
            found.append(f"<script>{code[:60]}")
    return found


def test_the_editing_pages_carry_no_inline_script(app):
    admin = factories.Sysadmin()
    token = factories.APIToken(user=admin["name"])["token"]
    organization = factories.Organization()
    dataset = helpers.call_action("package_create", **school_dataset(organization["id"]))
    resource = dataset["resources"][0]["id"]
    pages = [
        "/dataset/new",
        f"/dataset/edit/{dataset['name']}",
        f"/dataset/{dataset['name']}/resource/new",
        f"/dataset/{dataset['name']}/resource/{resource}/edit",
        f"/organization/bulk_process/{organization['name']}",
        f"/user/{admin['name']}/api-tokens",
    ]
    for path in pages:
        page = app.get(path, headers={"Authorization": token}, status=200).body
        assert "<form" in page, path
        assert inline_script(page) == [], path
