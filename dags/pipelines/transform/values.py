"""The values of a dataset's categorical columns ("Enthaltene Werte").

The portal indexes them as search words of the dataset and lists them on the dataset page, so that
"Grundschule" finds "Schulen in Chemnitz" although only its rows say so.

Which columns: those the source configuration lists under ``contained_values`` (published text
fields, the configuration is trusted up to ``MAX_CONFIGURED_VALUES`` values), or, without that list,
the published text fields that look categorical:

* between ``MIN_VALUES`` (2) and ``MAX_VALUES`` (30) distinct values,
* fewer distinct values than half the rows that have a value (so each value repeats: names,
  addresses, phone numbers and other per-row text never qualify),
* no value longer than ``MAX_LENGTH`` (80) characters (longer text is free text, not a category),
* not only codes: a column whose values have no letters (postcodes, key numbers such as "10") gives
  no search words.

Withheld attributes are never in the typed frame, so their values never appear.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

import pandas as pd

from pipelines.config import Field

log = logging.getLogger(__name__)

MIN_VALUES = 2
MAX_VALUES = 30
MAX_LENGTH = 80
MAX_CONFIGURED_VALUES = 100
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")


def contained_values(
    frame: pd.DataFrame, fields: tuple[Field, ...], configured: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """``[{"field": output name, "title": German title, "values": sorted distinct values}]`` of the
    categorical text columns of the typed ``frame``, in the order of ``fields``.

    ``configured`` are source attribute names (the configuration's ``contained_values``); None
    applies the default rule of the module docstring, an empty tuple selects nothing.
    """
    result = []
    for spec in fields:
        if spec.type != "string" or spec.name not in frame.columns:
            continue
        if configured is not None and spec.source not in configured:
            continue
        cleaned = (_SPACES.sub(" ", str(value)).strip() for value in frame[spec.name] if _has_value(value))
        present = [value for value in cleaned if value]
        distinct = sorted(set(present), key=_german_order)
        if configured is None and not _categorical(distinct, len(present)):
            continue
        if len(distinct) > MAX_CONFIGURED_VALUES:
            log.warning("%s has %d distinct values, more than %d: not shown as contained values",
                        spec.source, len(distinct), MAX_CONFIGURED_VALUES)  # fmt: skip
            continue
        if distinct:
            result.append({"field": spec.name, "title": spec.title or spec.name, "values": distinct})
    return result


def _categorical(distinct: list[str], rows: int) -> bool:
    return (
        MIN_VALUES <= len(distinct) <= MAX_VALUES
        and len(distinct) < rows / 2
        and max(map(len, distinct)) <= MAX_LENGTH
        and any(_LETTER.search(value) for value in distinct)
    )


def _has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def _german_order(value: str) -> tuple[str, str]:
    """Sort as a German index does: case and accents do not matter (Ä with A, ß as ss)."""
    folded = unicodedata.normalize("NFKD", value.casefold().replace("ß", "ss"))
    return "".join(c for c in folded if not unicodedata.combining(c)), value
