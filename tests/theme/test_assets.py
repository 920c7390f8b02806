"""The pages a visitor reads load Bootstrap and the portal's own scripts, not CKAN's module system
(jQuery, moment.js, select2, htmx …: 1–2 s of script work on a phone); everything on them works without it.
Logged-in users and the other pages keep CKAN's scripts."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.support.pages import page

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    # no request context: it would keep the first request's visitor for the logged-in request too
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
READING_PAGES = ["/", "/dataset/", "/dataset/schulen", "/parken", "/karte", "/ueber-das-portal"]


@pytest.fixture
def schools() -> dict:
    org = factories.Organization(name="schulverwaltungsamt", title="Schulverwaltungsamt")
    return helpers.call_action("package_create", **school_dataset(org["id"]))


def scripts(tree: html.HtmlElement) -> list[str]:
    return tree.xpath("//script/@src")


def loads(tree: html.HtmlElement, name: str) -> bool:
    return any(src.rsplit("/", 1)[-1].split("_", 1)[-1] == name for src in scripts(tree))


@pytest.mark.parametrize("path", READING_PAGES)
def test_a_reading_page_loads_bootstrap_and_the_theme_and_nothing_waits_for_ckans_modules(app, schools, path):
    tree = page(app, path)
    assert loads(tree, "bootstrap.js") and loads(tree, "theme.js")
    for ckan_script in ("main.js", "ckan.js", "vendor.js", "jquery.js", "activity.js"):
        assert not loads(tree, ckan_script), f"{path} loads CKAN's {ckan_script}"
    assert not tree.xpath("//*[@data-module]"), f"{path} has elements for CKAN's modules, which it does not load"
    assert all(tag.get("defer") is not None for tag in tree.xpath("//script[@src]"))


def stylesheets(tree: html.HtmlElement) -> list[str]:
    """The names of the stylesheets in the head (without their content hash)."""
    return [href.rsplit("/", 1)[-1].split("_", 1)[-1] for href in tree.xpath("//head/link[@rel='stylesheet']/@href")]


@pytest.mark.parametrize("path", READING_PAGES)
def test_a_reading_page_holds_its_first_paint_only_for_its_own_stylesheets(app, schools, path):
    """CKAN's and the portal's stylesheets in the head, not the activity stream's or scheming's forms';
    Font Awesome's stylesheet disabled until a script enables it after the first paint, and without
    JavaScript loaded as it is."""
    tree = page(app, path)
    assert stylesheets(tree)[:2] == ["main.css", "theme.css"]
    assert not {"activity.css", "scheming_css.css"} & set(stylesheets(tree))
    icons = tree.xpath("//link[@data-chemnitz-icons]")
    assert len(icons) == 1 and icons[0].get("disabled") is not None
    assert icons[0].get("href").endswith("_fontawesome.css")
    fallback = icons[0].getnext()
    assert fallback.tag == "noscript" and fallback.xpath("./link/@href") == [icons[0].get("href")]


def test_the_search_pages_place_search_is_the_first_filter_and_only_there(app, schools):
    """The search by place opens with the other filters on a phone ("Ergebnisse filtern"), not above the
    results; an organization's dataset list, which shares the filter panel, has none."""
    panel = page(app, "/dataset/", q="Schule").xpath("//div[@id='search-facets']/div")[0]
    first = panel.xpath("./section")[0]
    assert "chemnitz-place-search" in first.get("class") and first.xpath(".//form[@class='chemnitz-place-form']")
    assert not page(app, "/organization/schulverwaltungsamt").xpath("//*[contains(@class, 'chemnitz-place-search')]")


def test_the_search_page_sorts_with_a_button_and_filters_with_links(app, schools):
    tree = page(app, "/dataset/", q="Schule")
    sort = tree.xpath("//form[@id='dataset-search-form']//select[@name='sort']")[0]
    button = sort.xpath("following-sibling::button[@type='submit']")[0]
    assert button.text_content().strip() == "Los" and "js-hide" not in button.get("class")
    assert tree.xpath("//div[@id='search-facets']//a[starts-with(@href, '/dataset/?')]")


def test_logged_in_users_and_other_pages_keep_ckans_scripts(app, schools):
    editor = factories.Sysadmin()
    token = factories.APIToken(user=editor["name"])["token"]
    signed_in = html.fromstring(app.get("/dataset/schulen", headers={"Authorization": token}, status=200).body)
    assert loads(signed_in, "main.js") and loads(signed_in, "ckan.js")
    assert "scheming_css.css" in stylesheets(signed_in)
    resource = schools["resources"][0]["id"]
    assert loads(page(app, f"/dataset/schulen/resource/{resource}"), "main.js")


def test_pages_with_ckans_modules_run_their_scripts_while_parsing(app, schools):
    """Deferred, jQuery's ready event could start CKAN's modules before ckan.js and ckanext-scheming's
    had registered theirs (theme/helpers.py render_assets): an editor's "Hinzufügen" did nothing."""
    editor = factories.Sysadmin()
    token = factories.APIToken(user=editor["name"])["token"]
    for path in ("/dataset/new", "/dataset/edit/schulen", "/dataset/schulen"):
        tree = html.fromstring(app.get(path, headers={"Authorization": token}, status=200).body)
        assert loads(tree, "ckan.js"), path
        assert not tree.xpath("//script[@src][@defer]"), path


def test_the_language_is_chosen_with_the_browsers_selection_and_a_button(app, schools):
    form = page(app, "/").xpath("//form[@class='lang-select']")[0]
    select = form.xpath(".//select[@name='url']")[0]
    assert form.xpath(".//label[@for='field-lang-select']")[0].text_content().strip() == "Sprache"
    assert {"de", "en"} <= {option.get("lang") for option in select.xpath("option")}
    button = form.xpath(".//button[@type='submit']")[0]
    assert button.text_content().strip() == "Los" and "d-none" not in button.get("class")
    assert select.get("data-module") is None
