"""The login's cookies are ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` when the portal is reached
over TLS (behind the proxy: gunicorn turns its ``X-Forwarded-Proto`` into the request's scheme),
while logging in on plain http still works. Logging out takes a POST with the CSRF token: a link or
an image pointing at the logout URL only gets a question back."""

from __future__ import annotations

from pathlib import Path

import ckan.tests.factories as factories
import pytest
import yaml
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("WTF_CSRF_ENABLED", "true"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
PASSWORD = "Passwort-1234"
SITE = "test.ckan.net"
COMPOSE = Path(__file__).resolve().parents[2] / "docker" / "compose.yaml"


def log_in(app, scheme: str = "http") -> tuple[dict, list[str]]:
    """A user logs in with "remember me"; returns the user and the ``Set-Cookie`` headers of the login."""
    user = factories.User(password=PASSWORD)
    base = f"{scheme}://{SITE}"
    token = html.fromstring(app.get("/user/login", base_url=base).body).xpath("//input[@name='_csrf_token']/@value")[0]
    answer = app.post(
        "/user/login", base_url=base, follow_redirects=False, headers={"Referer": f"{base}/user/login"},
        data={"login": user["name"], "password": PASSWORD, "remember": "63072000", "_csrf_token": token},
    )  # fmt: skip
    assert answer.status_code == 302, answer.get_data(as_text=True)[-500:]
    return user, answer.headers.getlist("Set-Cookie")


def attributes(cookie: str) -> dict[str, str]:
    name_value, *rest = (part.strip() for part in cookie.split(";"))
    return {"name": name_value.split("=", 1)[0]} | {
        key.lower(): value for key, _, value in (part.partition("=") for part in rest)
    }


def logged_in(app) -> bool:
    return app.get("/dashboard/datasets", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_login_cookies_are_http_only_same_site_and_secure_over_tls(app, scheme):
    _, cookies = log_in(app, scheme)
    seen = {attributes(cookie)["name"]: attributes(cookie) for cookie in cookies}
    assert {"ckan", "remember_token"} <= set(seen)
    for cookie in seen.values():
        assert "httponly" in cookie and cookie["samesite"] == "Lax", cookie
        assert ("secure" in cookie) == (scheme == "https"), cookie
        assert cookie.get("domain", SITE) != "", cookie  # an empty Domain= makes some clients drop the cookie


def test_on_plain_http_the_login_holds(app):
    log_in(app)
    assert logged_in(app)


@pytest.mark.ckan_config("ckan.site_url", f"https://{SITE}")
def test_an_https_site_url_makes_cookies_secure_even_if_the_proxy_scheme_is_lost(app):
    _, cookies = log_in(app, "https")
    assert cookies and all("secure" in attributes(cookie) for cookie in cookies)
    page = app.get("/user/login", base_url=f"http://{SITE}")  # a request that arrived without the proxy's scheme
    assert all("secure" in attributes(cookie) for cookie in page.headers.getlist("Set-Cookie"))


def test_the_docker_portal_believes_its_tls_proxy():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["ckan"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"


def test_a_get_to_the_logout_url_does_not_log_out(app):
    log_in(app)
    answer = app.get("/user/_logout", follow_redirects=False)
    assert answer.status_code == 200
    form = html.fromstring(answer.body).xpath("//*[@role='main']//form[@method='post']")[0]
    assert form.get("action") == "/user/_logout" and form.xpath(".//input[@name='_csrf_token']/@value")
    assert "Abmelden" in form.text_content()
    assert logged_in(app)


def test_a_logout_post_without_the_csrf_token_is_refused(app):
    log_in(app)
    refused = app.post("/user/_logout", follow_redirects=False)
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert logged_in(app)


def test_the_header_logs_out_by_post(app):
    log_in(app)
    page = html.fromstring(app.get("/dataset/").body)
    form = page.xpath("//*[contains(@class, 'account-masthead')]//form[@action='/user/_logout']")[0]
    assert form.get("method") == "post"
    assert " ".join(form.xpath(".//button")[0].text_content().split()) == "Abmelden"
    token = form.xpath(".//input[@name='_csrf_token']/@value")[0]
    answer = app.post("/user/_logout", data={"_csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 302
    assert not logged_in(app)


def test_an_anonymous_visitor_of_the_logout_url_is_sent_to_the_login(app):
    answer = app.get("/user/_logout", follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/user/login")
