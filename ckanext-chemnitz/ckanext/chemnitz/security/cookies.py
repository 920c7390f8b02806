"""The portal's cookies are ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` whenever it is reached over TLS.

CKAN's cookie settings are fixed per installation: ``SESSION_COOKIE_SECURE`` on would break
logging in on plain http (``make demo`` on 127.0.0.1), off sends the session of the TLS portal
without ``Secure``, so a browser would give it away to a plain-http request to the same host.
Flask-Login's remember-me cookie comes with ``SameSite=None`` (sent along with other sites'
requests; Chromium even drops it without ``Secure``).

So the attributes follow the request: ``Secure`` when it came over TLS (``wsgi.url_scheme`` is
https: gunicorn takes it from the TLS proxy's ``X-Forwarded-Proto``, from the addresses in
``FORWARDED_ALLOW_IPS``) or when ``ckan.site_url`` is https. An empty ``Domain=`` (CKAN writes
one when ``SESSION_COOKIE_DOMAIN`` is empty) is dropped: some clients reject the whole cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import ckan.plugins.toolkit as tk
from flask import Flask

REPLACED = frozenset({"httponly", "samesite", "secure"})


class WsgiApp(Protocol):
    """A WSGI application callable by keyword too, as ``Flask.wsgi_app``, which the middleware replaces."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]: ...


def harden(cookie: str, secure: bool) -> str:
    """One ``Set-Cookie`` value with the portal's attributes."""
    name_value, *attributes = (part.strip() for part in cookie.split(";"))
    kept = [a for a in attributes if a and a.split("=", 1)[0].lower() not in REPLACED and a.lower() != "domain="]
    return "; ".join([name_value, *kept, "HttpOnly", "SameSite=Lax", *(["Secure"] if secure else [])])


def over_tls(environ: dict[str, Any]) -> bool:
    return environ.get("wsgi.url_scheme") == "https" or str(tk.config.get("ckan.site_url") or "").startswith("https://")


def hardened_cookies(wsgi_app: WsgiApp) -> WsgiApp:
    """WSGI middleware: Flask writes the session cookie after every ``after_request`` hook."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            secure = over_tls(environ)
            headers = [
                (name, harden(value, secure) if name.lower() == "set-cookie" else value) for name, value in headers
            ]
            return start_response(status, headers, *exc_info)

        return wsgi_app(environ, start)

    return app


def install(app: Flask) -> Flask:
    app.wsgi_app = hardened_cookies(app.wsgi_app)  # type: ignore[method-assign]
    return app
