"""Creates what the demo portal needs inside CKAN, idempotently: the sysadmin, the pipelines'
user with editor rights in every department and its API token, and the departments themselves.

Run with the CKAN environment's Python: ``bootstrap_portal.py INI``. Reads ``CKAN_ADMIN_PASSWORD``
and ``CKAN_API_TOKEN`` (may be empty) from the environment and prints ``CKAN_API_TOKEN=…`` when
it had to create a new token (none yet, or the stored one no longer works).
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from typing import Any

ADMIN = "admin"
PIPELINES = "pipelines"


def main(ini: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    logging.disable(logging.WARNING)
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk
        from ckan.lib.api_token import get_user_from_token

        from ckanext.chemnitz import organizations

        context = {
            "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
            "ignore_auth": True,
        }
        _ensure_user(tk, context, ADMIN, os.environ["CKAN_ADMIN_PASSWORD"], sysadmin=True)
        _ensure_user(tk, context, PIPELINES, secrets.token_urlsafe(24), sysadmin=False)
        result = organizations.sync(organizations.load(organizations.declarations_file()), {PIPELINES: "editor"})
        print(result, file=sys.stderr)

        token = os.environ.get("CKAN_API_TOKEN", "")
        owner = get_user_from_token(token) if token else None
        if owner is None or owner.name != PIPELINES:
            created = tk.get_action("api_token_create")(dict(context), {"user": PIPELINES, "name": "pipelines"})
            print(f"CKAN_API_TOKEN={created['token']}")


def _ensure_user(tk: Any, context: dict[str, Any], name: str, password: str, sysadmin: bool) -> None:
    try:
        user = tk.get_action("user_show")(dict(context), {"id": name})
    except tk.ObjectNotFound:
        user = tk.get_action("user_create")(
            dict(context), {"name": name, "email": f"{name}@opendata.chemnitz.invalid", "password": password}
        )
    if name == ADMIN:  # the admin's password is the one in .env, also after it was changed there
        tk.get_action("user_patch")(dict(context), {"id": user["id"], "password": password})
    if sysadmin and not user.get("sysadmin"):
        tk.get_action("user_patch")(dict(context), {"id": user["id"], "sysadmin": True})


if __name__ == "__main__":
    main(sys.argv[1])
