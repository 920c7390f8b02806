"""Every form POST needs CKAN's CSRF token, from anonymous visitors and from logged-in users,
also after a request CKAN itself exempted (an API token or an anonymous visitor)."""

from __future__ import annotations

import ckan.tests.factories as factories
import pytest

from tests.ckan_support import PORTAL_PLUGINS, csrf_token

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("WTF_CSRF_ENABLED", "true"),
    pytest.mark.usefixtures("with_plugins", "clean_feedback_db", "clean_index"),
]
FEEDBACK = {"message": "Der Kontrast ist zu schwach.", "page": "/", "contact": "erika@example.org"}


def test_an_anonymous_form_post_needs_the_token(app):
    refused = app.post("/barrierefreiheit", data=FEEDBACK)
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    form = {**FEEDBACK, "_csrf_token": csrf_token(app, "/barrierefreiheit")}
    accepted = app.post("/barrierefreiheit", data=form, follow_redirects=False)
    assert accepted.status_code == 302


def test_login_needs_the_token(app):
    user = factories.User(password="Passwort-1234")
    refused = app.post("/user/login", data={"login": user["name"], "password": "Passwort-1234"})
    assert refused.status_code == 400


def test_no_exemption_outlasts_the_request_that_caused_it(app):
    """An API-token POST to a form view (exempt, as CKAN wants), then a logged-in user's POST without the token."""
    sysadmin = factories.Sysadmin(password="Passwort-1234")
    api_token = factories.APIToken(user=sysadmin["name"])["token"]
    headers = {"Authorization": api_token}
    by_token = app.post("/barrierefreiheit", data=FEEDBACK, headers=headers, follow_redirects=False)
    assert by_token.status_code == 302

    user = factories.User(password="Passwort-1234")
    login = {"login": user["name"], "password": "Passwort-1234", "_csrf_token": csrf_token(app, "/user/login")}
    assert app.post("/user/login", data=login, follow_redirects=False).status_code == 302
    refused = app.post("/barrierefreiheit", data=FEEDBACK, follow_redirects=False)
    assert refused.status_code == 400
