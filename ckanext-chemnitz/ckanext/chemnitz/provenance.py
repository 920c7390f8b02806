"""Where a harvested dataset comes from and when it was last harvested, for its page.

The pipelines append every successful run to the dataset's harvest log, a DataStore-only
resource marked ``harvest_key: harvest-log`` (dags/pipelines/publish/ckan.py). Its newest row is
what a visitor wants to know: the source's address, the time, what was fetched and changed.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.parking.status import as_utc

LOG_KEY = "harvest-log"


def last_harvest(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The newest harvest-log row of ``pkg`` (``run_at`` as aware UTC), None for datasets not harvested."""
    log = next(
        (r for r in pkg.get("resources", []) if r.get("harvest_key") == LOG_KEY and r.get("datastore_active")), None
    )
    if log is None:
        return None
    try:
        rows = tk.get_action("datastore_search")(
            {"user": tk.current_user.name if tk.current_user else ""},
            {"resource_id": log["id"], "sort": "run_at desc", "limit": 1},
        )["records"]
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError, KeyError):
        return None
    if not rows:
        return None
    row = dict(rows[0], log_id=log["id"])
    row["run_at"] = as_utc(row["run_at"])  # with its offset (timestamptz), or UTC without one from an old log
    return row


def helpers() -> dict[str, Any]:
    return {"chemnitz_last_harvest": last_harvest}
