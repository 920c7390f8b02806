"""Logging out takes a POST with the CSRF token; a GET only asks whether to log out.

CKAN 2.12's header logs out by a form POST, but its ``/user/_logout`` also logs out on GET, so any
page, mail or image (``<img src=".../user/_logout">``) could end a visitor's session. A GET now
shows a page with the logout form (CKAN's own "log out first" page links there), the POST does
what CKAN does; CKAN's CSRF protection refuses a POST without the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from flask import Flask, request

ENDPOINT = "user.logout"


def confirm_first(logout: Callable[..., Any]) -> Callable[..., Any]:
    def view(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            return logout(*args, **kwargs)
        if not current_user.is_authenticated:
            return tk.redirect_to("user.login")
        came_from = request.args.get("came_from", "")
        action = tk.url_for(ENDPOINT, came_from=came_from) if came_from and tk.h.url_is_local(came_from) else None
        return tk.render("chemnitz/user/logout_confirm.html", {"action": action or tk.url_for(ENDPOINT)})

    return view


def install(app: Flask) -> Flask:
    app.view_functions[ENDPOINT] = confirm_first(app.view_functions[ENDPOINT])
    return app
