"""Turns the source's text and mixed values into the declared column types.

Values that cannot be read as their declared type are not guessed: the feature is rejected and
counted, with the field and the value, so the run summary tells the department what to fix.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from dateutil import parser as date_parser

from pipelines.config import Field, SourceConfigError

_TRUE = {"1", "true", "ja", "j", "yes", "wahr"}
_FALSE = {"0", "false", "nein", "n", "no", "falsch"}
_OFFSET = re.compile(r"([+-]\d{2})$")  # "…478+00": an hour offset without minutes


@dataclass
class Rejections:
    """Features left out, with the reason for each."""

    reasons: list[str] = field(default_factory=list)

    def add(self, index: Any, reason: str) -> None:
        self.reasons.append(f"feature {index}: {reason}")

    def __len__(self) -> int:
        return len(self.reasons)


def normalise(frame: pd.DataFrame, fields: tuple[Field, ...], rejections: Rejections) -> pd.DataFrame:
    """Keep the mapped fields, renamed and typed; drop (and record) rows with unreadable values."""
    missing = [f.source for f in fields if f.source not in frame.columns]
    if missing:
        raise SourceConfigError(f"fields {missing} are not in the source (it has {sorted(map(str, frame.columns))})")
    result = pd.DataFrame(index=frame.index)
    bad: dict[Any, str] = {}
    for spec in fields:
        values = []
        for index, raw in frame[spec.source].items():
            try:
                values.append(convert(raw, spec.type))
            except (TypeError, ValueError) as error:
                bad.setdefault(index, f"{spec.source}={raw!r} is not a valid {spec.type} ({error})")
                values.append(None)
        result[spec.name] = pd.Series(values, index=frame.index, dtype=object)
    for index, reason in bad.items():
        rejections.add(index, reason)
    if "geometry" in frame.columns:
        result["geometry"] = frame["geometry"]
    return result.drop(index=list(bad))


def convert(value: Any, kind: str) -> Any:
    """One value as ``kind``; empty text and nulls become None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if kind == "string":
        return re.sub(r"\r\n?", "\n", str(value))
    if kind == "integer":
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        if not number.is_integer():
            raise ValueError("has a fractional part")
        return int(number)
    if kind == "number":
        return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    if kind == "boolean":
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("expected 0/1, ja/nein or true/false")
    if kind in ("date", "datetime"):
        moment = _datetime(value).astimezone(dt.timezone.utc)
        if kind == "date":
            return moment.date().isoformat()
        return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds").replace("+00:00", "Z")
    raise ValueError(f"unknown type {kind}")


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, (int, float)):  # epoch milliseconds (ArcGIS)
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.timezone.utc)
    text = _OFFSET.sub(r"\1:00", str(value).strip())
    try:  # ISO 8601, also with slashes as in the city's CSV exports ("2023/12/15 10:19:55.478+00")
        moment = dt.datetime.fromisoformat(re.sub(r"^(\d{4})/(\d{2})/(\d{2})", r"\1-\2-\3", text))
    except ValueError:  # German notation, day first ("15.12.2023 10:19")
        moment = date_parser.parse(text, dayfirst=True)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
