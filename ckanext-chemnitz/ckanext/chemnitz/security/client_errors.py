"""Requests that CKAN 2.12 answers with a server error although the request is at fault.

Each is answered here with the client error and a message saying what is wrong, where CKAN
fails: an auth function that assumes a logged-in user, an action that lets PostgreSQL's data
errors through, and two views that do not catch the documented errors of the actions they call.
Anything else still raises (a real bug stays visible as a server error in the log).

A search page whose query cannot be parsed keeps CKAN's page with its error notice (the form
stays there to correct the query) but answers 400, as the API does with 409: crawlers and
monitoring see a client error, not a result page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import psycopg2
from flask import Flask, Response, g, template_rendered
from sqlalchemy.exc import DBAPIError

# SQLSTATE classes a query's own text causes: cardinality violation (a subquery with several rows
# used as a value), data exception (a failed cast, division by zero, overflow), feature not
# supported, program limit exceeded (e.g. a string too long). CKAN answers only syntax and
# permission errors (class 42) as client errors.
QUERY_FAULTS = frozenset({"21", "22", "0A", "54"})


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(original: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    """``SELECT 'x'::int`` is a mistake in the query (HTTP 409 with PostgreSQL's reason), not a server error."""
    try:
        return original(context, data_dict)
    except DBAPIError as error:
        code = getattr(error.orig, "pgcode", None) or ""
        if code[:2] not in QUERY_FAULTS:
            raise
        reason = str(error.orig).strip().splitlines()[0]
        raise tk.ValidationError({"query": [reason]}) from None


@tk.chained_auth_function
def package_collaborator_list(next_auth: Any, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's check asserts a logged-in user: an anonymous caller got a server error, not a refusal."""
    from ckan import model

    if model.User.get(context.get("user") or "") is None:
        return {"success": False, "msg": tk._("Log in to see a dataset's collaborators")}
    return next_auth(context, data_dict)


def _reason(error: tk.ValidationError) -> str:
    """One line per field; for an SQL error the database's reason instead of CKAN's "Invalid query"."""
    database = (error.error_dict.get("info") or {}).get("orig")
    if database:
        return str(database[0]).strip().splitlines()[0]
    return "; ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in error.error_dict.items())


def _dump(view: Callable[..., Any]) -> Callable[..., Any]:
    """``/datastore/dump``: a wrong ``sort``, ``filters`` or ``distinct`` (without ``_id`` among the
    ``fields``, the default order) is refused by ``datastore_search`` with a ValidationError, or for
    CSV and TSV with PostgreSQL's error itself (written by ``COPY``); CKAN's view catches neither."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except tk.ValidationError as error:
            reason = _reason(error)
        except psycopg2.Error as error:
            if (error.pgcode or "")[:2] not in QUERY_FAULTS | {"42"}:
                raise
            reason = str(error).strip().splitlines()[0]
        return tk.abort(400, tk._("The download cannot be made: {reason}").format(reason=reason))

    return wrapped


def _changes_multiple(view: Callable[..., Any]) -> Callable[..., Any]:
    """``/dataset/changes_multiple`` calls ``activity_show`` unguarded: missing or unknown versions
    were a server error. Not found and not allowed answer alike (404), so it reveals nothing."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not (tk.request.args.get("new_id") and tk.request.args.get("old_id")):
            return tk.abort(400, tk._("Choose the two versions to compare (new_id and old_id)."))
        try:
            return view(*args, **kwargs)
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            return tk.abort(404, tk._("Activity not found"))

    return wrapped


GUARDED_VIEWS = {"datastore.dump": _dump, "activity.package_changes_multiple": _changes_multiple}


def _note_search_error(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
    """CKAN's dataset, organization and group searches render ``query_error`` into their page."""
    if context.get("query_error"):
        g.chemnitz_search_error = True


def install(app: Flask) -> Flask:
    """Wrap the views above, where their plugin is loaded; search error pages answer 400."""
    for endpoint, guard in GUARDED_VIEWS.items():
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = guard(app.view_functions[endpoint])
    template_rendered.connect(_note_search_error, app)

    @app.after_request
    def search_error_is_a_client_error(response: Response) -> Response:
        if response.status_code == 200 and g.get("chemnitz_search_error"):
            response.status_code = 400
        return response

    return app
