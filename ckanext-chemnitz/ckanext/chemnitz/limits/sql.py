"""``datastore_search_sql`` bounded in time and in how many run at once.

Anyone may send SQL to the DataStore (the /parken chart does). CKAN cancels a statement only
after 60 s, so one anonymous cross join held a gunicorn worker for a minute and a few of them
blocked the portal. Here a statement is cancelled after ``timeout_seconds`` (the answer says so,
HTTP 409), at most ``per_client`` queries of one client (a logged-in user, else an address) run at
once and at most ``total`` on the whole portal (keep it below the number of workers); a query
beyond is refused with HTTP 429 before it reaches PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from flask import g

from ckanext.chemnitz.limits import client, store
from ckanext.chemnitz.limits.refusal import Refusal

WHAT = "datastore_search_sql queries"
CKAN_TIMEOUT_ERROR = ["Query took too long"]  # ckanext.datastore.backend.postgres.search_sql


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(original: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    timeout = context.setdefault("query_timeout", tk.config.get("ckanext.chemnitz.limits.sql.timeout_seconds") * 1000)
    try:
        return original(context, data_dict)
    except tk.ValidationError as error:
        if error.error_dict.get("query") != CKAN_TIMEOUT_ERROR:
            raise
        seconds = f"{timeout / 1000:g}"
        raise tk.ValidationError(
            {"query": [f"The query was cancelled: it ran longer than the statement timeout of {seconds} seconds."]}
        ) from None


def _client() -> str:
    user = tk.current_user
    return f"user:{user.id}" if user.is_authenticated else f"address:{client.address()}"


def occupy() -> Refusal | None:
    """``before_request`` of the API call: a slot for this query, or why there is none."""
    per_client = tk.config.get("ckanext.chemnitz.limits.sql.per_client")
    total = tk.config.get("ckanext.chemnitz.limits.sql.total")
    timeout = tk.config.get("ckanext.chemnitz.limits.sql.timeout_seconds")
    mine, everyone = store.key("sql", _client()), store.key("sql", "portal")
    token, full = store.occupy({mine: per_client, everyone: total}, timeout + 60, WHAT)
    if full is None:
        g.chemnitz_sql_slot = (token, [mine, everyone])
        return None
    if full == mine:
        count = "one datastore_search_sql query" if per_client == 1 else f"{per_client} datastore_search_sql queries"
        message = f"Too many queries: {count} per client may run at a time; wait for the running one to finish."
    else:
        message = (
            f"Too many queries: {total} datastore_search_sql queries are running on the portal, the most it runs "
            "at once; try again in a few seconds."
        )
    return Refusal(message, timeout)


def vacate(_error: BaseException | None = None) -> None:
    """``teardown_request``: the query's slot is free again, however the request ended."""
    slot = g.pop("chemnitz_sql_slot", None)
    if slot is not None:
        token, names = slot
        store.vacate(names, token, WHAT)


def actions() -> dict[str, Any]:
    """The chained action, when the DataStore offers the action it chains."""
    offered = p.plugin_loaded("datastore") and tk.asbool(tk.config.get("ckan.datastore.sqlsearch.enabled"))
    return {"datastore_search_sql": datastore_search_sql} if offered else {}
