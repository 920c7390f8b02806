"""CSV and TSV downloads of DataStore tables with formula-like text cells neutralised.

A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula
when the file is opened in a spreadsheet (CSV injection, OWASP). The DataStore writes CSV in
PostgreSQL (``COPY … TO STDOUT csv``), so the neutralising apostrophe is added in the query: only
in text columns (numbers keep their sign) and only for the CSV and TSV record formats, which the
``/datastore/dump`` downloads use. JSON answers keep the stored values.

A plugin of its own because CKAN requires ``datastore`` to be the first IDatastore plugin in
``ckan.plugins``, while ``chemnitz`` comes before it (its templates take precedence).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckanext.datastore.backend.postgres import identifier
from ckanext.datastore.interfaces import IDatastore

TEXT_FORMATS = frozenset({"csv", "tsv"})
NEUTRALISE = "CASE WHEN {0} ~ '^[-=+@\\t\\r]' THEN '''' || {0} ELSE {0} END"


def neutralise_formulas(
    data_dict: dict[str, Any], fields_types: dict[str, str], query_dict: dict[str, Any]
) -> dict[str, Any]:
    """``IDatastore.datastore_search``: wrap the text columns of a CSV/TSV answer."""
    if data_dict.get("records_format") not in TEXT_FORMATS or "select" not in query_dict:
        return query_dict
    text_columns = {identifier(field) for field, kind in fields_types.items() if kind == "text"}
    query_dict["select"] = [
        NEUTRALISE.format(column) + " AS " + column if column in text_columns else column
        for column in query_dict["select"]
    ]
    return query_dict


class CsvDownloadsPlugin(p.SingletonPlugin):
    """``chemnitz_csv_downloads``: listed after ``datastore``."""

    p.implements(IDatastore, inherit=True)

    def datastore_search(
        self, context: Any, data_dict: dict[str, Any], fields_types: dict[str, str], query_dict: dict[str, Any]
    ) -> dict[str, Any]:
        return neutralise_formulas(data_dict, fields_types, query_dict)
