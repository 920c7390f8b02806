"""``chemnitz_datastore_load``: the pipelines' bulk load, with the DataStore's own permission check."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.datastore import load


def chemnitz_datastore_load(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, int]:
    """Make the DataStore table of ``resource_id`` hold exactly ``records``, atomically.

    The table must exist (``datastore_create`` with ``fields`` and ``primary_key``). Rows are
    matched on that key: new keys are inserted, changed rows updated, unchanged rows left alone,
    keys missing from ``records`` deleted. Whoever may ``datastore_upsert`` into the resource may
    call it. Returns the counts ``inserted``, ``updated``, ``deleted``, ``unchanged``.
    """
    from ckanext.datastore.backend.postgres import get_write_engine

    resource_id = tk.get_or_bust(data_dict, "resource_id")
    records = data_dict.get("records")
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise tk.ValidationError({"records": ["a list of objects (column name: value) is required"]})
    tk.check_access("datastore_upsert", context, {"resource_id": resource_id})
    try:
        with get_write_engine().begin() as connection:
            result = load.replace_rows(connection, resource_id, records)
    except load.LoadError as error:
        raise tk.ValidationError({error.field: [str(error)]}) from None
    return {
        "inserted": result.inserted,
        "updated": result.updated,
        "deleted": result.deleted,
        "unchanged": result.unchanged,
    }


def actions() -> dict[str, Any]:
    return {"chemnitz_datastore_load": chemnitz_datastore_load}
