"""Who may list the portal's users: sysadmins only.

CKAN lets anyone list users (``user_list`` and ``/user/``, with each account's ``sysadmin`` flag):
a map of which accounts to attack. ``ckan.auth.public_user_details = false`` (config/) closes user
pages and ``user_show`` to anonymous visitors; the list is closed to everyone but sysadmins here.
Finding a user by name (``user_autocomplete``, CKAN checks it with ``user_list``) stays open to
logged-in users: organization admins need it to add members, and it shows names only.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.auth import restrict_anon
from flask import Response, request


def user_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return {"success": False, "msg": tk._("Only administrators can list users.")}  # sysadmins pass before


def user_autocomplete(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return restrict_anon(context)


def refuse_anonymous_autocomplete() -> Response | None:
    """``before_request``: CKAN's ``/api/2/util/user/autocomplete`` does not catch NotAuthorized, so
    an anonymous caller would get a server error instead of 403."""
    if request.endpoint != "api.user_autocomplete" or tk.current_user.is_authenticated:
        return None
    error = {"__type": "Authorization Error", "message": "Access denied: only logged-in users can search users"}
    return Response(json.dumps({"success": False, "error": error}), 403, content_type="application/json;charset=utf-8")


def auth_functions() -> dict[str, Any]:
    return {"user_list": user_list, "user_autocomplete": user_autocomplete}
