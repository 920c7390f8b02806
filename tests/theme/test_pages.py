"""The legal and help pages: German defaults, admins' texts, the accessibility feedback form."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS, csrf_token
from tests.support.pages import text

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "clean_feedback_db", "clean_index"),
]

PAGES = {
    "/ueber-das-portal": ("Über das Portal", "DCAT-AP.de"),
    "/impressum": ("Impressum", "Markt 1"),
    "/datenschutz": ("Datenschutz", "Keine Cookies"),
    "/barrierefreiheit": ("Erklärung zur Barrierefreiheit", "Durchsetzungsverfahren"),
    "/leichte-sprache": ("Leichte Sprache", "Alle Menschen dürfen die Daten benutzen."),
    "/lizenzen": ("Lizenzen", "dl-de/by-2-0"),
}


def parsed(response) -> html.HtmlElement:
    return html.fromstring(response.body)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_there_in_german_and_linked_from_the_footer(app, path):
    title, phrase = PAGES[path]
    page = parsed(app.get(path, status=200))
    assert page.get("lang") == "de"
    assert text(page.xpath("//h1")[0]) == title
    assert phrase in text(page)
    assert path in page.xpath("//footer//a/@href")


def test_an_admins_text_replaces_the_default(app):
    admin = factories.Sysadmin()
    text_of_admins = "## Verantwortlich\n\nAmt für Informationsverarbeitung"
    helpers.call_action("config_option_update", context={"user": admin["name"]},
                        **{"ckanext.chemnitz.page.imprint": text_of_admins})  # fmt: skip
    page = parsed(app.get("/impressum", status=200))
    assert "Amt für Informationsverarbeitung" in text(page)
    assert "Markt 1" not in text(page)


def test_feedback_without_a_message_is_refused_with_the_error_linked_to_its_field(app):
    form = {"message": "  ", "page": "/parken", "_csrf_token": csrf_token(app, "/barrierefreiheit")}
    answer = app.post("/barrierefreiheit", data=form, status=400)
    page = parsed(answer)
    summary = page.xpath("//div[@role='alert']//a")
    assert [(link.get("href"), text(link)) for link in summary] == [
        ("#feedback-message", "Bitte beschreiben Sie die Barriere, auf die Sie gestoßen sind.")
    ]
    field = page.xpath("//textarea[@id='feedback-message']")[0]
    assert field.get("aria-invalid") == "true"
    assert "feedback-message-error" in field.get("aria-describedby")
    assert page.xpath("//input[@id='feedback-page']/@value") == ["/parken"]  # what was typed is kept
    assert helpers.call_action("chemnitz_accessibility_feedback_list") == []


def test_feedback_is_recorded_for_admins_only(app):
    answer = app.post("/barrierefreiheit", data={"message": "Die Karte ist mit der Tastatur nicht bedienbar.",
                                                 "page": "/parken", "contact": "a@example.org",
                                                 "_csrf_token": csrf_token(app, "/barrierefreiheit")},
                      follow_redirects=False)  # fmt: skip
    assert answer.status_code == 302 and "gesendet=1" in answer.headers["Location"]
    assert "Vielen Dank" in text(parsed(app.get("/barrierefreiheit?gesendet=1")))
    (record,) = helpers.call_action("chemnitz_accessibility_feedback_list")
    assert (record["page"], record["contact"], record["state"]) == ("/parken", "a@example.org", "new")

    app.get("/barrierefreiheit/rueckmeldungen", status=403)
    token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    listing = app.get("/barrierefreiheit/rueckmeldungen", headers={"Authorization": token}, status=200)
    assert "Die Karte ist mit der Tastatur nicht bedienbar." in text(parsed(listing))


def test_the_api_gives_precise_errors_and_keeps_the_list_private(app):
    answer = app.post("/api/3/action/chemnitz_accessibility_feedback_create", json={"message": "x" * 5001}, status=409)
    assert "message" in answer.json["error"]
    app.get("/api/3/action/chemnitz_accessibility_feedback_list", status=403)


@pytest.mark.parametrize(
    ("path", "heading"), [("/en/ueber-das-portal", "About the portal"), ("/en/parken", "Parking search")]
)
def test_english_is_available_by_url(app, path, heading):
    page = parsed(app.get(path, status=200))
    assert page.get("lang") == "en"
    assert text(page.xpath("//h1")[0]) == heading
