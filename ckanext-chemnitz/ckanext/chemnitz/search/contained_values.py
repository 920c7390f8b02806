"""``before_dataset_index``: the values of the dataset's categorical columns as search words.

The pipelines publish them as the field ``contained_values`` ([{field, title, values}], "Enthaltene
Werte"). The index gets them as plain text in ``extras_contained_values``: an analysed text field on
both backends (CKAN's Solr schema copies ``extras_*`` into ``text``; the PostgreSQL backend puts
``extras_*`` into the dataset's full-text vector), so "Grundschulen" finds a dataset whose column
Schulart has the value "Grundschule", and ``extras_contained_values:Gymnasium`` asks for it alone.
The stored JSON (``contained_values`` and its extra) stays out of the index: its keys are no search
words, and Solr's catch-all ``string`` field takes neither lists nor long terms.
"""

from __future__ import annotations

import json
from typing import Any

FIELD = "contained_values"
INDEX_FIELD = "extras_contained_values"


def index_document(document: dict[str, Any]) -> dict[str, Any]:
    dataset = json.loads(document.get("validated_data_dict") or "{}")
    document.pop(FIELD, None)
    text = search_text(dataset.get(FIELD))
    if text:
        document[INDEX_FIELD] = text
    else:
        document.pop(INDEX_FIELD, None)
    return document


def search_text(entries: Any) -> str:
    """One line per column: ``Schulart: Grundschule; Gymnasium; …`` (empty for malformed entries)."""
    lines = []
    for entry in entries if isinstance(entries, list) else []:
        values = entry.get("values") if isinstance(entry, dict) else None
        if isinstance(values, list) and values:
            lines.append(f"{entry.get('title') or entry.get('field') or ''}: {'; '.join(map(str, values))}")
    return "\n".join(lines)
