"""Real headless Chromium (Debian's chromium and chromedriver) against a running portal, with axe-core.

The browser suites run after the pipeline suites, against the test portal they filled
(``var/e2e.env``, written by ``scripts/e2e-portal.sh``); ``PORTAL_ENV`` names another file of that
shape (``CKAN_URL``, ``CKAN_API_TOKEN``), and ``PORTAL_URL`` points them at another portal, e.g.
the demo (``PORTAL_URL=http://127.0.0.1:5000``, with the token of ``.env``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver

from bench.browser import CHROMEDRIVER, CHROMIUM, headless_chromium
from tests.support.portal import ENV, ROOT, Client, client, read_env, settings

PORTAL_ENV = Path(os.environ.get("PORTAL_ENV") or ENV)
AXE = ROOT / "ckanext-chemnitz" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# HTML_CodeSniffer, a second engine beside axe-core (tests/browser/test_pages_read_well.py).
HTMLCS = ROOT / "ckanext-chemnitz" / "frontend" / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
# BITV 2.0 refers to EN 301 549, i.e. WCAG 2.1 levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def portal_url() -> str:
    if os.environ.get("PORTAL_URL"):
        return os.environ["PORTAL_URL"].rstrip("/")
    return settings(PORTAL_ENV)["CKAN_URL"].rstrip("/")


@pytest.fixture(scope="session")
def admin_login() -> tuple[str, str]:
    """The sysadmin's name and password (``.env``; the test portal is bootstrapped with them)."""
    values = read_env(ROOT / ".env")
    return values.get("CKAN_SYSADMIN", "admin"), values["CKAN_ADMIN_PASSWORD"]


def pipeline_token() -> str:
    """The pipelines' API token: the test portal's, or the demo's in .env."""
    source = PORTAL_ENV if PORTAL_ENV.exists() and not os.environ.get("PORTAL_URL") else ROOT / ".env"
    return read_env(source)["CKAN_API_TOKEN"]


def api_write(portal_url: str) -> Client:
    """The portal's Action API with the pipelines' token (ckanapi)."""
    return client(portal_url, pipeline_token())


def api(portal_url: str) -> Client:
    """The portal's Action API as a third party reads it (ckanapi, GET requests without a token)."""
    return client(portal_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    for needed in (CHROMIUM, CHROMEDRIVER, AXE, HTMLCS):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: make test installs it (Debian chromium, chromium-driver; npm packages).")
    driver = headless_chromium()
    yield driver
    driver.quit()


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        "  .then(result => done(result.violations),"
        "        error => done([{id: 'axe-error', help: String(error), nodes: []}]));",
        WCAG_TAGS,
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and element, readable in a failing test's message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"] or [{"target": ["?"], "failureSummary": ""}]:
            summary = " ".join(node.get("failureSummary", "").split())
            where = f"{violation['id']} ({violation.get('impact')}): {violation['help']} at {node['target']}"
            lines.append(f"{where}: {summary}")
    return "\n".join(lines)
