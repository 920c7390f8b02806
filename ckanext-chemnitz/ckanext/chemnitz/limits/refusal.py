"""A refused request: the message the client reads and when it may try again (HTTP 429)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import ckan.plugins.toolkit as tk
from flask import Response, make_response


def minutes(seconds: int) -> int:
    """Whole minutes to wait, rounded up: "in 1 minute" rather than "in 0 minutes"."""
    return max(1, math.ceil(seconds / 60))


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds

    def page(self, body: str) -> Response:
        """A rendered page that shows the message, answered as 429."""
        response = make_response(body, 429)
        response.headers["Retry-After"] = str(self.retry_after)
        return response

    def api_answer(self, action: str) -> Response:
        """The Action API's error shape (``success: false``, ``error.__type``), answered as 429."""
        body = {
            "help": tk.url_for("api.action", ver=3, logic_function="help_show", id=action, _external=True),
            "success": False,
            "error": {"__type": "Too Many Requests", "message": self.message},
        }
        response = self.page(json.dumps(body))
        response.content_type = "application/json;charset=utf-8"
        return response
