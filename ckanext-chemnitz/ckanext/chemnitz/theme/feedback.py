"""Feedback on barriers, sent through the form of the accessibility statement.

BITV 2.0 § 7 asks for a feedback mechanism in the accessibility statement. Each message becomes a
record admins read on ``/barrierefreiheit/rueckmeldungen``; the table comes with the plugin's
migration (``ckan db upgrade``). Through the Action API: ``chemnitz_accessibility_feedback_create``
(anyone) and ``chemnitz_accessibility_feedback_list`` (sysadmins).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

MAX_MESSAGE, MAX_PAGE, MAX_CONTACT = 5000, 500, 200

table = sa.Table(
    "chemnitz_accessibility_feedback",
    sa.MetaData(),
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("page", sa.UnicodeText),
    sa.Column("message", sa.UnicodeText),
    sa.Column("contact", sa.UnicodeText),
    sa.Column("state", sa.UnicodeText),
)


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field) or ""
    return value.strip() if isinstance(value, str) else ""


def validate(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The record to store and the errors per field (messages translated for the visitor)."""
    record = {field: _text(data, field) for field in ("page", "message", "contact")}
    errors: dict[str, list[str]] = {}
    if not record["message"]:
        errors["message"] = [tk._("Please describe the barrier you found.")]
    elif len(record["message"]) > MAX_MESSAGE:
        errors["message"] = [tk._("Please shorten your message to at most {n} characters.").format(n=MAX_MESSAGE)]
    if len(record["page"]) > MAX_PAGE:
        errors["page"] = [tk._("Please give an address of at most {n} characters.").format(n=MAX_PAGE)]
    if len(record["contact"]) > MAX_CONTACT:
        errors["contact"] = [tk._("Please give contact details of at most {n} characters.").format(n=MAX_CONTACT)]
    return record, errors


@tk.side_effect_free
def feedback_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Feedback records, newest first (sysadmins only)."""
    tk.check_access("chemnitz_accessibility_feedback_list", context, data_dict)
    limit = tk.get_validator("int_validator")(data_dict.get("limit", 100), context) or 100
    rows = model.Session.execute(sa.select(table).order_by(table.c.created.desc()).limit(min(int(limit), 1000)))
    utc = dt.timezone.utc
    return [dict(row._mapping, created=row.created.astimezone(utc).replace(tzinfo=None).isoformat()) for row in rows]


def feedback_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Store one feedback message; ``message`` is required, ``page`` and ``contact`` are optional."""
    tk.check_access("chemnitz_accessibility_feedback_create", context, data_dict)
    record, errors = validate(data_dict)
    if errors:
        raise tk.ValidationError(errors)
    record.update(id=str(uuid.uuid4()), state="new")
    model.Session.execute(table.insert().values(**record))
    model.Session.commit()
    return record


def actions() -> dict[str, Any]:
    return {
        "chemnitz_accessibility_feedback_create": feedback_create,
        "chemnitz_accessibility_feedback_list": feedback_list,
    }


def auth_functions() -> dict[str, Any]:
    anyone = tk.auth_allow_anonymous_access(lambda context, data_dict: {"success": True})
    return {
        "chemnitz_accessibility_feedback_create": anyone,
        "chemnitz_accessibility_feedback_list": lambda context, data_dict: {"success": False},  # sysadmins only
    }
