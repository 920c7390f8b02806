"""The id or name of a dataset as the index compares it, whatever form CKAN hands it in.

Some of CKAN's actions pass on what a ``Session.query(Package.id)`` yields: SQLAlchemy ``Row``
tuples, not strings (``bulk_update_private``/``_public``/``_delete`` and ``organization_purge``
call ``package_patch`` with ``id=<Row>``, which looks the dataset up with ``search.show``). Solr
formats such a value into its query string, finds nothing and CKAN falls back to the database;
a database driver cannot bind it at all. The one column of such a row is the reference meant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row


def dataset_reference(value: Any) -> str:
    """``value`` as the string id or name it stands for ('' for none)."""
    if isinstance(value, Row) and len(value) == 1:
        value = value[0]
    return "" if value is None else str(value)
