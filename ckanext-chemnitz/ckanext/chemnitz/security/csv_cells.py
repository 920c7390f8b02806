"""CSV and TSV downloads of DataStore tables with formula-like text cells neutralised.

A text cell starting with ``=``, ``+``, ``-``, ``@``, ``|`` (or their full-width forms
``＝＋－＠｜``, which spreadsheets take for the ASCII ones), tab or carriage return, also after
leading spaces, is run as a formula when the file is opened in a spreadsheet (CSV injection,
OWASP). German Excel splits a CSV file at ``;``, and PostgreSQL quotes a value only when it holds
a comma: ``Mo-Fr;=…`` becomes a cell ``=…`` there. So an apostrophe (the cell is shown as text,
never run) goes before such a value and after each ``;`` that such a start follows.

The DataStore writes CSV in PostgreSQL (``COPY … TO STDOUT csv``), so the apostrophes are added in
the query: only in text columns (numbers keep their sign) and only for the CSV and TSV record
formats, which the ``/datastore/dump`` downloads use. JSON answers keep the stored values. The
pipelines' own CSV files follow the same rule (``dags/pipelines/transform/files.py``).

A plugin of its own because CKAN requires ``datastore`` to be the first IDatastore plugin in
``ckan.plugins``, while ``chemnitz`` comes before it (its templates take precedence). For the same
reason it chains ``datastore_search_sql`` for ``security/client_errors.py``: ``chemnitz`` chains
it already (``limits/sql.py``), and a plugin chains an action once.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.datastore.backend.postgres import identifier
from ckanext.datastore.interfaces import IDatastore

from ckanext.chemnitz.security import client_errors

TEXT_FORMATS = frozenset({"csv", "tsv"})
# A cell start that runs as a formula, as a PostgreSQL regular expression: tab or carriage return,
# or a formula character after any spaces (also no-break, ideographic, a byte order mark).
FORMULA_START = r"(?:[\t\r]|[ \t\r\n\v\f\u00a0\u3000\ufeff]*[=+@|＝＋－＠｜-])"
NEUTRALISE = (
    f"CASE WHEN {{0}} ~ '^{FORMULA_START}' THEN '''' ELSE '' END"
    f" || regexp_replace({{0}}, ';(?={FORMULA_START})', ';''', 'g')"
)


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
    p.implements(p.IActions)

    def datastore_search(
        self, context: Any, data_dict: dict[str, Any], fields_types: dict[str, str], query_dict: dict[str, Any]
    ) -> dict[str, Any]:
        return neutralise_formulas(data_dict, fields_types, query_dict)

    def get_actions(self) -> dict[str, Any]:
        if not tk.config.get("ckan.datastore.sqlsearch.enabled"):
            return {}  # the DataStore offers no datastore_search_sql then
        return {"datastore_search_sql": client_errors.datastore_search_sql}
