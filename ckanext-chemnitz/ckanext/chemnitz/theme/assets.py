"""The scripts a page loads: reading pages only what they use.

CKAN's templates put its whole module system on every page (``base/main``, ``base/ckan`` and, through
their preloads, jQuery, moment.js with all its locales, select2, Jed, DOMPurify, htmx; the activity
plugin adds its dashboard script on top). On a phone that is 1–2 s of script work before the page
answers (Lighthouse, total blocking time, docs/benchmarks.md). The pages visitors read (home, search,
dataset, parking, the map page, the portal's own pages) use none of CKAN's modules: they need
Bootstrap's menus and tooltips (Bootstrap with Popper, as CKAN ships it) and Font Awesome; the search
page's filters and sorting are links and a form with a button that work without htmx (whose start
took a phone 0.25 s). For a visitor who is not logged in those pages get exactly that
(``templates/page.html``), and in the head only CKAN's stylesheet and the portal's
(``templates/base.html``; each stylesheet there holds the first paint); logged-in users (editors, who
may meet follow buttons and editing controls there) and every other page keep CKAN's full set.
"""

from __future__ import annotations

from pathlib import Path

import ckan
import ckan.plugins.toolkit as tk
from ckan.lib import webassets_tools
from ckan.lib.helpers import url_for_static_or_external
from webassets import Bundle

BOOTSTRAP = "ckanext-chemnitz/bootstrap"
# Endpoints whose pages use no CKAN module (tests/theme/test_assets.py checks their markup);
# ckanext-dcat serves the home and dataset pages under its own endpoints (content negotiation).
READING_PAGES = frozenset({
    "home.index", "dcat.read_catalog", "dataset.search", "dataset.read", "dcat.read_dataset",
    "chemnitz_parking.index", "chemnitz_karte.index",
})  # fmt: skip
READING_BLUEPRINTS = ("chemnitz_pages.",)
READING = (BOOTSTRAP,)
# CKAN's Font Awesome bundle: on reading pages a stylesheet applied after the first paint (icon_stylesheets).
ICONS = "vendor/fontawesome"


def register() -> None:
    """Bootstrap with Popper as one bundle, from the copy CKAN ships (the version its CSS is built for);
    CKAN's own Bootstrap bundle brings jQuery along and leaves Popper in its vendor bundle."""
    if webassets_tools.is_registered(BOOTSTRAP):
        return
    source = Path(ckan.__file__).parent / "public" / "base" / "vendor" / "bootstrap" / "js" / "bootstrap.bundle.js"
    webassets_tools.env.register(
        BOOTSTRAP, Bundle(str(source), filters="rjsmin", output="ckanext-chemnitz/%(version)s_bootstrap.js")
    )


def reading_page_assets() -> tuple[str, ...] | None:
    """The bundles of this request's page if it is a reading page for a visitor (templates/page.html
    includes them instead of CKAN's scripts), else None."""
    endpoint = tk.request.endpoint or ""
    if tk.current_user.is_authenticated:
        return None
    return READING if endpoint in READING_PAGES or endpoint.startswith(READING_BLUEPRINTS) else None


def icon_stylesheets() -> list[str]:
    """The addresses of Font Awesome's stylesheet, which a reading page fetches and applies only after
    its first paint (``templates/page.html``, ``assets/theme/icons.js``): the stylesheet (24 KB) and the
    icon font it makes the browser fetch at the highest priority (159 KB) competed on a phone with the
    page's text for the connection (Lighthouse counted them into first and largest paint). The icons'
    boxes have their size before (``chemnitz.css``), so nothing moves when they appear."""
    return [url_for_static_or_external(url) for url in webassets_tools.env[ICONS].urls()]
