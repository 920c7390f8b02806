"""Every usable answer of an occupancy feed, kept as it came: the history the DataStore is rebuilt from.

A feed only tells the present; once a poll is over, its readings exist nowhere but in the portal's
history table. So the DAG stores each answer it could parse (gzip, one file per poll, named by the
time of the poll and the feed format) before it publishes anything, and ``occupancy.rebuild_history``
can put back every reading a damaged or lost table no longer has. About 1.2 KB per poll of 20 car
parks (measured on the replica), i.e. ~130 MB a year at one poll every 5 minutes.

With several Airflow workers the folder must be shared by them (a volume in ``docker/compose.yaml``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import REPOSITORY

ARCHIVE = Path(os.environ.get("CHEMNITZ_PIPELINE_ARCHIVE", REPOSITORY / "var" / "airflow" / "archive"))


@dataclass(frozen=True)
class Answer:
    path: Path
    format: str  # the feed format it was parsed with: parkapi | datex2

    def body(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


def store(root: Path, feed_id: str, feed_format: str, polled_at: dt.datetime, body: bytes) -> Path:
    """Keep one answer; written aside and renamed, so a crash never leaves a half-written file behind."""
    moment = polled_at.astimezone(dt.timezone.utc)
    folder = root / feed_id / moment.strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{moment.strftime('%H%M%S%f')}.{feed_format}.gz"
    partial = folder / f".{target.name}.part"
    partial.write_bytes(gzip.compress(body))
    os.replace(partial, target)
    return target


def days(root: Path, feed_id: str) -> Iterator[list[Answer]]:
    """The kept answers day by day (oldest first), so a rebuild holds one day in memory, not a year."""
    for folder in sorted(p for p in (root / feed_id).glob("*") if p.is_dir()):
        yield [Answer(path, path.suffixes[-2].lstrip(".")) for path in sorted(folder.glob("*.gz"))]
