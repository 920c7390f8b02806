"""CSRF protection on every form, also for visitors who are not logged in.

CKAN 2.12 skips the CSRF check for requests that carry an API token *and for anonymous
visitors* (``load_user_from_request`` sets ``g.login_via_auth_header``), and it does so by calling
``csrf.exempt`` on the view: the exemption stays for every later request the worker serves, so
after one anonymous POST to a form, a logged-in editor's POST to it is no longer checked either.

Here the exemptions CKAN adds while serving a request are removed again after it, and a form
POST without an API token (an anonymous visitor's) is checked as well. The Action API keeps
CKAN's rules (token clients are not exposed to CSRF; CKAN's JavaScript sends the token header).
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Flask, Response, g, request


def install(app: Flask) -> Flask:
    csrf = app.extensions["csrf"]
    declared = set(csrf._exempt_views)  # exempt by decorator at start-up; CKAN 2.12 declares none

    @app.before_request
    def check_anonymous_forms() -> None:
        if request.method not in app.config["WTF_CSRF_METHODS"] or g.get("csrf_valid"):
            return
        if request.blueprint == "api" or request.headers.get(tk.config.get("apitoken_header_name")):
            return
        csrf.protect()  # raises CSRFError (HTTP 400) without a valid token

    @app.after_request
    def drop_lasting_exemptions(response: Response) -> Response:
        csrf._exempt_views.intersection_update(declared)
        return response

    return app
