"""One page of a DataStore table, sorted by a column the visitor chose.

The preview is rendered on the server (no JavaScript needed): column headings are links that
sort, pages are links, and every value is escaped by the template like any other text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

PAGE_SIZE = 50
HIDDEN = ("_id", "_full_text")


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool

    @property
    def datastore(self) -> str:
        return f'"{self.column}" {"desc" if self.descending else "asc"}'

    def toggled(self, column: str) -> str:
        """The ``sortierung`` value a heading links to: its column ascending, or flipped if sorted by it."""
        descending = column == self.column and not self.descending
        return f"{column}:{'ab' if descending else 'auf'}"


def parse_sort(value: str, columns: list[str]) -> Sort | None:
    """``spalte:auf`` / ``spalte:ab`` from the URL; anything else (or an unknown column) is no sort."""
    column, _, direction = (value or "").rpartition(":")
    if column in columns and direction in ("auf", "ab"):
        return Sort(column, direction == "ab")
    return None


def page_number(value: str | None, pages: int) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), max(pages, 1))


def load(resource_id: str, args: dict[str, str]) -> dict[str, Any]:
    """Columns, rows and paging of the requested page, through ``datastore_search`` (the public API)."""
    search = tk.get_action("datastore_search")
    context = {"user": tk.current_user.name}
    shape = search(context, {"resource_id": resource_id, "limit": 0, "include_total": True})
    fields = [field for field in shape["fields"] if field["id"] not in HIDDEN]
    columns = [field["id"] for field in fields]
    sort = parse_sort(args.get("sortierung", ""), columns)
    total = shape["total"]
    pages = math.ceil(total / PAGE_SIZE)
    page = page_number(args.get("seite"), pages)
    query = {"resource_id": resource_id, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE, "fields": columns}
    if sort:
        query["sort"] = sort.datastore
    records = search(context, query)["records"]
    return {
        "fields": fields,
        "records": records,
        "total": total,
        "page": page,
        "pages": pages,
        "sort": sort or Sort("", False),
        "first": (page - 1) * PAGE_SIZE + 1 if records else 0,
        "last": (page - 1) * PAGE_SIZE + len(records),
    }


def column_label(field: dict[str, Any]) -> str:
    """The column's label from the DataStore data dictionary (``info.label``), else its name."""
    return str((field.get("info") or {}).get("label") or field["id"])


def is_numeric(field: dict[str, Any]) -> bool:
    return field.get("type", "").startswith(("int", "float", "numeric"))
