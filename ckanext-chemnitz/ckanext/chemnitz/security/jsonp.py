"""JSONP is off: the Action API's ``callback`` parameter is refused unless a setting turns it on.

With ``?callback=…`` CKAN answers ``application/javascript`` that calls any code the caller put into
the parameter (``callback=alert(document.domain)//``). Being on the portal's own origin, such an
answer passes the Content Security Policy's ``script-src 'self'``, so any HTML injection into a
page could run script through it. The portal's own scripts read the API as plain JSON;
``ckanext.chemnitz.api.jsonp`` brings CKAN's behaviour back for an installation whose users still
need JSONP.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Flask, Response, jsonify, request

REFUSAL = (
    "JSONP is switched off on this portal: the 'callback' parameter is not accepted. "
    "Request the same URL without it to get the answer as JSON."
)


def install(app: Flask) -> Flask:
    @app.before_request
    def refuse_jsonp() -> Response | None:
        if request.blueprint != "api" or "callback" not in request.args:
            return None
        if tk.config.get("ckanext.chemnitz.api.jsonp"):
            return None
        answer = jsonify({"success": False, "error": {"__type": "Bad Request", "message": REFUSAL}})
        answer.status_code = 400
        return answer

    return app
