"""Where the limits meet requests: the login form, the limited Action API calls, user search, the proxy."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request

from ckanext.chemnitz.limits import client, feedback, login, sql, users
from ckanext.chemnitz.limits.refusal import Refusal

API_LIMITS: dict[str, Callable[[], Refusal | None]] = {
    "chemnitz_accessibility_feedback_create": feedback.admit,
    "datastore_search_sql": sql.occupy,
}


def limit_api_call() -> Response | None:
    """``before_request``: a limited action refused with 429 before it runs."""
    if request.endpoint != "api.action":
        return None
    action = (request.view_args or {}).get("logic_function", "")
    limit = API_LIMITS.get(action)
    refused = limit() if limit else None
    return refused.api_answer(action) if refused else None


def install(app: Flask) -> Flask:
    login.listen()
    app.before_request(login.refuse_locked)
    app.before_request(limit_api_call)
    app.before_request(users.refuse_anonymous_autocomplete)
    app.teardown_request(sql.vacate)
    return client.trust_proxies(app)
